"""Ledger and store-credit roll-ups: points and credit per channel, local day and kind, by an id cursor.

Both books are append-only, so a row never changes after it is seen and an id cursor is exact. Each
batch is one INSERT … SELECT … ON CONFLICT that adds the batch's sums, committed with the cursor, so
a crash resumes from the last committed batch and a second worker finds the cursor taken.

Ids are handed out at insert but rows become visible at commit, so a young id can still be followed
by an older one committing later. The job therefore stops before any row younger than `settle`
(default 5 minutes): a writer transaction open that long is the only way to miss a row.
"""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from saleor_loyalty.core.jobs import JobRun, claim_cursor
from saleor_loyalty.models import (
    CreditDayRollup,
    CreditEntry,
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    PointsDayRollup,
)

POINTS_JOB = "kpi-points-rollup"
CREDIT_JOB = "kpi-credit-rollup"
SETTLE = timedelta(minutes=5)

_ENTRY, _ACCOUNT, _PROGRAM = (
    LedgerEntry._meta.db_table,
    LoyaltyAccount._meta.db_table,
    LoyaltyProgram._meta.db_table,
)

# The next batch's last id: the batch ends before the first row too young to be sure of.
_BATCH_END_SQL = """
SELECT max(id) FROM (
    SELECT id FROM {table} WHERE id > %(after)s AND created_at < %(settled)s ORDER BY id LIMIT %(limit)s
) batch
WHERE id < coalesce(
    (SELECT min(id) FROM {table} WHERE id > %(after)s AND created_at >= %(settled)s), 9223372036854775807
)
"""

# A lot's own rows, and rows aimed at a lot (reversals, expiries), carry the lot's expiry month;
# other debits (redemptions, deductions) take from whatever the member holds and carry none.
_POINTS_SQL = f"""
INSERT INTO {PointsDayRollup._meta.db_table} (channel_slug, day, kind, expiry_month, positive, negative, rows)
SELECT p.channel_slug,
       (coalesce(e.occurred_at, e.created_at) AT TIME ZONE p.timezone)::date,
       e.kind,
       (date_trunc('month', coalesce(lot.expires_at, CASE WHEN e.points > 0 THEN e.expires_at END)
                            AT TIME ZONE p.timezone))::date,
       sum(greatest(e.points, 0)), sum(least(e.points, 0)), count(*)
FROM {_ENTRY} e
JOIN {_ACCOUNT} a ON a.id = e.account_id
JOIN {_PROGRAM} p ON p.id = a.program_id
LEFT JOIN {_ENTRY} lot ON lot.id = e.reverses_id
WHERE e.id > %(after)s AND e.id <= %(until)s
GROUP BY 1, 2, 3, 4
ON CONFLICT ON CONSTRAINT loyalty_kpi_points_day_uniq DO UPDATE SET
    positive = {PointsDayRollup._meta.db_table}.positive + EXCLUDED.positive,
    negative = {PointsDayRollup._meta.db_table}.negative + EXCLUDED.negative,
    rows = {PointsDayRollup._meta.db_table}.rows + EXCLUDED.rows
"""

_CREDIT_SQL = f"""
INSERT INTO {CreditDayRollup._meta.db_table} (channel_slug, day, kind, amount, card_amount, rows)
SELECT p.channel_slug, (c.created_at AT TIME ZONE p.timezone)::date, c.kind, sum(c.amount), sum(c.card_amount),
       count(*)
FROM {CreditEntry._meta.db_table} c
JOIN {_ACCOUNT} a ON a.id = c.account_id
JOIN {_PROGRAM} p ON p.id = a.program_id
WHERE c.id > %(after)s AND c.id <= %(until)s AND c.currency = p.currency
GROUP BY 1, 2, 3
ON CONFLICT ON CONSTRAINT loyalty_kpi_credit_day_uniq DO UPDATE SET
    amount = {CreditDayRollup._meta.db_table}.amount + EXCLUDED.amount,
    card_amount = {CreditDayRollup._meta.db_table}.card_amount + EXCLUDED.card_amount,
    rows = {CreditDayRollup._meta.db_table}.rows + EXCLUDED.rows
"""


def _roll(job: str, table: str, insert_sql: str, now, batch_size: int, max_batches: int) -> JobRun:
    run = JobRun()
    settled = now - SETTLE
    while run.batches < max_batches:
        with transaction.atomic():
            cursor = claim_cursor(job)
            if cursor is None:
                return run
            with connection.cursor() as db:
                params = {"after": cursor.last_id, "settled": settled, "limit": batch_size}
                db.execute(_BATCH_END_SQL.format(table=table), params)
                until = db.fetchone()[0]
                if until is None:
                    return run
                db.execute(insert_sql, {"after": cursor.last_id, "until": until})
                run.written += db.rowcount
            cursor.last_id = until
            cursor.save(update_fields=["last_id", "updated_at"])
        run.batches += 1
    return run


def roll_up_books(now: datetime | None = None, batch_size: int = 5000, max_batches: int = 200) -> JobRun:
    """Fold new ledger and credit rows into the day roll-ups (bounded per run; resumable)."""
    now = now or timezone.now()
    points = _roll(POINTS_JOB, _ENTRY, _POINTS_SQL, now, batch_size, max_batches)
    credit = _roll(CREDIT_JOB, CreditEntry._meta.db_table, _CREDIT_SQL, now, batch_size, max_batches)
    return JobRun(batches=points.batches + credit.batches, written=points.written + credit.written)
