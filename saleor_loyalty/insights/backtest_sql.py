"""The rule backtest of a spend-based ladder as one aggregate statement per program: nothing row by row in Python.

Reads only. The same replay as `backtest._replay`, in window functions over the recorded orders (held equal
to it by tests/engine/insights/test_backtest_sql.py): each order's qualifying amount is the member's running
sum of bases net of refunded shares, in (time, id) order, minus what lies before its tier window's start
(a marker row at that start reads the running sum there; a lifetime window counts the bases recorded before
the replayed months instead); its tier is the highest entered by that amount or reached by an earlier order
(tiers only rise); its points are `compute_earn`'s rounding (down) of base × rate × the tier's multiplier;
a refund takes back the refunded share of those points, rounded half up. A ladder on points (points decide
the tier, the tier the points) stays with the Python replay.
"""

from decimal import Decimal

from django.db import connection, transaction

from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount, LoyaltyProgram, TierWindow

_ENTRY, _ACCOUNT = LedgerEntry._meta.db_table, LoyaltyAccount._meta.db_table

_WINDOW_START = {
    TierWindow.CALENDAR_YEAR: "date_trunc('year', (e.at AT TIME ZONE %(tz)s))",
    TierWindow.ROLLING_12_MONTHS: "(e.at AT TIME ZONE %(tz)s)::date - interval '12 months'",
}


def _reached(amount: str, scenario: str, thresholds: int) -> str:
    """The index of the highest tier `amount` enters (the first tier when it enters none)."""
    steps = " ".join(f"WHEN {amount} >= %({scenario}{i})s THEN {i}" for i in reversed(range(1, thresholds)))
    return f"CASE {steps} ELSE 0 END" if steps else "0"


def _scenario(name: str, tiers: int) -> str:
    """One program's tiers, points and refunds over the shared qualifying amounts (`name`: its params' prefix)."""
    return f"""
{name}_tiered AS (
    SELECT account, id, base, GREATEST({_reached("amount", name, tiers)}, COALESCE(max(reach) OVER (
               PARTITION BY account ORDER BY at, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)) AS tier,
           reach
    FROM (SELECT q.*, GREATEST({_reached("q.amount", name, tiers)}, {_reached("q.amount + q.base", name, tiers)})
                 AS reach FROM qualifying q) q
), {name}_earned AS (
    SELECT account, id, base, GREATEST(trunc(base * (%({name}_rates)s::numeric[])[tier + 1]), 0) AS points,
           (%({name}_cashback)s::numeric[])[tier + 1] AS rate, GREATEST(tier, reach) AS reached
    FROM {name}_tiered
), {name}_taken AS (
    SELECT r.share, e.rate, CASE WHEN e.base = 0 OR NOT r.replayed THEN 0
                                 WHEN e.base < 0 OR r.share >= e.base THEN e.points
                                 WHEN r.share <= 0 THEN 0
                                 ELSE LEAST(round(e.points * r.share / e.base), e.points) END AS points
    FROM reversals r JOIN {name}_earned e ON e.id = r.earn
), {name}_members AS (  -- each member's tier at the end: the highest reached, or what earlier spend gives
    SELECT COALESCE(e.reached, {_reached("b.amount", name, tiers)}) AS tier
    FROM (SELECT account, max(reached) AS reached FROM {name}_earned GROUP BY account) e
    FULL JOIN before b ON b.account = e.account
)"""


def _totals(name: str) -> str:
    return f"""(SELECT count(*) FROM {name}_earned), (SELECT COALESCE(sum(points), 0) FROM {name}_earned),
       (SELECT COALESCE(sum(points), 0) FROM {name}_taken),
       (SELECT COALESCE(sum(base * rate), 0) FROM {name}_earned)
           - (SELECT COALESCE(sum(share * rate), 0) FROM {name}_taken),
       (SELECT array_agg(ARRAY[tier, n]) FROM (SELECT tier, count(*) AS n FROM {name}_members GROUP BY tier) t)"""


