"""Rule backtest: what the last N months of recorded orders would have cost under a proposed program.

Reads only. The orders are the ledger's own facts: each earn row's accrual base (goods after
discounts, without shipping, gift cards or gift-card money) and time, and each reversal's refunded
base (`base_reversed`; a cancellation takes it all). Both programs, the current one and the proposal,
are replayed through the same computation: the earn rounding of `ledger.rules.compute_earn`
(`core.money.points_for_amount`, held equal to it by a test) on an unsaved copy of the program, the tier that copy's ladder gives at that moment (`tiers.ladder.highest_entered` over the
qualifying amount in the program's tier window), and `core.money` for points and money. So the two
columns differ only by the rules, not by how they are computed. A spend-based ladder (the default) is
replayed for both in one aggregate statement (`backtest_sql`, held equal to `_replay` by a test), so a
million orders never pass through Python; a points-based ladder, whose tiers depend on the points they
multiply, goes through `_replay` order by order.

Simplifications, said once: tiers only rise during a replay (downgrades run nightly with grace periods
and are left out), a staff tier floor is ignored, qualifying amounts before the replayed months count
only for a lifetime window, and a refund takes back the refunded share of the order's points (the
amount-alone rule; itemized refunds in the ledger gave the same share in most shops).
"""

import copy
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection

from saleor_loyalty.core.clock import add_months
from saleor_loyalty.core.money import points_for_amount, points_worth, proportional_points, quantize_money
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.insights import backtest_sql
from saleor_loyalty.insights.kpis import ZERO, ratio
from saleor_loyalty.insights.liability import breakage_history
from saleor_loyalty.models import (
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    Tier,
    TierBasis,
    TierWindow,
)
from saleor_loyalty.tiers.ladder import highest_entered, ladder
from saleor_loyalty.tiers.windows import window_start

MAX_MONTHS = 24
MISSING = object()
MAX_TIERS = 10


@dataclass(frozen=True)
class ProposedTier:
    name: str
    entry_threshold: Decimal
    earn_multiplier: Decimal = Decimal(1)
    cashback_percent: Decimal | None = None


@dataclass(frozen=True)
class Proposal:
    earn_rate: Decimal
    point_value: Decimal
    cashback_percent: Decimal
    tiers: tuple[ProposedTier, ...] | None = None  # None keeps the current ladder


@dataclass(frozen=True)
class Scenario:
    orders: int
    points_issued: int
    points_reversed: int
    points_value: Decimal
    cashback: Decimal
    liability_change: Decimal
    expected_cost: Decimal
    tier_distribution: dict[str, int]

    @property
    def net_points(self) -> int:
        return self.points_issued - self.points_reversed


@dataclass(frozen=True)
class Backtest:
    currency: str
    since: datetime
    until: datetime
    breakage_rate: Decimal | None
    recorded_points: int
    current: Scenario
    proposed: Scenario


class BacktestInputError(LoyaltyError):
    """A proposal that no program could have."""


def check(proposal: Proposal, months: int) -> None:
    if not 1 <= months <= MAX_MONTHS:
        raise BacktestInputError(f"Replay 1 to {MAX_MONTHS} months.", "months")
    if not ZERO <= proposal.earn_rate <= 1000:
        raise BacktestInputError("The earn rate is 0 to 1000 points per unit.", "earn_rate")
    if not ZERO < proposal.point_value <= 1000:
        raise BacktestInputError("A point is worth more than 0 and at most 1000.", "point_value")
    if not ZERO <= proposal.cashback_percent <= 100:
        raise BacktestInputError("Cashback is 0 to 100 %.", "cashback_percent")
    if proposal.tiers is None:
        return
    tiers = proposal.tiers
    if not 1 <= len(tiers) <= MAX_TIERS:
        raise BacktestInputError(f"Give 1 to {MAX_TIERS} tiers.", "tiers")
    if tiers[0].entry_threshold != 0:
        raise BacktestInputError("The first tier starts at 0.", "tiers")
    for lower, higher in zip(tiers, tiers[1:], strict=False):
        if higher.entry_threshold <= lower.entry_threshold:
            raise BacktestInputError("Tier thresholds must rise.", "tiers")
    for tier in tiers:
        if not ZERO <= tier.earn_multiplier <= 100 or tier.entry_threshold < 0:
            raise BacktestInputError("A multiplier is 0 to 100 and a threshold not negative.", "tiers")
        if tier.cashback_percent is not None and not ZERO <= tier.cashback_percent <= 100:
            raise BacktestInputError("Cashback is 0 to 100 %.", "tiers")
        if not tier.name.strip() or len(tier.name) > 64:
            raise BacktestInputError("A tier needs a name of up to 64 characters.", "tiers")


