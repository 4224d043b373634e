"""KPIs over real Saleor orders: checkouts completed through the dummy gateway, a refund, a guest order.

The numbers the club endpoint answers must match a hand count on this small shop.
"""

from decimal import Decimal

from django.utils import timezone
from saleor.account.models import User
from saleor.order.models import Order

from saleor_loyalty import tasks
from saleor_loyalty.core.clock import local_date
from saleor_loyalty.models import LoyaltyProgram, OrderRollup

from .flows import club, place_paid_order, saleor_call

ORDER_REFUND = """
mutation($id: ID!, $amount: PositiveDecimal!) {
  orderRefund(id: $id, amount: $amount) { order { id } errors { field message code } }
}"""
KPIS = """
query($channel: String!, $since: Date!, $until: Date!) {
  kpis(channel: $channel, since: $since, until: $until) {
    currency orders membersCount membersActive customersActive repeatPurchaseRate purchaseFrequency
    revenue { amount currency } memberAov { amount } guestAov { amount }
    months { orders memberOrders activeCustomers newCustomers }
  }
  kpiCohorts(channel: $channel, since: $since, until: $until) { size memberSize ltv { amount currency } }
}"""


def total(order) -> Decimal:
    return Decimal(str(order["total"]["gross"]["amount"]))


def test_kpis_over_real_orders_match_a_hand_count(
    user_api_client, api_client, staff_api_client, staff_user, permission_group_manage_orders,
    permission_manage_users, customer_user, shop,
):  # fmt: skip
    # given a member's two paid orders (3 × $10 and 1 × $10, $10 shipping each), $10 of the first refunded,
    # and a guest's order of 2 × $10
    variant, shipping = shop
    first = place_paid_order(user_api_client, variant, shipping, quantity=3, email=customer_user.email)
    second = place_paid_order(user_api_client, variant, shipping, quantity=1, email=customer_user.email)
    guest = place_paid_order(api_client, variant, shipping, quantity=2, email="walk-in@example.com")
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    saleor_call(staff_api_client, ORDER_REFUND, {"id": first["id"], "amount": "10"}, "orderRefund")
    staff_user.user_permissions.add(permission_manage_users)
    staff = User.objects.get(pk=staff_user.pk)
    program = LoyaltyProgram.objects.get(channel_slug="main")
    month = local_date(timezone.now(), program.timezone).replace(day=1).isoformat()

    # when staff ask the club for this month's KPIs
    status, body = club(KPIS, {"channel": "main", "since": month, "until": month}, user=staff)

    # then they are what a hand count gives
    assert status == 200, body
    assert "errors" not in body, body
    kpis = body["data"]["kpis"]
    member_revenue = total(first) - 10 + total(second)
    assert total(first) == 40
    assert kpis["currency"] == "USD"
    assert kpis["orders"] == 3
    assert Decimal(str(kpis["revenue"]["amount"])) == member_revenue + total(guest) == 80
    assert Decimal(str(kpis["memberAov"]["amount"])) == member_revenue / 2 == 25
    assert Decimal(str(kpis["guestAov"]["amount"])) == total(guest) == 30
    assert (kpis["membersCount"], kpis["membersActive"], kpis["customersActive"]) == (1, 1, 2)
    assert kpis["repeatPurchaseRate"] == 0.5  # the member came back, the guest did not (yet)
    assert kpis["purchaseFrequency"] == 1.5
    assert kpis["months"] == [{"orders": 3, "memberOrders": 2, "activeCustomers": 2, "newCustomers": 2}]
    (cohort,) = body["data"]["kpiCohorts"]
    assert (cohort["size"], cohort["memberSize"]) == (2, 1)
    assert cohort["ltv"] == {"amount": 40.0, "currency": "USD"}

    # and replaying an order's event, or the backfill walking every order again, changes nothing
    tasks.sync_order_task(str(Order.objects.get(number=first["number"]).pk))
    tasks.kpi_rollups_task()
    assert OrderRollup.objects.count() == 3
    _, again = club(KPIS, {"channel": "main", "since": month, "until": month}, user=staff)
    assert again["data"] == body["data"]
