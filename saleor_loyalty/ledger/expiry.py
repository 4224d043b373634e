"""Expiring earned lots and queueing reminders: periodic, resumable, batch-bounded, multi-worker safe.

Both jobs walk lots in (expires_at, id) order from a `JobCursor` saved in the same transaction as
their writes, so a crashed run resumes where its last batch committed. The cursor row is taken with
`SKIP LOCKED`: a second worker running the same job at the same time finds it taken and returns at
once instead of doing the work twice. The (kind, source_key) and one-reminder-per-lot unique
constraints back this up: a batch re-run after a crash writes nothing twice.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.core.jobs import JobRun, claim_cursor
from saleor_loyalty.ledger.lots import replay
from saleor_loyalty.messages import club, pipeline
from saleor_loyalty.models import (
    EntryKind,
    ExpiryReminder,
    JobCursor,
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    Medium,
    MessagingSettings,
)

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
    return queryset.extra(
        where=[f"({table}.expires_at, {table}.id) > (%s, %s)"], params=[cursor.moment, cursor.last_id]
    )


_ENTRY = LedgerEntry._meta.db_table
# Whether an earlier batch expired the lot: one probe of the (kind, source_key) index per lot. As a
# LATERAL it stays a probe; as EXISTS the planner may hash every expire row at each batch instead.
_EXPIRED_JOIN = f"""LEFT JOIN LATERAL (
    SELECT true AS found FROM {_ENTRY} done
    WHERE done.kind = '{EntryKind.EXPIRE.value}' AND done.source_key = {ledger.expire_source_key_sql("lot.id")} LIMIT 1
) AS expired ON true"""
# The next due lots after the cursor, each flagged when an earlier batch already expired it.
_DUE_WINDOW_SQL = f"""
SELECT lot.id, lot.account_id, {ledger.micros_sql("lot.expires_at")}, expired.found IS NOT NULL
FROM (SELECT id, account_id, expires_at FROM {_ENTRY}
      WHERE expires_at IS NOT NULL AND expires_at <= %(now)s AND (expires_at, id) > (%(moment)s, %(last_id)s)
      ORDER BY expires_at, id LIMIT %(limit)s) AS lot
{_EXPIRED_JOIN}
ORDER BY lot.expires_at, lot.id
"""
# Every due lot after the cursor of these accounts, account by account in the order given, at most
# `limit`. The ordered subquery lets PostgreSQL stop reading accounts once the limit is reached.
# Each account's rows are read through the account index (the OFFSET 0 fence): offered the due
# range too, the planner may walk the expiry index from the cursor for every account instead.
_MEMBERS_DUE_SQL = f"""
SELECT member.account_id, lot.id
FROM (SELECT account_id, position FROM unnest(%(accounts)s::bigint[]) WITH ORDINALITY AS m(account_id, position)
      ORDER BY position) AS member
