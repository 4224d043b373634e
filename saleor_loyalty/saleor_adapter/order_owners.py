"""Whose a Saleor order is, for the club API's `Order.loyalty`: one indexed read by primary key."""

from uuid import UUID

from saleor_loyalty.members.order_rewards import OrderOwner


def order_owner(order_id: UUID) -> OrderOwner | None:
    from saleor.order.models import Order

    row = (
        Order.objects.filter(pk=order_id)
        .values("user_id", "channel__slug", "currency", "checkout_token")
        .first()
    )
    if row is None:
        return None
    try:
        token = UUID(row["checkout_token"]) if row["checkout_token"] else None
    except ValueError:
        token = None
    return OrderOwner(
        user_id=row["user_id"],
        channel_slug=row["channel__slug"],
        currency=row["currency"],
        checkout_token=token,
    )