def _rules(program: LoyaltyProgram, proposal: Proposal | None):
    """An unsaved copy of the program with the proposal's rules, and its ladder (unsaved tiers)."""
    rules = copy.copy(program)
    tiers = ladder(program) or [Tier(position=0, name="(no tiers)", entry_threshold=ZERO)]
    if proposal is None:
        return rules, tiers
    rules.earn_rate, rules.point_value = proposal.earn_rate, proposal.point_value
    rules.cashback_percent = proposal.cashback_percent
    if proposal.tiers is not None:
        tiers = [
            Tier(
                position=index,
                name=tier.name,
                entry_threshold=tier.entry_threshold,
                earn_multiplier=tier.earn_multiplier,
                cashback_percent=tier.cashback_percent,
            )
            for index, tier in enumerate(proposal.tiers)
        ]
    return rules, tiers


_ENTRY = LedgerEntry._meta.db_table
_EVENTS_SQL = f"""
SELECT e.id, e.account_id, e.occurred_at, e.points, (e.detail->>'base')::numeric, NULL::bigint, NULL::numeric
FROM {_ENTRY} e JOIN {LoyaltyAccount._meta.db_table} a ON a.id = e.account_id
WHERE a.program_id = %(program)s AND e.kind = %(earn)s AND e.occurred_at >= %(since)s AND e.occurred_at < %(until)s
UNION ALL
SELECT r.id, e.account_id, coalesce(r.occurred_at, r.created_at), r.points, NULL, r.reverses_id,
       coalesce((r.detail->>'base_reversed')::numeric, (e.detail->>'base')::numeric)
FROM {_ENTRY} r JOIN {_ENTRY} e ON e.id = r.reverses_id JOIN {LoyaltyAccount._meta.db_table} a ON a.id = e.account_id
WHERE a.program_id = %(program)s AND r.kind = %(reversal)s AND e.kind = %(earn)s
  AND e.occurred_at >= %(since)s AND e.occurred_at < %(until)s AND coalesce(r.occurred_at, r.created_at) < %(until)s
ORDER BY 3, 1
"""
_BEFORE_SQL = f"""
SELECT e.account_id, sum((e.detail->>'base')::numeric) FROM {_ENTRY} e
JOIN {LoyaltyAccount._meta.db_table} a ON a.id = e.account_id
WHERE a.program_id = %(program)s AND e.kind = %(earn)s AND e.occurred_at < %(since)s GROUP BY 1
"""


def _events(program: LoyaltyProgram, since: datetime, until: datetime) -> list[tuple]:
    params = {
        "program": program.pk,
        "earn": EntryKind.EARN.value,
        "reversal": EntryKind.EARN_REVERSAL.value,
        "since": since,
        "until": until,
    }
    with connection.cursor() as cursor:
        cursor.execute(_EVENTS_SQL, params)
        return cursor.fetchall()


def _before(program: LoyaltyProgram, since: datetime) -> dict[int, Decimal]:
    if program.tier_window != TierWindow.LIFETIME or program.tier_basis != TierBasis.SPEND:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_BEFORE_SQL, {"program": program.pk, "earn": EntryKind.EARN.value, "since": since})
        return {account: amount or ZERO for account, amount in cursor.fetchall()}


class _Window:
    """A member's qualifying amounts in time order, summed from the tier window's start on.

    Events are replayed in time order, so a window's start only moves forward: amounts that fall out
    are subtracted once, and each event costs O(1) however long the member's history.
    """

    __slots__ = ("entries", "first", "total")

    def __init__(self):
        self.entries: list[tuple[datetime, Decimal]] = []
        self.first = 0
        self.total = ZERO

    def add(self, moment: datetime, amount: Decimal) -> None:
        self.entries.append((moment, amount))
        self.total += amount

    def since(self, start: datetime | None) -> Decimal:
        while start is not None and self.first < len(self.entries) and self.entries[self.first][0] < start:
            self.total -= self.entries[self.first][1]
            self.first += 1
        return self.total


def earned_points(rules, base: Decimal, multiplier: Decimal) -> int:
    """The points `compute_earn` gives an order of this base at this tier multiplier, by its own rounding
    (`core.money.points_for_amount` over rate × multiplier), without building the earn's snapshot that
    only the ledger needs. tests/engine/insights/test_backtest.py holds the two equal."""
    return points_for_amount(base, rules.earn_rate * multiplier)


