"""Cashback refunds by line through Saleor's real API: a refunded line takes back its own cashback, shipping none."""

from decimal import Decimal

import graphene

from saleor_loyalty.models import CreditEntry, CreditKind, LoyaltyAccount, LoyaltyProgram

from .test_refunds_by_line import place_two_line_order, refund_products, reversed_points
from .test_rewards import members_card


def cashback_program():
    """10 % cashback, credited when the order syncs (no pending period)."""
    return LoyaltyProgram.objects.create(
        channel_slug="main", currency="USD", pending_days=0, cashback_percent=Decimal("10")
    )


def taken_back(order) -> Decimal:
    rows = CreditEntry.objects.filter(kind=CreditKind.CASHBACK_REVERSAL, order_id=order.pk)
    return -sum((row.amount for row in rows), Decimal(0))


def test_refunding_one_line_through_saleor_takes_back_that_lines_cashback_and_points(
    user_api_client,
    staff_api_client,
    permission_group_manage_orders,
    customer_user,
    product_list,
    shipping_method,
):
    # given $4 cashback ($2 on the two mugs, $2 on the jug) and 40 points on a $50 order ($10 shipping)
    cashback_program()
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    order = place_two_line_order(user_api_client, product_list, shipping_method, customer_user.email)
    assert members_card(customer_user).current_balance_amount == Decimal("4.000")
    earn = CreditEntry.objects.get(kind=CreditKind.CASHBACK_EARN, order_id=order.pk)
    assert sorted(line["cashback"] for line in earn.detail["lines"]) == ["2.00", "2.00"]

    # when staff refunds the jug line through Saleor (the dummy gateway returns $20 of $50)
    jug_line = order.lines.get(quantity=1)
    line_id = graphene.Node.to_global_id("OrderLine", jug_line.pk)
    refund_products(staff_api_client, order, orderLines=[{"orderLineId": line_id, "quantity": 1}])

    # then exactly the jug's $2 cashback is taken off the card (not 20/50 of $4 = $1.60), and its 20 points
    assert taken_back(order) == Decimal("2.00")
    assert members_card(customer_user).current_balance_amount == Decimal("2.000")
    assert reversed_points(order) == 20
    assert LoyaltyAccount.objects.get(user=customer_user).balance == 20


def test_refunding_shipping_only_through_saleor_takes_no_cashback(
    user_api_client,
    staff_api_client,
    permission_group_manage_orders,
    customer_user,
    product_list,
    shipping_method,
):
    # given the same order with its $4 cashback on the card
    cashback_program()
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    order = place_two_line_order(user_api_client, product_list, shipping_method, customer_user.email)

    # when staff refunds its shipping alone through Saleor
    refund_products(staff_api_client, order, includeShippingCosts=True)

    # then Saleor refunded money, and neither cashback nor points are taken back
    order.refresh_from_db()
    assert order.fulfillments.get(status="refunded").shipping_refund_amount > 0
    assert taken_back(order) == 0
    assert members_card(customer_user).current_balance_amount == Decimal("4.000")
    assert reversed_points(order) == 0
