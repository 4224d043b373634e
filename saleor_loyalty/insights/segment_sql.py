"""The two set-based statements of a segment batch: a member's stats from the ledger, then scores and segments.

Both work on one range of account ids (after the run's cursor, up to the `limit`-th account of the
program: `BATCH_END_SQL`; or one member), given to the planner as literal bounds so every table is read
through its account index, never scanned whole, and the database does the per-member work: the nightly run
at a million members is a few hundred statements, not millions of rows through Python. JIT is off for them
(its compilation cost more than these statements' own work).

Stats: an order is a member's `earn` row (their own or a merged guest account's), worth its accrual base
net of what refunds took back (the tier rule's refunded share, `tiers.ladder`); orders worth nothing
(cancelled, fully refunded) do not count. The usual interval is the median gap between counted orders;
the basket trend the average of the last three over the three before (4+ orders).

Segments: scores against the run's borders (1 + the borders a value reaches); one lifecycle segment (new:
first order within `new_days`; one-time; loyal: `loyal_min_orders` or 2+ orders with monetary score 5;
else repeat) and, when idle longer than `at_risk_factor` / `lapsed_factor` times the usual interval
(never under `min_interval_days`; the program default with one order), at risk or lapsed. Memberships
are inserted and deleted against what is wanted, each change written as a `SegmentEvent`, in one statement
under the batch's stats row locks, taken first by `LOCK_SQL` so that statement's snapshot already holds what
an order hook committed while it waited (it inserts what is missing without `ON CONFLICT`).
"""

from saleor_loyalty.models import (
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    MemberOrderStats,
    NamedSegment,
    SegmentEvent,
    SegmentMembership,
)
from saleor_loyalty.tiers import ladder

_ACCOUNTS, _ENTRIES = LoyaltyAccount._meta.db_table, LedgerEntry._meta.db_table
_STATS = MemberOrderStats._meta.db_table
_EARN, _REVERSAL = EntryKind.EARN.value, EntryKind.EARN_REVERSAL.value

BATCH_END_SQL = f"""
SELECT max(id) FROM (
    SELECT id FROM {_ACCOUNTS} WHERE program_id = %(program)s AND id > %(after)s ORDER BY id LIMIT %(limit)s
) batch
"""

