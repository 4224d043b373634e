"""Checkout → dummy gateway → paid order → the club plugin → points, all through Saleor's real API."""

from decimal import ROUND_DOWN, Decimal

import graphene
from saleor.core.jwt import create_access_token
from saleor.order.models import Order
from saleor.plugins.manager import get_plugins_manager

from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount, LoyaltyProgram

from .flows import ME, club, place_paid_order, saleor_call

ORDER_REFUND = """
mutation($id: ID!, $amount: PositiveDecimal!) {
  orderRefund(id: $id, amount: $amount) { order { id } errors { field message code } }
}"""
ORDER_CANCEL = """
mutation($id: ID!) { orderCancel(id: $id) { order { status } errors { field message code } } }"""


def goods_points(order_data) -> int:
    return int(Decimal(str(order_data["subtotal"]["gross"]["amount"])).to_integral_value(rounding=ROUND_DOWN))


def test_paid_checkout_earns_points_the_customer_sees(user_api_client, customer_user, shop):
    # given a customer who completes a checkout paid through Saleor's dummy gateway
    variant, shipping = shop

    # when
    order = place_paid_order(user_api_client, variant, shipping, quantity=3, email=customer_user.email)

    # then the club endpoint shows the points of the goods (not shipping) as pending, with history
    status, body = club(ME, {"channel": "main"}, user=customer_user)
    assert status == 200, body
    assert "errors" not in body, body
    me = body["data"]["me"]
    assert goods_points(order) == 30
    assert me["points"] == {"available": 0, "pending": 30, "lifetime": 30, "debt": 0}
    edge = me["transactions"]["edges"][0]["node"]
    assert (edge["kind"], edge["points"], edge["orderNumber"]) == ("EARN", 30, str(order["number"]))


def test_points_value_shows_what_available_points_are_worth(user_api_client, customer_user, shop):
    variant, shipping = shop
    LoyaltyProgram.objects.create(channel_slug="main", currency="USD", pending_days=0)

    place_paid_order(user_api_client, variant, shipping, quantity=4, email=customer_user.email)

    _, body = club(ME, {"channel": "main"}, user=customer_user)
    me = body["data"]["me"]
    assert me["points"]["available"] == 40
    assert me["pointsValue"] == {"amount": 2.0, "currency": "USD"}


def test_partial_then_full_refund_through_saleor_reverses_exactly(
    user_api_client, staff_api_client, permission_group_manage_orders, customer_user, shop
):
    # given a paid order of 3 × $10 plus shipping
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    variant, shipping = shop
    order = place_paid_order(user_api_client, variant, shipping, quantity=3, email=customer_user.email)
    total = Decimal(str(order["total"]["gross"]["amount"]))

    # when a third of the order total is refunded through Saleor
    saleor_call(staff_api_client, ORDER_REFUND, {"id": order["id"], "amount": str(total / 3)}, "orderRefund")

    # then a third of the points is reversed
    account = LoyaltyAccount.objects.get(user=customer_user)
    assert account.balance == 20

    # when the rest is refunded
    saleor_call(
        staff_api_client, ORDER_REFUND, {"id": order["id"], "amount": str(total - total / 3)}, "orderRefund"
    )

    # then nothing remains and the ledger agrees with the cache
    account.refresh_from_db()
    assert account.balance == 0
    assert [e.points for e in LedgerEntry.objects.filter(account=account).order_by("pk")] == [30, -10, -20]


def test_cancelled_order_loses_its_points(
    user_api_client, staff_api_client, permission_group_manage_orders, customer_user, shop
):
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    variant, shipping = shop
    order = place_paid_order(user_api_client, variant, shipping, quantity=2, email=customer_user.email)

    saleor_call(staff_api_client, ORDER_CANCEL, {"id": order["id"]}, "orderCancel")

    assert LoyaltyAccount.objects.get(user=customer_user).balance == 0
    assert (
        LedgerEntry.objects.filter(kind=EntryKind.EARN_REVERSAL, source_key__startswith="cancel:").count()
        == 1
    )


def test_order_fully_paid_replayed_ten_times_awards_once(
    user_api_client, customer_user, shop, django_capture_on_commit_callbacks
):
    variant, shipping = shop
    order_data = place_paid_order(user_api_client, variant, shipping, quantity=3, email=customer_user.email)
    order = Order.objects.get(pk=graphene.Node.from_global_id(order_data["id"])[1])
    manager = get_plugins_manager(allow_replica=False)

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(10):
            manager.order_fully_paid(order)

    assert LedgerEntry.objects.filter(kind=EntryKind.EARN, order_id=order.pk).count() == 1
    assert LoyaltyAccount.objects.get(user=customer_user).balance == 30


def test_other_customer_and_anonymous_get_nothing_of_the_first(
    user_api_client, customer_user, customer_user2, shop
):
    variant, shipping = shop
    place_paid_order(user_api_client, variant, shipping, quantity=3, email=customer_user.email)

    _, other = club(ME, {"channel": "main"}, user=customer_user2)
    status, anonymous = club(ME, {"channel": "main"})

    assert other["data"]["me"]["email"] == customer_user2.email
    assert other["data"]["me"]["points"] == {"available": 0, "pending": 0, "lifetime": 0, "debt": 0}
    assert other["data"]["me"]["transactions"]["totalCount"] == 0
    assert status == 200
    assert anonymous["data"]["me"] is None
    assert anonymous["errors"][0]["extensions"]["exception"]["code"] == "UNAUTHENTICATED"


def test_tampered_saleor_token_is_rejected(customer_user):
    # given a real customer token whose signature was altered
    token = create_access_token(customer_user)
    forged = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")

    status, body = club(ME, {"channel": "main"}, raw_token=forged)

    assert status == 401
    assert body["errors"][0]["extensions"]["exception"]["code"] == "INVALID_TOKEN"


def test_hook_failure_never_breaks_checkout_and_the_sweep_catches_up(
    user_api_client, customer_user, shop, monkeypatch
):
    # given the club's task queue is broken
    from saleor_loyalty import tasks

    def broken(*_args, **_kwargs):
        raise RuntimeError("broker down")

    monkeypatch.setattr(tasks.sync_order_task, "delay", broken)
    variant, shipping = shop

    # when the customer checks out, then Saleor's flow completes normally
    order = place_paid_order(user_api_client, variant, shipping, quantity=1, email=customer_user.email)
    assert order["status"] == "UNFULFILLED"
    assert not LedgerEntry.objects.exists()

    # and the periodic order sweep catches up the lost event
    monkeypatch.undo()
    tasks.sweep_changed_orders_task()
    assert LoyaltyAccount.objects.get(user=customer_user).balance == 10


def test_unknown_channel_is_a_typed_error(customer_user):
    _, body = club(ME, {"channel": "no-such-channel"}, user=customer_user)

    assert body["errors"][0]["extensions"]["exception"]["code"] == "CHANNEL_NOT_FOUND"


def test_checkout_mutations_record_activity_by_token(user_api_client, customer_user, shop):
    from saleor_loyalty.models import CheckoutActivity

    variant, shipping = shop
    place_paid_order(user_api_client, variant, shipping, quantity=1, email=customer_user.email)

    activity = CheckoutActivity.objects.get()
    assert (activity.channel_slug, activity.user_id, activity.email) == (
        "main",
        customer_user.pk,
        customer_user.email,
    )
    assert activity.last_seen_at >= activity.first_seen_at
