"""Sending a campaign: enrol the audience once, then claim and deliver in throttled, bounded batches.

Enrolment walks the audience by account id from the campaign's cursor (resumable, batch-bounded,
one worker per campaign at a time through SKIP LOCKED on the campaign row) and draws each member's
group from sha256(seed, account id): a resumed or repeated enrolment draws the same group, and the
unique (campaign, account) row makes a second enrolment a no-op.

Sending claims up to `send_rate_per_minute` minus what the last minute claimed (counted under the
campaign row's lock, so several workers share one budget), taking pending members with SKIP LOCKED
(workers get disjoint batches). Each member is re-checked at claim time: still in the audience (a
member who left the tier or segment since enrolment gets nothing; one who joined after enrolment
passed them is not added), consent and suppression (an unsubscribe mid-campaign stops everything not
yet claimed), the shared marketing-email gap (the member waits, `not_before`), Shabbat and holidays
(the whole campaign waits). The claim is a CLAIMED `MessageLog` row with the fully rendered content in
its context and a unique claim key; the batch is delivered after commit by `messages.batch` (consent
read again and links for the whole batch, one SMTP connection, results written in one statement), and
a claim whose send was never confirmed is retried by the messaging beat (`messages.club.retry_due`)
from that same row and Message-ID: at least once, never twice at once. Every step reads or writes the
whole batch at once, so a batch costs the same number of queries whatever its size.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from saleor_loyalty.core import bulk
from saleor_loyalty.insights import audiences, merge_fields, tracking
from saleor_loyalty.messages import batch, consent, limits, pipeline, rendering, windows
from saleor_loyalty.messages.config import CAMPAIGN, email_timeout, message_lease
from saleor_loyalty.models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    LoyaltyProgram,
    Medium,
    MessageLog,
    MessageStatus,
    RecipientStatus,
    UnsubscribeKey,
)

ENROL_BATCH = 2000
SEND_BATCH = 200


def assign(seed: str, account_id: int, variants: list[tuple[int, int]], holdout_percent: int) -> int | None:
    """The variant id drawn for a member (None: holdout), the same every time it is asked."""
    digest = hashlib.sha256(f"{seed}:{account_id}".encode()).digest()
    if int.from_bytes(digest[:8]) * 100 < holdout_percent * 2**64:
        return None
    point = int.from_bytes(digest[8:16]) * sum(weight for _, weight in variants) // 2**64
    for variant_id, weight in variants:
        if point < weight:
            return variant_id
        point -= weight
    return variants[-1][0]


def start_due(now: datetime) -> int:
    """Scheduled campaigns whose time came start sending (a conditional update: one worker wins)."""
    return Campaign.objects.filter(status=CampaignStatus.SCHEDULED, scheduled_at__lte=now).update(
        status=CampaignStatus.SENDING, started_at=now
    )


def enrol(campaign_id: int, now: datetime, batch: int = ENROL_BATCH, max_batches: int = 50) -> int:
    """Enrol the next members of the audience; returns how many rows were walked."""
    walked = 0
    for _ in range(max_batches):
        with transaction.atomic():
            campaign = (
                Campaign.objects.select_for_update(skip_locked=True)
                .filter(pk=campaign_id, status=CampaignStatus.SENDING, enrolled_at__isnull=True)
                .first()
            )
            if campaign is None:
                return walked
            variants = list(campaign.variants.order_by("key").values_list("pk", "weight"))
            ids = list(
                audiences.accounts(campaign)
                .filter(pk__gt=campaign.enrol_cursor)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            rows = []
            for account_id in ids:
                variant = assign(campaign.seed, account_id, variants, campaign.holdout_percent)
                rows.append(
                    CampaignRecipient(
                        campaign=campaign,
                        account_id=account_id,
                        variant_id=variant,
                        status=RecipientStatus.PENDING if variant else RecipientStatus.HOLDOUT,
                        enrolled_at=now,
                    )
                )
            CampaignRecipient.objects.bulk_create(rows, ignore_conflicts=True)
            campaign.enrol_cursor = ids[-1] if ids else campaign.enrol_cursor
            if len(ids) < batch:
                campaign.enrolled_at = now
            campaign.save(update_fields=["enrol_cursor", "enrolled_at", "updated_at"])
        walked += len(ids)
        if len(ids) < batch:
            return walked
    return walked


@dataclass
class SendReport:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    held: int = 0


def _lock_people(subjects: list[str]) -> None:
    """The per-person locks club messages take, all at once and in one order (no deadlock between batches)."""
    if subjects:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended('loyalty:' || s, 0)) FROM unnest(%s::text[]) s",
                [sorted(subjects)],
            )


def _unsubscribe_keys(subjects: list[str], now: datetime) -> bulk.Statement | None:
    """Each person's unsubscribe key for the whole batch (the pipeline then only reads it); a key that exists
    stays, so links already sent keep working."""
    keys = [
        UnsubscribeKey(
            key=secrets.token_urlsafe(16), subject_hash=subject, medium=Medium.EMAIL, created_at=now
        )
        for subject in subjects
    ]
    return bulk.insert_statement(keys, ignore_conflicts=True) if keys else None


def _new_ids(count: int) -> list[int]:
    """Primary keys for the batch's log rows, so each row's tracking URLs are in it from the start."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [MessageLog._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _tracked_body(body: str, message_id: int, campaign_id: int, variant_id: int, language: str) -> str:
    counter = iter(range(merge_fields.MAX_LINKS + 1))

    def tracked(match):
        url = match.group(0)
        link = url.rstrip(".,;:!?)")
        index = next(counter)
        return tracking.click_url(message_id, campaign_id, variant_id, language, index) + url[len(link) :]

    return merge_fields.LINK.sub(tracked, body)