STATS_SQL = f"""
WITH members AS (
    SELECT id, email FROM {_ACCOUNTS}
    WHERE program_id = %(program)s AND merged_into_id IS NULL AND id > %(after)s AND id <= %(until)s
), entries AS (  -- the members' own rows by the account range, then the merged guests' through their index
    SELECT e.account_id AS member, e.id, e.kind, e.reverses_id, COALESCE(e.occurred_at, e.created_at) AS at,
           e.money_amount, e.points, e.forgiven_points, CASE WHEN e.kind = '{_REVERSAL}' THEN e.detail END AS detail
    FROM {_ENTRIES} e JOIN members m ON m.id = e.account_id
    WHERE e.account_id > %(after)s AND e.account_id <= %(until)s AND e.kind IN ('{_EARN}', '{_REVERSAL}')
    UNION ALL
    SELECT g.merged_into_id, e.id, e.kind, e.reverses_id, COALESCE(e.occurred_at, e.created_at),
           e.money_amount, e.points, e.forgiven_points, CASE WHEN e.kind = '{_REVERSAL}' THEN e.detail END
    FROM {_ACCOUNTS} g CROSS JOIN LATERAL (
        SELECT * FROM {_ENTRIES} e WHERE e.account_id = g.id AND e.kind IN ('{_EARN}', '{_REVERSAL}')
    ) e
    WHERE g.merged_into_id > %(after)s AND g.merged_into_id <= %(until)s
), reversed AS (  -- a reversal is written where its earn is held: on the guest, or on the member it merged into
    SELECT x.reverses_id, {ladder._REVERSED} FROM entries x WHERE x.kind = '{_REVERSAL}' GROUP BY x.reverses_id
), refunded AS (  -- only refunded orders read their earn row's snapshot
    SELECT r.reverses_id, {ladder._SHARE} AS share FROM reversed r JOIN {_ENTRIES} e ON e.id = r.reverses_id
), orders AS (
    SELECT e.member, e.at, e.money_amount * (1 - COALESCE(r.share, 0)) AS value
    FROM entries e LEFT JOIN refunded r ON r.reverses_id = e.id
    WHERE e.kind = '{_EARN}'
), kept AS (  -- one sort: the n-th of a member's `count` orders in time order
    SELECT member, at, value, row_number() OVER w AS nth, count(*) OVER (PARTITION BY member) AS count,
           extract(epoch FROM at - lag(at) OVER w) / 86400 AS gap
    FROM orders WHERE value > 0 WINDOW w AS (PARTITION BY member ORDER BY at)
), totals AS (
    SELECT member, count(*) AS n, min(at) AS first_at, max(at) AS last_at, sum(value) AS spent,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) FILTER (WHERE gap IS NOT NULL) AS interval,
           avg(value) FILTER (WHERE nth > count - 3) AS recent_avg,
           avg(value) FILTER (WHERE nth BETWEEN count - 5 AND count - 3) AS before_avg
    FROM kept GROUP BY member
), computed AS (
    SELECT m.id AS account_id,
           CASE WHEN btrim(m.email) = '' THEN ''
                ELSE encode(sha256(convert_to('email:' || lower(btrim(m.email)), 'UTF8')), 'hex') END AS email_hash,
           COALESCE(t.n, 0) AS orders, t.first_at, t.last_at, round(COALESCE(t.spent, 0), 4) AS monetary,
           round(t.interval::numeric, 2) AS interval_days,
           CASE WHEN t.n >= 4 THEN round(t.recent_avg / NULLIF(t.before_avg, 0), 4) END AS basket_trend
    FROM members m LEFT JOIN totals t ON t.member = m.id
), changed AS (  -- an UPDATE of the changed rows only: an upsert would lock (write) every row it compares
    UPDATE {_STATS} s SET email_hash = c.email_hash, orders = c.orders, first_order_at = c.first_at,
        last_order_at = c.last_at, monetary = c.monetary, interval_days = c.interval_days,
        basket_trend = c.basket_trend, computed_at = %(now)s
    FROM computed c
    WHERE s.account_id = c.account_id AND s.account_id > %(after)s AND s.account_id <= %(until)s
      AND (s.email_hash, s.orders, s.last_order_at, s.first_order_at, s.monetary, s.interval_days, s.basket_trend)
          IS DISTINCT FROM (c.email_hash, c.orders, c.last_at, c.first_at, c.monetary, c.interval_days, c.basket_trend)
), added AS (
    INSERT INTO {_STATS} (account_id, program_id, email_hash, orders, first_order_at, last_order_at, monetary,
                          interval_days, basket_trend, computed_at)
    SELECT c.account_id, %(program)s, c.email_hash, c.orders, c.first_at, c.last_at, c.monetary, c.interval_days,
           c.basket_trend, %(now)s
    FROM computed c WHERE NOT EXISTS (
        SELECT 1 FROM {_STATS} s
        WHERE s.account_id = c.account_id AND s.account_id > %(after)s AND s.account_id <= %(until)s
    )
    ORDER BY c.account_id
    ON CONFLICT (account_id) DO NOTHING  -- the order hook wrote it meanwhile, from fresher facts
)
SELECT count(*) FROM members
"""


LOCK_SQL = f"""
SELECT count(*) FROM (
    SELECT 1 FROM {_STATS} s
    WHERE s.program_id = %(program)s AND s.account_id > %(after)s AND s.account_id <= %(until)s
    ORDER BY s.account_id FOR UPDATE
) locked
"""


def _score(column: str, borders: str) -> str:
    reached = " + ".join(f"COALESCE({column} >= ({borders})[{k}], false)::int" for k in range(1, 5))
    return f"CASE WHEN b.orders > 0 AND {borders} IS NOT NULL THEN 1 + {reached} END"


