"""RFM from the ledger's order facts: each member's orders, their rhythm, quintile scores and named segments.

An order is a member's `earn` row (their own or a merged guest account's), worth its accrual base net of
what refunds took back (the tier rule's refunded share, so segments and tiers agree); a cancelled or
fully refunded order does not count. Scores are quintiles per channel: a value's score is
1 + floor(5 × members below it / members), so ties always share a score (the lowest of their group) and
a tie is never split across two quintiles. The nightly job stores each dimension's four borders (the
smallest value scoring 2, 3, 4, 5) and scores every member against them; an order between two runs is
scored against the last run's borders.
"""

import statistics
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection

from saleor_loyalty.messages import consent
from saleor_loyalty.models import (
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    Medium,
    MemberOrderStats,
    NamedSegment,
    SegmentSettings,
)
from saleor_loyalty.tiers import ladder

DAY = 86400
SHRINKING = Decimal("0.8")  # the last three orders average under 80 % of the three before: a shrinking basket

_ORDERS_SQL = f"""
SELECT COALESCE(g.merged_into_id, g.id), COALESCE(e.occurred_at, e.created_at),
       e.money_amount * (1 - COALESCE(r.share, 0))
FROM {LoyaltyAccount._meta.db_table} g
JOIN {LedgerEntry._meta.db_table} e ON e.account_id = g.id AND e.kind = %(earn)s
LEFT JOIN LATERAL (
    SELECT {ladder._SHARE} AS share
    FROM (SELECT {ladder._REVERSED} FROM {LedgerEntry._meta.db_table} x WHERE x.reverses_id = e.id) r
) r ON true
WHERE g.id = ANY(%(accounts)s) OR g.merged_into_id = ANY(%(accounts)s)
ORDER BY 1, 2
"""


@dataclass(frozen=True)
class Stats:
    orders: int
    first_order_at: datetime | None
    last_order_at: datetime | None
    monetary: Decimal
    interval_days: Decimal | None
    basket_trend: Decimal | None


NO_ORDERS = Stats(0, None, None, Decimal(0), None, None)


def stats_of(orders: list[tuple[datetime, Decimal]]) -> Stats:
    """A member's stats from their orders (time, net value), oldest first; only orders still worth something."""
    kept = [(at, value) for at, value in orders if value is not None and value > 0]
    if not kept:
        return NO_ORDERS
    gaps = [(b[0] - a[0]).total_seconds() / DAY for a, b in zip(kept, kept[1:], strict=False)]
    interval = Decimal(str(round(statistics.median(gaps), 2))) if gaps else None
    values = [value for _, value in kept]
    trend = None
    if len(values) >= 4:
        recent = values[-3:]
        before = values[-6:-3]
        trend = ((sum(recent) / len(recent)) / (sum(before) / len(before))).quantize(Decimal("0.0001"))
    return Stats(
        orders=len(kept),
        first_order_at=kept[0][0],
        last_order_at=kept[-1][0],
        monetary=sum(values, Decimal(0)).quantize(Decimal("0.0001")),
        interval_days=interval,
        basket_trend=trend,
    )


def read_orders(account_ids: list[int]) -> dict[int, list[tuple[datetime, Decimal]]]:
    """Each member's orders (with their merged guests'), oldest first: one query for the batch."""
    found: dict[int, list] = {account_id: [] for account_id in account_ids}
    if not account_ids:
        return found
    with connection.cursor() as cursor:
        cursor.execute(_ORDERS_SQL, {"earn": EntryKind.EARN, "accounts": list(account_ids)})
        for account_id, at, value in cursor.fetchall():
            found.setdefault(account_id, []).append((at, value))
    return found


def email_hash(email: str) -> str:
    """The consent subject of the member's email, so saved segments filter on consent in SQL."""
    return consent.subject_hash(Medium.EMAIL, email) if consent.normalize_address(Medium.EMAIL, email) else ""


# -- quintiles --------------------------------------------------------------------------------------------

_DIMENSIONS = {"r": "last_order_at", "f": "orders", "m": "monetary"}
_BORDERS_SQL = f"""
WITH s AS (SELECT last_order_at AS r, orders AS f, monetary AS m FROM {MemberOrderStats._meta.db_table}
           WHERE program_id = %(program)s AND orders > 0),
p AS (SELECT count(*) AS n,
             percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY r) AS pr,
             percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY f) AS pf,
             percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY m) AS pm FROM s)
SELECT p.n, {", ".join(f"min(s.{d}) FILTER (WHERE s.{d} > p.p{d}[{k}])" for d in "rfm" for k in range(1, 5))}
FROM p LEFT JOIN s ON true GROUP BY p.n
"""


def compute_borders(program_id: int) -> dict:
    """Each dimension's four borders from the stored stats: the k-th is the smallest value with at least
    k/5 of the members strictly below it (`percentile_disc` gives the value at that position, the next
    larger value is the border), null when no value is that high. Three sorts and one scan."""
    with connection.cursor() as cursor:
        cursor.execute(_BORDERS_SQL, {"program": program_id})
        row = cursor.fetchone()
    n, values = row[0], row[1:]
    borders = {"members": n}
    for index, dimension in enumerate("rfm"):
        borders[dimension] = [_dump(value) for value in values[index * 4 : index * 4 + 4]]
    return borders


def _dump(value):
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _load(dimension: str, value):
    if dimension == "r":
        return datetime.fromisoformat(value)
    return int(value) if dimension == "f" else Decimal(value)


def score(borders: dict, dimension: str, value) -> int | None:
    """1-5 against the stored borders; None without borders or without a value."""
    if value is None or not borders or dimension not in borders:
        return None
    return 1 + sum(
        1 for border in borders[dimension] if border is not None and value >= _load(dimension, border)
    )


def scores(borders: dict, stats: Stats) -> tuple[int | None, int | None, int | None]:
    if stats.orders == 0:
        return None, None, None
    return (
        score(borders, "r", stats.last_order_at),
        score(borders, "f", stats.orders),
        score(borders, "m", stats.monetary),
    )


# -- named segments ---------------------------------------------------------------------------------------


def usual_interval(stats: Stats, settings: SegmentSettings) -> Decimal:
    """The member's own rhythm (median days between orders), or the program default with one order."""
    own = stats.interval_days if stats.orders >= 2 and stats.interval_days is not None else None
    interval = own if own is not None else Decimal(settings.default_interval_days)
    return max(interval, Decimal(settings.min_interval_days))


def named_segments(stats: Stats, settings: SegmentSettings, m_score: int | None, now: datetime) -> set[str]:
    """One lifecycle segment (new, one-time, repeat, loyal) and, when overdue, at risk or lapsed."""
    if stats.orders == 0:
        return set()
    found = set()
    if (now - stats.first_order_at).total_seconds() <= settings.new_days * DAY:
        found.add(NamedSegment.NEW)
    elif stats.orders == 1:
        found.add(NamedSegment.ONE_TIME)
    elif stats.orders >= settings.loyal_min_orders or m_score == 5:
        found.add(NamedSegment.LOYAL)
    else:
        found.add(NamedSegment.REPEAT)
    idle = Decimal(str((now - stats.last_order_at).total_seconds() / DAY))
    interval = usual_interval(stats, settings)
    if idle > settings.lapsed_factor * interval:
        found.add(NamedSegment.LAPSED)
    elif idle > settings.at_risk_factor * interval:
        found.add(NamedSegment.AT_RISK)
    return found


def settings_for(program) -> SegmentSettings:
    """The program's segment settings; unsaved defaults until staff change them."""
    return SegmentSettings.objects.filter(program=program).first() or SegmentSettings(program=program)