def _replay(program, proposal, events, before, member_count) -> Scenario:
    rules, tiers = _rules(program, proposal)
    by_spend = program.tier_basis == TierBasis.SPEND
    history: dict[int, _Window] = defaultdict(_Window)
    reached: dict[int, int] = {}
    earned: dict[int, tuple[int, Decimal, Decimal]] = {}  # earn id: (points, base, cashback rate)
    windows: dict[datetime, datetime | None] = {}
    issued = reversed_points = orders = 0
    cashback_base = ZERO
    for entry_id, account, moment, _points, base, reverses, base_reversed in events:
        if reverses is not None:
            points, earn_base, rate = earned.get(reverses, (0, ZERO, ZERO))
            share = min(base_reversed, earn_base) if earn_base else ZERO
            taken = proportional_points(points, share, earn_base) if earn_base else 0
            reversed_points += taken
            cashback_base -= share * rate
            history[account].add(moment, -(share if by_spend else Decimal(taken)))
            continue
        # Every zone's local midnight falls on a UTC quarter hour, so the window is the same within one.
        quarter = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
        if (start := windows.get(quarter, MISSING)) is MISSING:
            start = windows[quarter] = window_start(rules, moment)
        qualifying = before.get(account, ZERO) + history[account].since(start)
        index = max(reached.get(account, 0), tiers.index(highest_entered(tiers, qualifying) or tiers[0]))
        tier = tiers[index]
        points = earned_points(rules, base, tier.earn_multiplier)
        rate = tier.cashback_percent if tier.cashback_percent is not None else rules.cashback_percent
        earned[entry_id] = (points, base, rate)
        issued += points
        orders += 1
        cashback_base += base * rate
        gained = base if by_spend else Decimal(points)
        history[account].add(moment, gained)
        after = qualifying + gained
        reached[account] = max(index, tiers.index(highest_entered(tiers, after) or tiers[0]))
    distribution = {tier.name: 0 for tier in tiers}
    for account in set(history) | set(before):
        index = reached.get(
            account, tiers.index(highest_entered(tiers, before.get(account, ZERO)) or tiers[0])
        )
        distribution[tiers[index].name] += 1
    distribution[tiers[0].name] += max(member_count - len(set(history) | set(before)), 0)
    return _scenario(program, rules, orders, issued, reversed_points, cashback_base, distribution)


def backtest(program: LoyaltyProgram, proposal: Proposal, months: int, now: datetime) -> Backtest:
    """Replay the last `months` months (up to `now`) under the current rules and under `proposal`."""
    check(proposal, months)
    since = add_months(now.date(), -months)
    since = datetime.combine(since, now.timetz())
    members = LoyaltyAccount.objects.filter(program=program, merged_into__isnull=True).count()
    matured, expired = breakage_history(program, now.date())
    breakage = ratio(expired, matured)
    keep = Decimal(1) - (breakage or ZERO)

    def costed(scenario: Scenario) -> Scenario:
        value = quantize_money(scenario.points_value * keep, program.currency).amount
        return Scenario(**{**scenario.__dict__, "expected_cost": value + scenario.cashback})

    if program.tier_basis == TierBasis.SPEND:
        recorded, current, proposed = _in_sql(program, proposal, since, now, members)
    else:
        events = _events(program, since, now)
        before = _before(program, since)
        recorded = sum(points for _id, _a, _m, points, _b, _r, _br in events)
        current = _replay(program, None, events, before, members)
        proposed = _replay(program, proposal, events, before, members)
    return Backtest(
        currency=program.currency,
        since=since,
        until=now,
        breakage_rate=breakage,
        recorded_points=recorded,
        current=costed(current),
        proposed=costed(proposed),
    )


def _in_sql(program, proposal, since, until, member_count) -> tuple[int, Scenario, Scenario]:
    """A spend-based ladder's replay of both programs as one aggregate statement (`backtest_sql`)."""
    programs = (_rules(program, None), _rules(program, proposal))
    recorded, *replayed = backtest_sql.replay(program, *programs, since, until)
    scenarios = []
    for (rules, tiers), (orders, issued, taken, cashback_base, sizes) in zip(programs, replayed, strict=True):
        distribution = {tier.name: 0 for tier in tiers}
        for index, size in sizes.items():
            distribution[tiers[index].name] += size
        distribution[tiers[0].name] += max(member_count - sum(sizes.values()), 0)
        scenarios.append(_scenario(program, rules, orders, issued, taken, cashback_base, distribution))
    return recorded, *scenarios


def _scenario(program, rules, orders, issued, taken, cashback_base, distribution) -> Scenario:
    value = points_worth(issued - taken, rules.point_value, program.currency).amount
    cashback = quantize_money(max(cashback_base, ZERO) / 100, program.currency).amount
    return Scenario(
        orders=orders,
        points_issued=issued,
        points_reversed=taken,
        points_value=value,
        cashback=cashback,
        liability_change=value + cashback,
        expected_cost=ZERO,
        tier_distribution=distribution,
    )