SEGMENTS_SQL = f"""
WITH batch AS (  -- a guest account merged since has no segments of its own (its orders are the member's)
    SELECT s.account_id, CASE WHEN a.merged_into_id IS NULL THEN s.orders ELSE 0 END AS orders,
           s.first_order_at, s.last_order_at, s.monetary, s.interval_days
    FROM {_STATS} s JOIN {_ACCOUNTS} a ON a.id = s.account_id
    WHERE s.program_id = %(program)s AND s.account_id > %(after)s AND s.account_id <= %(until)s
), scored AS (
    SELECT b.*, {_score("b.last_order_at", "%(r)s::timestamptz[]")} AS r,
           {_score("b.orders", "%(f)s::int[]")} AS f, {_score("b.monetary", "%(m)s::numeric[]")} AS m,
           extract(epoch FROM %(now)s::timestamptz - b.last_order_at) / 86400 AS idle,
           GREATEST(CASE WHEN b.orders >= 2 AND b.interval_days IS NOT NULL THEN b.interval_days
                         ELSE %(default_interval)s END, %(min_interval)s) AS usual
    FROM batch b
), scores AS (
    UPDATE {_STATS} s SET r_score = x.r, f_score = x.f, m_score = x.m
    FROM scored x
    WHERE s.account_id = x.account_id AND s.account_id > %(after)s AND s.account_id <= %(until)s
      AND (s.r_score, s.f_score, s.m_score) IS DISTINCT FROM (x.r, x.f, x.m)
), wanted AS (  -- one row per member of the batch: so leaving is a join on the account, never an anti-join
    SELECT account_id,
           CASE WHEN orders = 0 THEN NULL
                WHEN %(now)s::timestamptz - first_order_at <= %(new_days)s * interval '1 day' THEN '{NamedSegment.NEW}'
                WHEN orders = 1 THEN '{NamedSegment.ONE_TIME}'
                WHEN orders >= %(loyal_min)s OR m = 5 THEN '{NamedSegment.LOYAL}'
                ELSE '{NamedSegment.REPEAT}' END AS lifecycle,
           CASE WHEN orders = 0 THEN NULL
                WHEN idle > %(lapsed)s * usual THEN '{NamedSegment.LAPSED}'
                WHEN idle > %(at_risk)s * usual THEN '{NamedSegment.AT_RISK}' END AS activity
    FROM scored
), held AS MATERIALIZED (  -- the batch's memberships now, read once by the range (they are written only
    SELECT sm.account_id, sm.segment        -- under the stats row locks taken first): no probe per member
    FROM {SegmentMembership._meta.db_table} sm WHERE sm.account_id > %(after)s AND sm.account_id <= %(until)s
), gone AS (
    DELETE FROM {SegmentMembership._meta.db_table} sm USING held h JOIN wanted w ON w.account_id = h.account_id
    WHERE sm.account_id = h.account_id AND sm.segment = h.segment
      AND sm.account_id > %(after)s AND sm.account_id <= %(until)s
      AND h.segment IS DISTINCT FROM w.lifecycle AND h.segment IS DISTINCT FROM w.activity
    RETURNING sm.account_id, sm.segment
), added AS (  -- a plain insert of what is not held (no speculative insertion per row)
    INSERT INTO {SegmentMembership._meta.db_table} (account_id, program_id, segment, since)
    SELECT w.account_id, %(program)s, v.segment, %(now)s
    FROM wanted w CROSS JOIN LATERAL (VALUES (w.lifecycle), (w.activity)) AS v(segment)
    WHERE v.segment IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM held h WHERE h.account_id = w.account_id AND h.segment = v.segment)
    ORDER BY w.account_id, v.segment
    RETURNING account_id, segment
), events AS (
    INSERT INTO {SegmentEvent._meta.db_table} (account_id, program_id, segment, entered, occurred_at)
    SELECT account_id, %(program)s, segment, entered, %(now)s FROM (
        SELECT account_id, segment, true AS entered FROM added
        UNION ALL SELECT account_id, segment, false FROM gone
    ) changes ORDER BY account_id, NOT entered, segment
    RETURNING id, account_id, segment, entered
)
SELECT id, account_id, segment, entered FROM events WHERE segment = ANY(%(watched)s::text[])
"""