def _sql(window: str, current_tiers: int, proposed_tiers: int) -> str:
    start = _WINDOW_START.get(window)
    markers = (
        f"""UNION ALL  -- a window's start after the first replayed order: the running sum there falls out
    SELECT account, start, id, 0, 0, true FROM (
        SELECT e.account, e.id, (date_trunc('day', {start}) AT TIME ZONE %(tz)s) AS start FROM earns e
    ) m WHERE start > %(since)s"""
        if start
        else ""
    )
    before = "0" if start else "COALESCE(b.amount, 0)"
    return f"""
WITH earns AS (
    SELECT e.id, e.account_id AS account, e.occurred_at AS at, (e.detail->>'base')::numeric AS base, e.points
    FROM {_ENTRY} e JOIN {_ACCOUNT} a ON a.id = e.account_id
    WHERE a.program_id = %(program)s AND e.kind = %(earn)s AND e.occurred_at >= %(since)s AND e.occurred_at < %(until)s
), reversals AS (  -- replayed before its order (recorded earlier), a refund has nothing to take back
    SELECT r.id, e.account, r.at, e.id AS earn, r.points, (r.at, r.id) > (e.at, e.id) AS replayed,
           CASE WHEN (r.at, r.id) > (e.at, e.id) AND e.base <> 0
                THEN LEAST(COALESCE(r.base_reversed, e.base), e.base) ELSE 0 END AS share
    FROM (SELECT x.id, x.reverses_id, x.points, COALESCE(x.occurred_at, x.created_at) AS at,
                 (x.detail->>'base_reversed')::numeric AS base_reversed
          FROM {_ENTRY} x WHERE x.kind = %(reversal)s) r
    JOIN earns e ON e.id = r.reverses_id
    WHERE r.at < %(until)s
), events AS (
    SELECT account, at, id, base AS amount, 1 AS earn, false AS marker FROM earns
    UNION ALL SELECT account, at, id, -share, 0, false FROM reversals
    {markers}
), running AS (
    SELECT account, id, marker, amount, earn,
           sum(amount) OVER (PARTITION BY account ORDER BY at, marker DESC, id ROWS UNBOUNDED PRECEDING) AS total
    FROM events
), before AS (
    SELECT e.account_id AS account, sum((e.detail->>'base')::numeric) AS amount
    FROM {_ENTRY} e JOIN {_ACCOUNT} a ON a.id = e.account_id
    WHERE %(lifetime)s AND a.program_id = %(program)s AND e.kind = %(earn)s AND e.occurred_at < %(since)s
    GROUP BY 1
), qualifying AS (
    SELECT e.account, e.id, e.at, e.base,
           {before} + r.total - r.amount - COALESCE(m.total, 0) AS amount
    FROM earns e JOIN running r ON r.id = e.id AND NOT r.marker AND r.earn = 1
    LEFT JOIN running m ON m.id = e.id AND m.marker
    LEFT JOIN before b ON b.account = e.account
), {_scenario("current", current_tiers)}, {_scenario("proposed", proposed_tiers)}
SELECT (SELECT COALESCE(sum(points), 0) FROM earns) + (SELECT COALESCE(sum(points), 0) FROM reversals),
       {_totals("current")},
       {_totals("proposed")}
"""


def _params(name: str, rules, tiers: list) -> dict:
    return {
        f"{name}_rates": [rules.earn_rate * tier.earn_multiplier for tier in tiers],
        f"{name}_cashback": [
            tier.cashback_percent if tier.cashback_percent is not None else rules.cashback_percent
            for tier in tiers
        ],
        **{f"{name}{index}": tier.entry_threshold for index, tier in enumerate(tiers)},
    }


def replay(program: LoyaltyProgram, current: tuple, proposed: tuple, since, until) -> tuple:
    """Both programs ((rules, tiers) each) in one statement: the recorded points, then for each
    (orders, points issued, points reversed, cashback base, {tier index: members})."""
    params = {
        "program": program.pk,
        "earn": EntryKind.EARN.value,
        "reversal": EntryKind.EARN_REVERSAL.value,
        "since": since,
        "until": until,
        "tz": program.timezone,
        "lifetime": program.tier_window == TierWindow.LIFETIME,
        **_params("current", *current),
        **_params("proposed", *proposed),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL jit = off"
        )  # its estimates of these joins are far off: compiling cost seconds
        cursor.execute(_sql(program.tier_window, len(current[1]), len(proposed[1])), params)
        row = cursor.fetchone()
    return row[0], _scenario_row(row[1:6]), _scenario_row(row[6:11])


def _scenario_row(row) -> tuple:
    orders, issued, taken, cashback_base, sizes = row
    return orders, int(issued), int(taken), Decimal(cashback_base), {int(i): int(n) for i, n in sizes or []}
