"""The two set-based statements of a segment batch: a member's stats from the ledger, then scores and segments.

Both work on a batch of members chosen inside the statement (after a cursor, or one member), so the
database does the per-member work and Python only moves the cursor: the nightly run at a million members
is a few hundred statements, not millions of rows through Python.

Stats: an order is a member's `earn` row (their own or a merged guest account's), worth its accrual base
net of what refunds took back (the tier rule's refunded share, `tiers.ladder`); orders worth nothing
(cancelled, fully refunded) do not count. The usual interval is the median gap between counted orders;
the basket trend the average of the last three over the three before (4+ orders).

Segments: scores against the run's borders (1 + the borders a value reaches); one lifecycle segment (new:
first order within `new_days`; one-time; loyal: `loyal_min_orders` or 2+ orders with monetary score 5;
else repeat) and, when idle longer than `at_risk_factor` / `lapsed_factor` times the usual interval
(never under `min_interval_days`; the program default with one order), at risk or lapsed. Memberships
are inserted and deleted against what is wanted, each change written as a `SegmentEvent`, in one statement
under the batch's stats row locks.
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
_EARN = EntryKind.EARN.value

STATS_SQL = f"""
WITH members AS (
    SELECT id, email FROM {_ACCOUNTS}
    WHERE program_id = %(program)s AND merged_into_id IS NULL AND id > %(after)s
      AND (%(only)s::bigint IS NULL OR id = %(only)s::bigint)
    ORDER BY id LIMIT %(limit)s
), holders AS (  -- the member account itself and the guest accounts merged into it
    SELECT id AS member, id AS account FROM members
    UNION ALL
    SELECT g.merged_into_id, g.id FROM {_ACCOUNTS} g WHERE g.merged_into_id IN (SELECT id FROM members)
), orders AS (  -- through the account index, account by account: never a scan of the whole ledger
    SELECT h.member, e.at, e.value
    FROM holders h
    CROSS JOIN LATERAL (
        SELECT COALESCE(e.occurred_at, e.created_at) AS at, e.money_amount * (1 - COALESCE(r.share, 0)) AS value
        FROM {_ENTRIES} e
        LEFT JOIN LATERAL (
            SELECT {ladder._SHARE} AS share
            FROM (SELECT {ladder._REVERSED} FROM {_ENTRIES} x WHERE x.reverses_id = e.id) r
        ) r ON true
        WHERE e.account_id = h.account AND e.kind = '{_EARN}'
    ) e
), kept AS (
    SELECT member, at, value,
           row_number() OVER (PARTITION BY member ORDER BY at DESC) AS recent,
           extract(epoch FROM at - lag(at) OVER (PARTITION BY member ORDER BY at)) / 86400 AS gap
    FROM orders WHERE value > 0
), totals AS (
    SELECT member, count(*) AS n, min(at) AS first_at, max(at) AS last_at, sum(value) AS spent,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) FILTER (WHERE gap IS NOT NULL) AS interval,
           avg(value) FILTER (WHERE recent <= 3) AS recent_avg,
           avg(value) FILTER (WHERE recent BETWEEN 4 AND 6) AS before_avg
    FROM kept GROUP BY member
), written AS (
INSERT INTO {_STATS} AS s
    (account_id, program_id, email_hash, orders, first_order_at, last_order_at, monetary, interval_days,
     basket_trend, computed_at)
SELECT m.id, %(program)s,
       CASE WHEN btrim(m.email) = '' THEN ''
            ELSE encode(sha256(convert_to('email:' || lower(btrim(m.email)), 'UTF8')), 'hex') END,
       COALESCE(t.n, 0), t.first_at, t.last_at, round(COALESCE(t.spent, 0), 4), round(t.interval::numeric, 2),
       CASE WHEN t.n >= 4 THEN round(t.recent_avg / NULLIF(t.before_avg, 0), 4) END, %(now)s
FROM members m LEFT JOIN totals t ON t.member = m.id
ORDER BY m.id
ON CONFLICT (account_id) DO UPDATE SET
    email_hash = EXCLUDED.email_hash, orders = EXCLUDED.orders, first_order_at = EXCLUDED.first_order_at,
    last_order_at = EXCLUDED.last_order_at, monetary = EXCLUDED.monetary,
    interval_days = EXCLUDED.interval_days, basket_trend = EXCLUDED.basket_trend,
    computed_at = EXCLUDED.computed_at
WHERE (s.email_hash, s.orders, s.last_order_at, s.first_order_at, s.monetary, s.interval_days, s.basket_trend)
      IS DISTINCT FROM (EXCLUDED.email_hash, EXCLUDED.orders, EXCLUDED.last_order_at, EXCLUDED.first_order_at,
                        EXCLUDED.monetary, EXCLUDED.interval_days, EXCLUDED.basket_trend)
)
SELECT max(id) FROM members
"""


def _score(column: str, borders: str) -> str:
    reached = " + ".join(f"COALESCE({column} >= ({borders})[{k}], false)::int" for k in range(1, 5))
    return f"CASE WHEN b.orders > 0 AND {borders} IS NOT NULL THEN 1 + {reached} END"


SEGMENTS_SQL = f"""
WITH batch AS (  -- a guest account merged since has no segments of its own (its orders are the member's)
    SELECT s.account_id, CASE WHEN a.merged_into_id IS NULL THEN s.orders ELSE 0 END AS orders,
           s.first_order_at, s.last_order_at, s.monetary, s.interval_days
    FROM {_STATS} s JOIN {_ACCOUNTS} a ON a.id = s.account_id
    WHERE s.program_id = %(program)s AND s.account_id > %(after)s
      AND (%(only)s::bigint IS NULL OR s.account_id = %(only)s::bigint)
    ORDER BY s.account_id LIMIT %(limit)s FOR UPDATE OF s
), scored AS (
    SELECT b.*, {_score("b.last_order_at", "%(r)s::timestamptz[]")} AS r,
           {_score("b.orders", "%(f)s::int[]")} AS f, {_score("b.monetary", "%(m)s::numeric[]")} AS m,
           extract(epoch FROM %(now)s::timestamptz - b.last_order_at) / 86400 AS idle,
           GREATEST(CASE WHEN b.orders >= 2 AND b.interval_days IS NOT NULL THEN b.interval_days
                         ELSE %(default_interval)s END, %(min_interval)s) AS usual
    FROM batch b
), scores AS (
    UPDATE {_STATS} s SET r_score = x.r, f_score = x.f, m_score = x.m
    FROM scored x WHERE s.account_id = x.account_id AND (s.r_score, s.f_score, s.m_score) IS DISTINCT FROM (x.r, x.f, x.m)
), wanted AS (
    SELECT account_id, segment FROM scored CROSS JOIN LATERAL (VALUES
        (CASE WHEN orders = 0 THEN NULL
              WHEN %(now)s::timestamptz - first_order_at <= %(new_days)s * interval '1 day' THEN '{NamedSegment.NEW}'
              WHEN orders = 1 THEN '{NamedSegment.ONE_TIME}'
              WHEN orders >= %(loyal_min)s OR m = 5 THEN '{NamedSegment.LOYAL}'
              ELSE '{NamedSegment.REPEAT}' END),
        (CASE WHEN orders = 0 THEN NULL
              WHEN idle > %(lapsed)s * usual THEN '{NamedSegment.LAPSED}'
              WHEN idle > %(at_risk)s * usual THEN '{NamedSegment.AT_RISK}' END)
    ) AS v(segment) WHERE segment IS NOT NULL
), gone AS (
    DELETE FROM {SegmentMembership._meta.db_table} sm USING batch b
    WHERE sm.account_id = b.account_id
      AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.account_id = sm.account_id AND w.segment = sm.segment)
    RETURNING sm.account_id, sm.segment
), added AS (
    INSERT INTO {SegmentMembership._meta.db_table} (account_id, program_id, segment, since)
    SELECT account_id, %(program)s, segment, %(now)s FROM wanted ORDER BY account_id, segment
    ON CONFLICT (account_id, segment) DO NOTHING
    RETURNING account_id, segment
), events AS (
    INSERT INTO {SegmentEvent._meta.db_table} (account_id, program_id, segment, entered, occurred_at)
    SELECT account_id, %(program)s, segment, entered, %(now)s FROM (
        SELECT account_id, segment, true AS entered FROM added
        UNION ALL SELECT account_id, segment, false FROM gone
    ) changes ORDER BY account_id, NOT entered, segment
    RETURNING id, account_id, segment, entered
)
SELECT (SELECT max(account_id) FROM batch), e.id, e.account_id, e.segment, e.entered
FROM (SELECT 1) one LEFT JOIN events e ON true
"""
