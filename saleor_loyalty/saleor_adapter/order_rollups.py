"""Saleor's orders and store-credit cards as the KPI roll-ups read them (members' and guests' orders)."""

from decimal import Decimal

from saleor_loyalty.core.facts import OrderFacts
from saleor_loyalty.insights.rollups import OrderRollupFacts
from saleor_loyalty.models import StoreCreditCard


def _refunded(order) -> Decimal:
    """Money refunded so far: transactions' refunded value plus legacy refund transactions (prefetched)."""
    from saleor.payment import TransactionKind

    legacy = sum(
        (
            transaction.amount
            for payment in order.payments.all()
            for transaction in payment.transactions.all()
            if transaction.kind == TransactionKind.REFUND and transaction.is_success
        ),
        Decimal(0),
    )
    return sum((t.refunded_value for t in order.payment_transactions.all()), Decimal(0)) + legacy


def _facts(order) -> OrderRollupFacts:
    from saleor.order import OrderChargeStatus, OrderStatus

    refunded = _refunded(order)
    total = order.total_gross_amount
    is_paid = order.charge_status in (OrderChargeStatus.FULL, OrderChargeStatus.OVERCHARGED) or (
        total > 0 and order.total_charged_amount + refunded >= total
    )
    return OrderRollupFacts(
        order_id=order.pk,
        channel_slug=order.channel.slug,
        currency=order.currency,
        user_id=order.user_id,
        email=order.user_email or "",
        created_at=order.created_at,
        total_gross=total,
        refunded_amount=refunded,
        is_paid=is_paid,
        is_cancelled=order.status == OrderStatus.CANCELED,
    )


def rollup_facts(facts: OrderFacts) -> OrderRollupFacts | None:
    """The roll-up's view of an order the ledger sync has just read: only its creation time is new."""
    from saleor.order.models import Order

    created_at = Order.objects.filter(pk=facts.order_id).values_list("created_at", flat=True).first()
    if created_at is None:
        return None
    return OrderRollupFacts.of_order(facts, created_at)


def orders_after_number(after: int, limit: int) -> list[tuple[int, OrderRollupFacts]]:
    """Non-draft orders with a number above `after`, in number order (Saleor's numbers only grow)."""
    from saleor.order import OrderStatus
    from saleor.order.models import Order

    orders = (
        Order.objects.exclude(status=OrderStatus.DRAFT)
        .filter(number__gt=after)
        .select_related("channel")
        .prefetch_related("payment_transactions", "payments__transactions")
        .order_by("number")[:limit]
    )
    return [(order.number, _facts(order)) for order in orders]


def store_credit_on_cards(currency: str) -> Decimal:
    """What is left on the club's store-credit cards in a currency, as Saleor holds it now."""
    from django.db.models import Sum
    from saleor.giftcard.models import GiftCard

    cards = StoreCreditCard.objects.filter(currency=currency).values("gift_card_id")
    total = GiftCard.objects.filter(pk__in=cards).aggregate(total=Sum("current_balance_amount"))["total"]
    return total or Decimal(0)
