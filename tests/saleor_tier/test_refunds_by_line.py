"""Refunds by line through Saleor's real API: a refunded line takes back what it earned, shipping nothing."""

import graphene
from saleor.order.models import Order

from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount

from .flows import (
    ADDRESS,
    CHECKOUT_COMPLETE,
    CHECKOUT_CREATE,
    DELIVERY_UPDATE,
    PAYMENT_CREATE,
    saleor_call,
)

REFUND_PRODUCTS = """
mutation($order: ID!, $input: OrderRefundProductsInput!) {
  orderFulfillmentRefundProducts(order: $order, input: $input) {
    fulfillment { status totalRefundedAmount { amount } } errors { field message code }
  }
}"""


def _variant_id(product):
    return graphene.Node.to_global_id("ProductVariant", product.variants.first().pk)


def place_two_line_order(api_client, products, shipping_method, email):
    """Two $10 mugs and one $20 jug, $10 shipping, paid through Saleor's dummy gateway."""
    mug, jug = products[0], products[1]
    checkout_id = saleor_call(
        api_client,
        CHECKOUT_CREATE,
        {
            "input": {
                "channel": "main",
                "email": email,
                "lines": [
                    {"quantity": 2, "variantId": _variant_id(mug)},
                    {"quantity": 1, "variantId": _variant_id(jug)},
                ],
                "shippingAddress": ADDRESS,
                "billingAddress": ADDRESS,
            }
        },
        "checkoutCreate",
    )["checkout"]["id"]
    method = graphene.Node.to_global_id("ShippingMethod", shipping_method.pk)
    total = saleor_call(
        api_client, DELIVERY_UPDATE, {"id": checkout_id, "method": method}, "checkoutDeliveryMethodUpdate"
    )["checkout"]["totalPrice"]["gross"]["amount"]
    saleor_call(
        api_client,
        PAYMENT_CREATE,
        {
            "id": checkout_id,
            "input": {"gateway": "mirumee.payments.dummy", "token": "fully-charged", "amount": total},
        },
        "checkoutPaymentCreate",
    )
    data = saleor_call(api_client, CHECKOUT_COMPLETE, {"id": checkout_id}, "checkoutComplete")["order"]
    return Order.objects.get(number=data["number"])


def reversed_points(order) -> int:
    return -sum(e.points for e in LedgerEntry.objects.filter(kind=EntryKind.EARN_REVERSAL, order_id=order.pk))


def refund_products(staff_api_client, order, **refund):
    saleor_call(
        staff_api_client,
        REFUND_PRODUCTS,
        {"order": graphene.Node.to_global_id("Order", order.pk), "input": refund},
        "orderFulfillmentRefundProducts",
    )


def test_refunding_one_line_through_saleor_reverses_only_that_lines_points(
    user_api_client,
    staff_api_client,
    permission_group_manage_orders,
    customer_user,
    product_list,
    shipping_method,
):
    # given a paid order: 2 × $10 mugs and a $20 jug (40 points), plus $10 shipping
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    order = place_two_line_order(user_api_client, product_list, shipping_method, customer_user.email)
    account = LoyaltyAccount.objects.get(user=customer_user)
    assert account.balance == 40
    jug_line = order.lines.get(quantity=1)

    # when staff refunds the jug line through Saleor (the dummy gateway returns $20)
    line_id = graphene.Node.to_global_id("OrderLine", jug_line.pk)
    refund_products(staff_api_client, order, orderLines=[{"orderLineId": line_id, "quantity": 1}])

    # then exactly the jug's 20 points are reversed (not 20/50 of 40 = 16), and the mugs keep theirs
    account.refresh_from_db()
    assert reversed_points(order) == 20
    assert account.balance == 20


def test_refunding_shipping_only_through_saleor_reverses_nothing(
    user_api_client,
    staff_api_client,
    permission_group_manage_orders,
    customer_user,
    product_list,
    shipping_method,
):
    # given the same paid order, 40 points earned on its goods
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    order = place_two_line_order(user_api_client, product_list, shipping_method, customer_user.email)

    # when staff refunds its shipping alone through Saleor
    refund_products(staff_api_client, order, includeShippingCosts=True)

    # then Saleor did refund money, and no point is taken back
    order.refresh_from_db()
    assert order.fulfillments.get(status="refunded").shipping_refund_amount > 0
    assert reversed_points(order) == 0
    assert LoyaltyAccount.objects.get(user=customer_user).balance == 40