def _needed(version: dict) -> set[str]:
    return merge_fields.used_fields(version["subject"]) | merge_fields.used_fields(version["body"])


def _context(recipient, campaign, program, message_id: int, language: str, now: datetime, batch_data) -> dict:
    variant = recipient.variant
    version = variant.content.get(language) or variant.content[campaign.default_language]
    found = merge_fields.values(
        recipient.account,
        program,
        _needed(version),
        language,
        now,
        incentive_points=variant.incentive_points,
        batch=batch_data,
    )
    body = _tracked_body(version["body"], message_id, campaign.pk, variant.pk, language)
    return {
        "campaign_subject": merge_fields.merge(version["subject"], found),
        "campaign_body": merge_fields.merge(body, found),
        "open_pixel_url": tracking.open_url(message_id, campaign.pk, variant.pk),
    }


def _language(recipient, campaign) -> str:
    asked = getattr(recipient.account.user, "language_code", "") if recipient.account.user_id else ""
    language = rendering.pick_language(asked or "", campaign.default_language)
    return language if language in recipient.variant.content else campaign.default_language


def _skip(recipient, reason: str) -> None:
    recipient.status, recipient.reason = RecipientStatus.SKIPPED, reason


def pending_batch(campaign_id: int, medium: str, now: datetime, limit: int):
    """`(config, batch)`: the next batch of one medium's campaign this worker may claim, under the campaign row's
    lock, or `batch` None when there is none now (`config` None too when the campaign no longer sends). The batch
    is `(campaign, rows, program, members)`: pending recipients (SKIP LOCKED), and which of them are still in the
    audience. The send rate's budget is shared by every worker through that lock."""
    campaign = (
        Campaign.objects.select_for_update()
        .filter(pk=campaign_id, status=CampaignStatus.SENDING, medium=medium)
        .first()
    )
    if campaign is None or not LoyaltyProgram.channel_gives_value(campaign.channel_slug):
        return None, None
    config = pipeline.channel_settings(campaign.channel_slug)
    if windows.window_until(now, medium, config) > now:
        return config, None  # SMS hours (for SMS), Shabbat or a holiday: the whole campaign waits
    recent = MessageLog.objects.filter(
        campaign_recipient__campaign=campaign, created_at__gt=now - timedelta(minutes=1)
    ).count()
    room = min(limit, campaign.send_rate_per_minute - recent)
    if room <= 0:
        return config, None
    rows = list(
        CampaignRecipient.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(campaign=campaign, status=RecipientStatus.PENDING)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .select_related("account__user", "variant")
        .order_by("id")[:room]
    )
    program = LoyaltyProgram.objects.get(channel_slug=campaign.channel_slug)
    return config, (
        campaign,
        rows,
        program,
        audiences.members_among(campaign, [row.account_id for row in rows]),
    )


