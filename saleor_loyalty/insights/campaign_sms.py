"""Sending an SMS campaign: the email campaign's enrolment, throttle and claim, with an SMS's own rules.

Enrolment, the variant draw, the per-minute budget and the audience re-check are `campaign_sending`'s.
What differs, at claim time for each member:
- the number: one on the member's own Saleor addresses whose latest SMS consent event in the channel is
  a double opt-in grant confirmed by this same user (`sms_opt_in`: a code sent to the number), and not
  suppressed. A number without consent, withdrawn, consented by somebody else, or only imported or ticked
  at checkout gets nothing (no verified consent for their own number);
- SMS hours, Shabbat and holidays hold the whole campaign; one marketing SMS per person per
  LOYALTY_MARKETING_SMS_GAP_HOURS holds the member (`not_before`);
- the text is finished then (merge fields, short click links, the opt-out part with the person's short
  unsubscribe link) and kept on the CLAIMED `MessageLog` row with the user it was verified for.
Delivery after commit re-reads consent for the batch (a withdrawal after the claim stops the text), passes
the §30A gate (`compliance.check_sms`) and hands each text to the SMS backend under the row's idempotency
key. A retryable failure or a dead worker leaves the row CLAIMED; `retry_due` takes it again after its
lease (outside quiet hours), same row, same key: at least once, and a provider that honours the key
sends it once.
"""

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from saleor_loyalty.core import bulk
from saleor_loyalty.insights import campaign_sending, campaign_sms_content, merge_fields, tracking
from saleor_loyalty.insights.campaign_sending import SendReport
from saleor_loyalty.messages import (
    compliance,
    consent,
    leases,
    limits,
    pipeline,
    rendering,
    sms,
    unsubscribe,
    windows,
)
from saleor_loyalty.messages.config import CAMPAIGN_SMS, message_lease
from saleor_loyalty.models import (
    Campaign,
    CampaignStatus,
    ConsentAction,
    ConsentEvent,
    ConsentSource,
    Medium,
    MessageLog,
    MessageStatus,
    RecipientStatus,
    Suppression,
)

SEND_BATCH = 100

_VERIFIED_SQL = f"""
SELECT x.s, e.action, e.source, e.user_id, e.occurred_at,
       (SELECT s.suppressed_at FROM {Suppression._meta.db_table} s WHERE s.subject_hash = x.s AND s.medium = 'sms')
FROM unnest(%(subjects)s::text[]) x(s)
LEFT JOIN LATERAL (
    SELECT action, source, user_id, occurred_at FROM {ConsentEvent._meta.db_table}
    WHERE subject_hash = x.s AND channel_slug = %(channel)s AND medium = 'sms'
    ORDER BY id DESC LIMIT 1
) e ON true
"""


def verified_owners(subjects, channel_slug: str) -> dict[str, int]:
    """Number hash -> the user whose double opt-in is its current consent, for the numbers that have one."""
    subjects = sorted(set(subjects))
    if not subjects:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_VERIFIED_SQL, {"subjects": subjects, "channel": channel_slug})
        rows = cursor.fetchall()
    return {
        subject: user_id
        for subject, action, source, user_id, occurred_at, suppressed_at in rows
        if action == ConsentAction.GRANT
        and source == ConsentSource.DOUBLE_OPT_IN
        and user_id is not None
        and (suppressed_at is None or suppressed_at < occurred_at)
    }


def _numbers(rows, shop, channel_slug: str) -> dict[int, tuple[str, str]]:
    """Recipient pk -> (number, its hash): the member's own number with their verified consent."""
    users = {row.account.user_id for row in rows if row.account.user_id is not None}
    phones = shop.customers_phones(sorted(users)) if users else {}
    candidates = {
        user: sorted({consent.normalize_address(Medium.SMS, p) for p in found} - {""})
        for user, found in phones.items()
    }
    hashes = {n: consent.subject_hash(Medium.SMS, n) for numbers in candidates.values() for n in numbers}
    owners = verified_owners(hashes.values(), channel_slug)
    chosen = {}
    for row in rows:
        for number in candidates.get(row.account.user_id, ()):
            if owners.get(hashes[number]) == row.account.user_id:
                chosen[row.pk] = (number, hashes[number])
                break
    return chosen


def _body(row, campaign, message_id: int, language: str, program, now, batch_data) -> str:
    variant = row.variant
    body = variant.content[language]["body"]
    counter = iter(range(campaign_sms_content.MAX_LINKS + 1))
    tracked = merge_fields.LINK.sub(
        lambda match: tracking.sms_click_url(message_id, campaign.pk, variant.pk, language, next(counter))
        + match.group(0)[len(match.group(0).rstrip(".,;:!?)")) :],
        body,
    )
    found = merge_fields.values(
        row.account,
        program,
        merge_fields.used_fields(body),
        language,
        now,
        incentive_points=variant.incentive_points,
        batch=batch_data,
    )
    return merge_fields.merge(tracked, found)


