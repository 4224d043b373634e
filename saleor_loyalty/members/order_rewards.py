"""What one order brought its customer: points earned, reversed and redeemed, cashback earned and reversed.

Read only from the club's own append-only rows keyed by the order (`LedgerEntry.order_id`,
`CreditEntry.order_id`) and, for redemptions, by the checkout the order was placed from; never from
today's program rules, so the answer is what was recorded.
"""

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.db.models import Sum

from saleor_loyalty.models import CreditEntry, CreditKind, EntryKind, LedgerEntry


@dataclass(frozen=True)
class OrderRewards:
    points_earned: int
    points_reversed: int
    points_redeemed: int
    cashback_earned: Decimal
    cashback_reversed: Decimal
    credit_redeemed: Decimal  # store credit the redeemed points became on the order's checkout
    currency: str


def _sum(rows, field) -> int | Decimal:
    return rows.aggregate(total=Sum(field))["total"] or 0


def order_rewards(order_id: UUID, checkout_token: UUID | None, currency: str) -> OrderRewards:
    """Totals in four aggregate queries; an order the club never saw has all zeros."""
    points = LedgerEntry.objects.filter(order_id=order_id)
    credit = CreditEntry.objects.filter(order_id=order_id)
    redeemed = (
        CreditEntry.objects.filter(kind=CreditKind.REDEMPTION, checkout_token=checkout_token)
        if checkout_token
        else CreditEntry.objects.none()
    )
    totals = redeemed.aggregate(points=Sum("points"), amount=Sum("amount"))
    return OrderRewards(
        points_earned=_sum(points.filter(kind=EntryKind.EARN), "points"),
        points_reversed=-_sum(points.filter(kind=EntryKind.EARN_REVERSAL), "points"),
        points_redeemed=totals["points"] or 0,
        cashback_earned=Decimal(_sum(credit.filter(kind=CreditKind.CASHBACK_EARN), "amount")),
        cashback_reversed=-Decimal(_sum(credit.filter(kind=CreditKind.CASHBACK_REVERSAL), "amount")),
        credit_redeemed=Decimal(totals["amount"] or 0),
        currency=currency,
    )


@dataclass(frozen=True)
class OrderOwner:
    """Who an order belongs to, as Saleor records it (the Saleor adapter reads it; tests build it)."""

    user_id: int | None  # None for a guest order
    channel_slug: str
    currency: str
    checkout_token: UUID | None
