"""Orders as plain facts: what was paid, refunded, paid with gift cards, and which orders changed."""

from decimal import Decimal

from saleor_loyalty.core.facts import OrderFacts, OrderLineFacts, RefundedLineFacts


def _legacy_refunded(order) -> Decimal:
    from saleor.payment import TransactionKind

    return sum(
        (
            transaction.amount
            for payment in order.payments.all()
            for transaction in payment.transactions.all()
            if transaction.kind == TransactionKind.REFUND and transaction.is_success
        ),
        Decimal(0),
    )


def _used_in_order(**filters) -> Decimal:
    """What Saleor took from gift cards for orders, read from its USED_IN_ORDER events."""
    from saleor.giftcard import GiftCardEvents
    from saleor.giftcard.models import GiftCardEvent

    spent = Decimal(0)
    for event in GiftCardEvent.objects.filter(type=GiftCardEvents.USED_IN_ORDER, **filters):
        balance = event.parameters.get("balance", {})
        spent += Decimal(str(balance.get("old_current_balance", 0))) - Decimal(
            str(balance.get("current_balance", 0))
        )
    return spent


def gift_card_gateway_id() -> str | None:
    """Saleor 3.23 can charge gift cards as transactions; 3.22 only deducts them from the total."""
    try:
        from saleor.giftcard.const import GIFT_CARD_PAYMENT_GATEWAY_ID
    except ImportError:
        return None
    return GIFT_CARD_PAYMENT_GATEWAY_ID


def _charged_as_transactions(transactions) -> Decimal:
    """What gift-card transactions took from their cards (charged now plus refunded since)."""
    gateway_id = gift_card_gateway_id()
    return sum(
        (
            t.charged_value + t.refunded_value
            for t in transactions
            if gateway_id and t.app_identifier == gateway_id
        ),
        Decimal(0),
    )


def legacy_gift_card_spend(order_id, transactions, **card) -> Decimal:
    """What Saleor took off gift cards at order creation (legacy use), which Saleor never gives back.

    Charging a gift-card transaction writes the same USED_IN_ORDER event, so those charges are
    subtracted; a 3.23 order can hold a legacy card and transactions at once.
    """
    return max(_used_in_order(order_id=order_id, **card) - _charged_as_transactions(transactions), Decimal(0))


def itemized_refunds(order) -> tuple[tuple[RefundedLineFacts, ...], bool, Decimal]:
    """(refunded lines, shipping refunded, money those refunds account for), from what Saleor recorded.

    Saleor 3.23 says what a refund was for in two places: granted refunds (`orderGrantRefundCreate`
    with lines or shipping), which count once their refund succeeded, and refunded fulfillments
    (legacy `orderFulfillmentRefundProducts`, also `orderRefund`, which records an amount alone).
    A refund with neither lines nor shipping is an amount alone and is left out here.
    """
    from saleor.order import FulfillmentStatus, OrderGrantedRefundStatus

    quantities: dict[str, int] = {}
    shipping, amount = False, Decimal(0)
    for grant in order.granted_refunds.all():
        lines = list(grant.lines.all())
        if grant.status != OrderGrantedRefundStatus.SUCCESS or not (lines or grant.shipping_costs_included):
            continue
        shipping = shipping or grant.shipping_costs_included
        amount += grant.amount_value
        for line in lines:
            quantities[str(line.order_line_id)] = quantities.get(str(line.order_line_id), 0) + line.quantity
    refunded_statuses = (FulfillmentStatus.REFUNDED, FulfillmentStatus.REFUNDED_AND_RETURNED)
    for fulfillment in order.fulfillments.all():
        lines = list(fulfillment.lines.all())
        shipped_back = (fulfillment.shipping_refund_amount or 0) > 0
        if fulfillment.status not in refunded_statuses or not (lines or shipped_back):
            continue
        shipping = shipping or shipped_back
        amount += fulfillment.total_refund_amount or Decimal(0)
        for line in lines:
            quantities[str(line.order_line_id)] = quantities.get(str(line.order_line_id), 0) + line.quantity
    refunded = tuple(RefundedLineFacts(line_id, quantity) for line_id, quantity in sorted(quantities.items()))
    return refunded, shipping, amount


def order_facts(order_id) -> OrderFacts | None:
    """The order as it is now in Saleor's database (hooks hand us stale in-memory objects)."""
    from saleor.order import OrderChargeStatus, OrderStatus
    from saleor.order.models import Order

    order = (
        Order.objects.filter(pk=order_id)
        .select_related("channel")
        .prefetch_related(
            "lines",
            "payment_transactions",
            "payments__transactions",
            "granted_refunds__lines",
            "fulfillments__lines",
        )
        .first()
    )
    if order is None or order.status == OrderStatus.DRAFT:
        return None
    transactions = list(order.payment_transactions.all())
    refunded = sum((t.refunded_value for t in transactions), Decimal(0)) + _legacy_refunded(order)
    total = order.total_gross_amount
    is_paid = order.charge_status in (OrderChargeStatus.FULL, OrderChargeStatus.OVERCHARGED) or (
        total > 0 and order.total_charged_amount + refunded >= total
    )
    lines = tuple(
        OrderLineFacts(
            line_id=str(line.pk),
            product_name=line.product_name,
            sku=line.product_sku or "",
            quantity=line.quantity,
            total_net=line.total_price_net_amount,
            total_gross=line.total_price_gross_amount,
            is_gift_card=line.is_gift_card,
            variant_id=line.variant_id,
        )
        for line in order.lines.all()
    )
    refunded_lines, shipping_refunded, itemized_amount = itemized_refunds(order)
    return OrderFacts(
        order_id=order.pk,
        number=str(order.number),
        channel_slug=order.channel.slug,
        currency=order.currency,
        user_id=order.user_id,
        email=order.user_email or "",
        lines=lines,
        shipping_gross=order.shipping_price_gross_amount,
        total_gross=total,
        gift_card_paid=_charged_as_transactions(transactions),
        legacy_gift_card_paid=legacy_gift_card_spend(order.pk, transactions),
        is_paid=is_paid,
        refunded_amount=refunded,
        refunded_lines=refunded_lines,
        shipping_refunded=shipping_refunded,
        itemized_refund_amount=min(itemized_amount, refunded),
        is_cancelled=order.status == OrderStatus.CANCELED,
        language_code=order.language_code or "",
    )


def orders_changed_after(moment, last_key: str, limit: int) -> list[tuple[str, object]]:
    """(id, updated_at) of non-draft orders changed after a (moment, id) keyset position, oldest first."""
    from saleor.order import OrderStatus
    from saleor.order.models import Order

    orders = Order.objects.exclude(status=OrderStatus.DRAFT)
    if last_key:
        orders = orders.extra(
            where=["(order_order.updated_at, order_order.id) > (%s, %s::uuid)"], params=[moment, last_key]
        )
    else:
        orders = orders.filter(updated_at__gt=moment)
    return [
        (str(pk), updated_at)
        for pk, updated_at in orders.order_by("updated_at", "id").values_list("id", "updated_at")[:limit]
    ]


def order_ref_of(order):
    from saleor_loyalty.core.facts import OrderRef

    return OrderRef(
        order_id=order.pk,
        channel_slug=order.channel.slug,
        checkout_token=order.checkout_token or "",
        user_id=order.user_id,
        email=order.user_email or "",
        total_gross=order.total_gross_amount,
        created_at=order.created_at,
    )


def order_ref(order_id):
    from saleor.order.models import Order

    order = Order.objects.non_draft().filter(pk=order_id).select_related("channel").first()
    return order_ref_of(order) if order else None