CROSS JOIN LATERAL (
    SELECT id, expires_at FROM (SELECT id, expires_at FROM {_ENTRY} WHERE account_id = member.account_id OFFSET 0) AS mine
    WHERE expires_at <= %(now)s AND (expires_at, id) > (%(moment)s, %(last_id)s)
) AS lot
ORDER BY member.position, lot.expires_at, lot.id LIMIT %(limit)s
"""
_START = datetime(1, 1, 1, tzinfo=UTC)  # the cursor of a job that never ran: before any lot


def expire_due_lots(
    now: datetime | None = None, batch_size: int = DEFAULT_BATCH, max_batches: int | None = None
) -> JobRun:
    """Write an `expire` row for what is left of every lot whose end-of-day has passed.

    Each batch: claim the cursor, take the next due lots (at most `batch_size`), let the ledger
    expire them (see `ledger.expire_lots`), advance the cursor, commit. A batch takes a member's
    due lots together, even those further along the cursor, so each account is locked, replayed
    and its balance moved once instead of once per lot; the cursor then passes those lots as done.
    Which members come next is read from a window of due lots after the cursor; the part of it the
    batch could not take is read again by the next one, so the window reads twice as far as the
    last batch went (at most `batch_size` lots).
    """
    now = now or timezone.now()
    run = JobRun()
    window_size = batch_size
    while max_batches is None or run.batches < max_batches:
        with transaction.atomic():
            cursor = claim_cursor(EXPIRY_JOB)
            if cursor is None:
                break
            after = {
                "now": now,
                "moment": cursor.moment or _START,
                "last_id": cursor.last_id,
                "limit": batch_size,
            }
            with connection.cursor() as db:
                db.execute(_DUE_WINDOW_SQL, {**after, "limit": window_size})
                window = db.fetchall()
                if not window:
                    break
                members = list(
                    dict.fromkeys(account_id for _, account_id, _, expired in window if not expired)
                )
                lots = []
                if members:
                    db.execute(_MEMBERS_DUE_SQL, {**after, "accounts": ledger.int_array(members)})
                    lots = db.fetchall()
            written, expired_points = ledger.expire_lots(
                [(lot_id, account_id) for account_id, lot_id in lots]
            )
            passed = _passed(window, {lot_id for _, lot_id in lots})
            run.written += written
            run.points += expired_points
            cursor.moment, cursor.last_id = ledger.from_micros(window[passed - 1][2]), window[passed - 1][0]
            cursor.save(update_fields=["moment", "last_id", "updated_at"])
        run.batches += 1
        run.seen += passed
        window_size = min(batch_size, 2 * passed)
    return run


def _passed(window, taken: set[int]) -> int:
    """How many lots of the window the cursor can pass: those before the first one still to expire.

    The first lot not yet expired opens the first member's lots, and the lots of that member before
    it are expired ones earlier in the window, so a batch always moves on; were that ever broken,
    the cursor would skip lots unexpired, hence the error rather than a silent pass.
    """
    for index, (lot_id, _, _, expired) in enumerate(window):
        if not expired and lot_id not in taken:
            if index == 0:
                raise RuntimeError(f"Expiry batch did not take lot {lot_id}, the first of its window")
            return index
    return len(window)


def queue_expiry_reminders(now: datetime | None = None, batch_size: int = DEFAULT_BATCH) -> JobRun:
    """Queue one reminder per lot that still holds points and expires within the program's notice."""
    now = now or timezone.now()
    run = JobRun()
    for program in LoyaltyProgram.objects.filter(expiry_reminder_days__gt=0):
        if not program.gives_value():
            continue  # switched off: no club news (lots still expire, see docs/program-guide.md)
        horizon = now + timedelta(days=program.expiry_reminder_days)
        while True:
            with transaction.atomic():
                cursor = claim_cursor(f"expiry-reminders:{program.pk}")
                if cursor is None:
                    break
                due = list(
                    _lots_after(
                        LedgerEntry.objects.filter(
                            account__program=program, expires_at__gt=now, expires_at__lte=horizon
                        ),
                        cursor,
                    )
                    .order_by("expires_at", "id")
                    .values_list("id", "account_id", "expires_at")[:batch_size]
                )
                if not due:
                    break
                replays = ledger.replay_accounts(sorted({account_id for _, account_id, _ in due}))
                reminders = [
                    ExpiryReminder(
                        lot_id=lot_id,
                        account_id=account_id,
                        expires_at=expires_at,
                        points=replays[account_id].lots[lot_id].remaining,
                    )
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
    worker (SKIP LOCKED); its message is claimed and the reminder marked handed over in the same
    transaction, and delivered after commit: a worker dying in between leaves a claim that the
    messaging beat retries once its lease runs out, never a second message. Channels that have not
    switched club messages on get none: the reminder is marked handled without a message."""
    now = now or timezone.now()
    handed = 0
    paused = LoyaltyProgram.paused_channels()  # their reminders wait queued for the switch
    for _ in range(limit):
        claimed = None
        with transaction.atomic():
            reminder = (
                ExpiryReminder.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("account__program")
                .filter(sent_at__isnull=True, expires_at__gt=now)
                .exclude(account__program__channel_slug__in=paused)
                .order_by("expires_at", "id")
                .first()
            )
            if reminder is None:
                break
            program, email = reminder.account.program, reminder.account.email
            if (
                email
                and MessagingSettings.objects.filter(
                    channel_slug=program.channel_slug, club_messages_enabled=True
                ).exists()
            ):
                expiring_on = reminder.expires_at.astimezone(ZoneInfo(program.timezone)).date().isoformat()
                message = pipeline.Outgoing(
                    category="points_expiring",
                    medium=Medium.EMAIL,
                    channel_slug=program.channel_slug,
                    address=email,
                    context={"points": reminder.points, "expiring_on": expiring_on},
                )
                claimed = (message, club.claim(message, now))
                handed += 1
            reminder.sent_at = now
            reminder.save(update_fields=["sent_at"])
        if claimed is not None:
            club.deliver(*claimed, now)
    return handed


def next_expiring(account: LoyaltyAccount, now: datetime | None = None) -> tuple[int, datetime] | None:
    """(points, when) of the member's soonest-expiring points still held."""
    return next_expiring_of([account.pk], now)[account.pk]


def next_expiring_of(account_ids, now: datetime | None = None) -> dict[int, tuple[int, datetime] | None]:
    """`next_expiring` of each account, from one replay of all their rows."""
    at = ledger.to_micros(now or timezone.now())
    replays = ledger.replay_accounts(account_ids)
    found = {}
    for account_id in account_ids:
        upcoming = replays.get(account_id, replay([])).next_expiring(at)
        found[account_id] = (upcoming[0], ledger.from_micros(upcoming[1])) if upcoming else None
    return found