def _claim(campaign_id: int, now: datetime, limit: int, report: SendReport):
    config, batch_found = pending_batch(campaign_id, Medium.EMAIL, now, limit)
    if batch_found is None:
        return config, []
    campaign, rows, program, members = batch_found
    subjects = {
        row.pk: consent.subject_hash(Medium.EMAIL, row.account.email) for row in rows if row.account.email
    }
    people = list(set(subjects.values()))
    _lock_people(people)
    states = consent.states_for_hashes(people, campaign.channel_slug, Medium.EMAIL)
    gaps = limits.email_gaps_until(people, now)
    ids = iter(_new_ids(len(rows)))
    needed = set().union(*(_needed(version) for row in rows for version in row.variant.content.values()))
    batch_data = merge_fields.read_batch(program, [row.account_id for row in rows], needed, now)
    logs, claims = [], []
    for row in rows:
        subject = subjects.get(row.pk)
        if row.account_id not in members:
            _skip(row, "left the audience")
        elif subject is None:
            _skip(row, "no email address")
        elif not states[subject].may_market:
            _skip(row, "unsubscribed" if states[subject].suppressed else "no recorded opt-in")
        elif (gap := gaps.get(subject)) is not None:
            row.not_before, row.reason = gap
            report.held += 1
            continue
        else:
            language = _language(row, campaign)
            log = MessageLog(
                pk=next(ids),
                category=CAMPAIGN,
                medium=Medium.EMAIL,
                channel_slug=campaign.channel_slug,
                is_marketing=True,
                recipient=row.account.email[:254],
                subject_hash=subject,
                claim_key=f"campaign:{campaign.pk}:{row.account_id}",
                status=MessageStatus.CLAIMED,
                language_code=language,
                attempts=1,
                lease_until=now + message_lease(),
                created_at=now,
            )
            log.context = _context(row, campaign, program, log.pk, language, now, batch_data)
            logs.append(log)
            row.status, row.message, row.reason = RecipientStatus.CLAIMED, log, ""
            claims.append(log)
            continue
        report.skipped += 1
    # the keys, the claims and the recipients' new states in one statement (none reads another's rows)
    writes = [_unsubscribe_keys(people, now), bulk.insert_statement(logs) if logs else None]
    if rows:
        writes.append(bulk.update_statement(rows, ["status", "reason", "not_before", "message"]))
    if writes := [write for write in writes if write is not None]:
        bulk.together(*writes)
    report.claimed += len(claims)
    return config, claims


def send_batch(campaign_id: int, now: datetime, limit: int = SEND_BATCH, smtp=None) -> SendReport:
    """Claim one batch (one transaction), then deliver it over one reused email connection."""
    report = SendReport()
    with transaction.atomic():
        config, claims = _claim(campaign_id, now, limit, report)
    if not claims:
        return report
    own = smtp is None
    smtp = smtp or get_connection(timeout=email_timeout())
    if own:
        smtp.open()  # opened here, so the backend keeps it open across the batch's messages
    try:
        outgoing = [
            (
                pipeline.Outgoing(
                    category=CAMPAIGN,
                    medium=Medium.EMAIL,
                    channel_slug=log.channel_slug,
                    address=log.recipient,
                    language_code=log.language_code,
                    context=log.context,
                ),
                log,
            )
            for log in claims
        ]
        done = batch.deliver_emails(outgoing, now, config, smtp)
    finally:
        if own:
            smtp.close()
    report.sent += sum(log.status in (MessageStatus.SENT, MessageStatus.LOGGED) for log in done)
    return report


def finish_if_done(campaign_id: int, now: datetime) -> bool:
    """A campaign is sent once enrolment ended and nobody is left pending (claims finish on their own)."""
    return bool(
        Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SENDING, enrolled_at__isnull=False)
        .exclude(recipients__status=RecipientStatus.PENDING)
        .update(status=CampaignStatus.SENT, finished_at=now)
    )


def run(now: datetime | None = None, limit: int = SEND_BATCH, max_batches: int = 10) -> SendReport:
    """The beat job: start due campaigns, enrol, send a bounded number of batches, close finished ones."""
    now = now or timezone.now()
    start_due(now)
    total = SendReport()
    sending = Campaign.objects.filter(status=CampaignStatus.SENDING, medium=Medium.EMAIL)  # SMS: campaign_sms
    for campaign_id in sending.values_list("pk", flat=True):
        enrol(campaign_id, now)
        for _ in range(max_batches):
            report = send_batch(campaign_id, now, limit)
            for name in ("claimed", "sent", "skipped", "held"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            if report.claimed + report.skipped == 0:
                break
        finish_if_done(campaign_id, now)
    return total
