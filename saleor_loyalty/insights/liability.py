"""What the club owes its members in one channel, and how much of it history says will never be used.

Liability = outstanding points × point value + store credit outstanding, in the channel's currency.
The outstanding points are exact (the sum of members' positive balances); their split by expiry
month comes from the points roll-up: each lot's points by the month it expires, less reversals and
expiries aimed at it, and other spending (redemptions, deductions) taken from the soonest-expiring
months first, as the ledger spends. The split is as of the last roll-up run and is scaled to the
exact total, so it is an allocation of the balance, not a per-member replay.

Breakage is the share of points that reached their expiry month and expired unused; the forecast
applies that historic share to what is outstanding in each future month.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from saleor_loyalty.core.money import points_worth, quantize_money
from saleor_loyalty.insights.kpis import ZERO, ratio
from saleor_loyalty.models import (
    CreditDayRollup,
    EntryKind,
    LoyaltyAccount,
    LoyaltyProgram,
    PointsDayRollup,
)


@dataclass(frozen=True)
class ExpiryBucket:
    month: date | None  # None: points that never expire
    points: int
    value: Decimal
    expected_breakage: int


@dataclass(frozen=True)
class Breakage:
    matured_points: int
    expired_points: int
    rate: Decimal | None
    forecast_points: int
    forecast_value: Decimal


@dataclass(frozen=True)
class Liability:
    currency: str
    outstanding_points: int
    points_value: Decimal
    pending_credit: Decimal
    credit_on_cards: Decimal | None  # null when Saleor's card balances were not read
    total: Decimal
    buckets: list[ExpiryBucket]
    breakage: Breakage


def _net_by_month(program: LoyaltyProgram) -> tuple[dict, int]:
    """(net lot points per expiry month, unassigned spending as a positive number)."""
    rows = (
        PointsDayRollup.objects.filter(channel_slug=program.channel_slug)
        .values("expiry_month")
        .annotate(positive=Sum("positive"), negative=Sum("negative"))
    )
    net, unassigned = {}, 0
    for row in rows:
        if row["expiry_month"] is None:
            net[None] = int(row["positive"])
            unassigned -= int(row["negative"])
        else:
            net[row["expiry_month"]] = int(row["positive"] + row["negative"])
    return net, unassigned


def _allocate(net: dict, unassigned: int, outstanding: int) -> dict:
    """Spend the unassigned debits soonest-expiring first, then scale the buckets to the exact total.

    Past months take their share first: what is left of a lot after its expiry is exactly what was
    spent from it before, so the debits that spent it are matched there and not charged to later lots.
    A past month still holding points means the expiry job has not reached it yet.
    """
    dated = sorted(month for month in net if month is not None and net[month] > 0)
    order = [*dated, *([None] if net.get(None, 0) > 0 else [])]
    left = {month: net[month] for month in order}
    for month in order:
        take = min(left[month], unassigned)
        left[month] -= take
        unassigned -= take
    whole = sum(left.values())
    if whole <= 0 or outstanding <= 0:
        return {}
    scaled = {month: points * outstanding // whole for month, points in left.items()}
    rest = outstanding - sum(scaled.values())
    for month in order[:rest]:
        scaled[month] += 1
    return {month: points for month, points in scaled.items() if points}


def breakage_history(program: LoyaltyProgram, today: date) -> tuple[int, int]:
    """(points whose expiry month is over, of which expired) from the roll-up's expiry months."""
    rows = PointsDayRollup.objects.filter(
        channel_slug=program.channel_slug, expiry_month__lt=today.replace(day=1)
    ).values("kind", "positive", "negative")
    matured = expired = 0
    for row in rows:
        if row["kind"] == EntryKind.EXPIRE:
            expired -= row["negative"]
        elif row["kind"] == EntryKind.EARN_REVERSAL:
            matured += row["negative"]  # reversed points never reached expiry
        else:
            matured += row["positive"] + row["negative"]
    return max(matured, 0), expired


def pending_credit(program: LoyaltyProgram) -> Decimal:
    """Credit members are owed that is not on a Saleor card yet (cashback still pending)."""
    sums = CreditDayRollup.objects.filter(channel_slug=program.channel_slug).aggregate(
        claim=Sum("amount"), card=Sum("card_amount")
    )
    return max((sums["claim"] or ZERO) - (sums["card"] or ZERO), ZERO)


def liability(
    program: LoyaltyProgram, today: date, cards_total: Callable[[str], Decimal] | None = None
) -> Liability:
    """The channel's liability now; `cards_total(currency)` reads Saleor's balances of the club's cards.

    Store-credit cards are Saleor gift cards per customer and currency, so channels sharing a currency
    share them: their balance is reported under each such channel and must not be added across them.
    """
    outstanding = (
        LoyaltyAccount.objects.filter(program=program, merged_into__isnull=True, balance__gt=0).aggregate(
            points=Sum("balance")
        )["points"]
        or 0
    )
    net, unassigned = _net_by_month(program)
    buckets = _allocate(net, unassigned, outstanding)
    matured, expired = breakage_history(program, today)
    rate = ratio(expired, matured)
    expiring = {month: points for month, points in buckets.items() if month is not None}
    expected = {month: int(points * rate) if rate else 0 for month, points in expiring.items()}
    forecast = sum(expected.values())

    def worth(points: int) -> Decimal:
        return points_worth(points, program.point_value, program.currency).amount

    pending = quantize_money(pending_credit(program), program.currency).amount
    on_cards = quantize_money(cards_total(program.currency), program.currency).amount if cards_total else None
    return Liability(
        currency=program.currency,
        outstanding_points=outstanding,
        points_value=worth(outstanding),
        pending_credit=pending,
        credit_on_cards=on_cards,
        total=worth(outstanding) + pending + (on_cards or ZERO),
        buckets=[
            ExpiryBucket(month, points, worth(points), expected.get(month, 0))
            for month, points in sorted(
                buckets.items(), key=lambda item: (item[0] is None, item[0] or date.min)
            )
        ],
        breakage=Breakage(
            matured_points=matured,
            expired_points=expired,
            rate=rate,
            forecast_points=forecast,
            forecast_value=worth(forecast),
        ),
    )