def _claim(campaign_id: int, now: datetime, limit: int, shop, report: SendReport):
    config, batch_found = campaign_sending.pending_batch(campaign_id, Medium.SMS, now, limit)
    if batch_found is None:
        return config, []
    campaign, rows, program, members = batch_found
    numbers = _numbers(rows, shop, campaign.channel_slug)
    people = sorted({subject for _, subject in numbers.values()})
    campaign_sending._lock_people(people)
    owners = verified_owners(people, campaign.channel_slug)  # again, under the people's locks
    gaps = limits.sms_gaps_until(people, now)
    urls, _ = unsubscribe.links(Medium.SMS, people, short=True)
    ids = iter(campaign_sending._new_ids(len(rows)))
    needed = set().union(
        *(merge_fields.used_fields(v["body"]) for r in rows for v in r.variant.content.values())
    )
    batch_data = merge_fields.read_batch(program, [row.account_id for row in rows], needed, now)
    logs = []
    for row in rows:
        number, subject = numbers.get(row.pk, ("", ""))
        if row.account_id not in members:
            campaign_sending._skip(row, "left the audience")
        elif not subject or owners.get(subject) != row.account.user_id:
            campaign_sending._skip(row, "no verified SMS consent for their own number")
        elif (gap := gaps.get(subject)) is not None:
            row.not_before, row.reason = gap
            report.held += 1
            continue
        else:
            language = campaign_sending._language(row, campaign)
            log = MessageLog(
                pk=next(ids),
                category=CAMPAIGN_SMS,
                medium=Medium.SMS,
                channel_slug=campaign.channel_slug,
                is_marketing=True,
                recipient=number,
                subject_hash=subject,
                claim_key=f"campaign:{campaign.pk}:{row.account_id}",
                status=MessageStatus.CLAIMED,
                language_code=language,
                attempts=1,
                lease_until=now + message_lease(),
                created_at=now,
            )
            body = _body(row, campaign, log.pk, language, program, now, batch_data)
            text = campaign_sms_content.finish(
                body, language, config.country, config.sender_name, urls[subject]
            )
            log.context = {"text": text, "user_id": row.account.user_id, "unsubscribe_url": urls[subject]}
            logs.append(log)
            row.status, row.message, row.reason = RecipientStatus.CLAIMED, log, ""
            continue
        report.skipped += 1
    MessageLog.objects.bulk_create(logs)
    bulk.update_rows(rows, ["status", "reason", "not_before", "message"])
    report.claimed += len(logs)
    return config, logs


def deliver(logs: list[MessageLog], now: datetime, config) -> list[MessageLog]:
    """Send claimed texts of one channel: consent read again for all, the gate, then the backend."""
    owners = verified_owners([log.subject_hash for log in logs], config.channel_slug)
    backend = sms.backend()
    for log in logs:
        text = log.context.get("text", "")
        if owners.get(log.subject_hash) != log.context.get("user_id"):
            pipeline.finish(log, MessageStatus.BLOCKED, "no verified SMS consent (withdrawn or unsubscribed)")
            continue
        problems = compliance.check_sms(
            text,
            marketing=True,
            consent_ok=True,
            country=config.country,
            language=log.language_code,
            sender_name=config.sender_name,
            unsubscribe_url=log.context.get("unsubscribe_url", ""),
        )
        sha = rendering.Rendered(subject="", text=text, html="").sha256
        if problems:
            pipeline.finish(log, MessageStatus.BLOCKED, "; ".join(problems), text[:100], sha)
            continue
        try:
            provider_id = backend.send(log.recipient, text, leases.idempotency_key(log))
        except Exception as error:  # the row records it; a refusal is final, anything else is retried
            reason = f"{type(error).__name__}: {error}"[:500]
            if isinstance(error, sms.SmsRejected):
                pipeline.finish(log, MessageStatus.FAILED, reason, text[:100], sha)
            else:
                log.subject, log.content_sha256 = text[:100], sha
                leases.retry_later(log, reason, now)
            continue
        status = MessageStatus.SENT if backend.delivers else MessageStatus.LOGGED
        reason = "" if backend.delivers else "no provider configured: written to the log only"
        pipeline.finish(log, status, reason, text[:100], sha, sent_at=now, provider_message_id=provider_id)
    return logs


def send_batch(campaign_id: int, now: datetime, shop, limit: int = SEND_BATCH) -> SendReport:
    """Claim one batch (one transaction), then hand each text to the SMS backend."""
    report = SendReport()
    with transaction.atomic():
        config, claims = _claim(campaign_id, now, limit, shop, report)
    if claims:
        done = deliver(claims, now, config)
        report.sent += sum(log.status in (MessageStatus.SENT, MessageStatus.LOGGED) for log in done)
    return report


def _hold(log: MessageLog, now: datetime):
    config = pipeline.channel_settings(log.channel_slug)
    until = windows.window_until(now, Medium.SMS, config)
    return (until, "SMS hours, Shabbat or holiday") if until > now else None


def retry_due(now: datetime, limit: int = 200) -> int:
    """Texts whose claim was never confirmed (a worker died, the provider failed), sent again on their row."""
    sent = 0
    stale = MessageLog.objects.filter(category=CAMPAIGN_SMS)
    for log in leases.take_stale(stale, now, limit, lambda log: _hold(log, now)):
        done = deliver([log], now, pipeline.channel_settings(log.channel_slug))
        sent += done[0].status == MessageStatus.SENT
    return sent


def run(shop, now: datetime | None = None, limit: int = SEND_BATCH, max_batches: int = 10) -> SendReport:
    """The beat job for SMS campaigns (beside `campaign_sending.run`): start, enrol, send, close, retry."""
    now = now or timezone.now()
    campaign_sending.start_due(now)
    total = SendReport()
    sms_campaigns = Campaign.objects.filter(status=CampaignStatus.SENDING, medium=Medium.SMS)
    for campaign_id in sms_campaigns.values_list("pk", flat=True):
        campaign_sending.enrol(campaign_id, now)
        for _ in range(max_batches):
            report = send_batch(campaign_id, now, shop, limit)
            for name in ("claimed", "sent", "skipped", "held"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            if report.claimed + report.skipped == 0:
                break
        campaign_sending.finish_if_done(campaign_id, now)
    retry_due(now)
    return total
