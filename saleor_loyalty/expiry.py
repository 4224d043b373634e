"""Expiring earned lots and queueing reminders: periodic, resumable, batch-bounded, multi-worker safe.

Both jobs walk lots in (expires_at, id) order from a `JobCursor` saved in the same transaction as
their writes, so a crashed run resumes where its last batch committed. The cursor row is taken with
`SKIP LOCKED`: a second worker running the same job at the same time finds it taken and returns at
once instead of doing the work twice. The (kind, source_key) and one-reminder-per-lot unique
constraints back this up: a batch re-run after a crash writes nothing twice.
"""

from datetime import datetime, timedelta

from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from . import ledger
from .jobs import JobRun, claim_cursor
from .lots import replay
from .messages import club, pipeline
from .models import ExpiryReminder, JobCursor, LedgerEntry, LoyaltyAccount, LoyaltyProgram, Medium, MessagingSettings

EXPIRY_JOB = "expire-lots"
DEFAULT_BATCH = 2000

def _lots_after(queryset, cursor: JobCursor):
    """Lots after the cursor in (expires_at, id) order: a row comparison the expiry index can range-scan.

    (An OR of `expires_at > x` and `expires_at = x AND id > y` makes PostgreSQL re-read every lot
    sharing the cursor's instant at each batch: quadratic when many lots end at the same midnight.)
    """
    if cursor.moment is None:
        return queryset
    table = LedgerEntry._meta.db_table
    return queryset.extra(where=[f"({table}.expires_at, {table}.id) > (%s, %s)"], params=[cursor.moment, cursor.last_id])


def expire_due_lots(now: datetime | None = None, batch_size: int = DEFAULT_BATCH,
                    max_batches: int | None = None) -> JobRun:
    """Write an `expire` row for what is left of every lot whose end-of-day has passed.

    Each batch: claim the cursor, take the next due lots, let the ledger expire them (see
    `ledger.expire_lots`), advance the cursor, commit.
    """
    now = now or timezone.now()
    run = JobRun()
    while max_batches is None or run.batches < max_batches:
        with transaction.atomic():
            cursor = claim_cursor(EXPIRY_JOB)
            if cursor is None:
                break
            due = list(
                _lots_after(LedgerEntry.objects.filter(expires_at__isnull=False, expires_at__lte=now), cursor)
                .order_by("expires_at", "id").values_list("id", "account_id", "expires_at")[:batch_size]
            )
            if not due:
                break
            written, expired_points = ledger.expire_lots([(lot_id, account_id) for lot_id, account_id, _ in due])
            run.written += written
            run.points += expired_points
            cursor.moment, cursor.last_id = due[-1][2], due[-1][0]
            cursor.save(update_fields=["moment", "last_id", "updated_at"])
        run.batches += 1
        run.seen += len(due)
    return run


def queue_expiry_reminders(now: datetime | None = None, batch_size: int = DEFAULT_BATCH) -> JobRun:
    """Queue one reminder per lot that still holds points and expires within the program's notice."""
    now = now or timezone.now()
    run = JobRun()
    for program in LoyaltyProgram.objects.filter(is_active=True, expiry_reminder_days__gt=0):
        horizon = now + timedelta(days=program.expiry_reminder_days)
        while True:
            with transaction.atomic():
                cursor = claim_cursor(f"expiry-reminders:{program.pk}")
                if cursor is None:
                    break
                due = list(
                    _lots_after(LedgerEntry.objects.filter(
                        account__program=program, expires_at__gt=now, expires_at__lte=horizon), cursor)
                    .order_by("expires_at", "id").values_list("id", "account_id", "expires_at")[:batch_size]
                )
                if not due:
                    break
                replays = ledger.replay_accounts(sorted({account_id for _, account_id, _ in due}))
                reminders = [
                    ExpiryReminder(lot_id=lot_id, account_id=account_id, expires_at=expires_at,
                                   points=replays[account_id].lots[lot_id].remaining)
                    for lot_id, account_id, expires_at in due
                    if lot_id in replays[account_id].lots and replays[account_id].lots[lot_id].remaining > 0
                ]
                ExpiryReminder.objects.bulk_create(reminders, ignore_conflicts=True)
                cursor.moment, cursor.last_id = due[-1][2], due[-1][0]
                cursor.save(update_fields=["moment", "last_id", "updated_at"])
            run.batches += 1
            run.seen += len(due)
            run.written += len(reminders)
    return run


def send_expiry_reminders(now: datetime | None = None, limit: int = 200) -> int:
    """Hand queued reminders to club messaging, where consent, the §30A gate, caps, quiet hours and
    Shabbat apply (a held message is deferred there, not dropped). Each reminder is taken by one
    worker (SKIP LOCKED) and marked handed over in the same transaction. Channels that have not
    switched club messages on get none: the reminder is marked handled without a message."""
    now = now or timezone.now()
    handed = 0
    for _ in range(limit):
        with transaction.atomic():
            reminder = (
                ExpiryReminder.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("account__program").filter(sent_at__isnull=True, expires_at__gt=now)
                .order_by("expires_at", "id").first()
            )
            if reminder is None:
                break
            program, email = reminder.account.program, reminder.account.email
            if email and MessagingSettings.objects.filter(channel_slug=program.channel_slug,
                                                          club_messages_enabled=True).exists():
                expiring_on = reminder.expires_at.astimezone(ZoneInfo(program.timezone)).date().isoformat()
                club.send(pipeline.Outgoing(
                    category="points_expiring", medium=Medium.EMAIL, channel_slug=program.channel_slug,
                    address=email, context={"points": reminder.points, "expiring_on": expiring_on},
                ), now)
                handed += 1
            reminder.sent_at = now
            reminder.save(update_fields=["sent_at"])
    return handed


def next_expiring(account: LoyaltyAccount, now: datetime | None = None) -> tuple[int, datetime] | None:
    """(points, when) of the member's soonest-expiring points still held."""
    now = now or timezone.now()
    upcoming = ledger.replay_accounts([account.pk]).get(account.pk, replay([])).next_expiring(ledger.to_micros(now))
    return (upcoming[0], ledger.from_micros(upcoming[1])) if upcoming else None
