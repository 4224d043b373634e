"""Saleor's granted refunds with lines (`orderGrantRefundCreate`), refunded through the payment app: the
club takes back exactly the granted lines' points and cashback, and nothing for granted shipping."""

import json
from decimal import Decimal
from unittest.mock import patch

import graphene
import pytest
from saleor.core.models import EventDeliveryStatus
from saleor.order import OrderGrantedRefundStatus
from saleor.order.models import Order
from saleor.webhook.event_types import WebhookEventSyncType
from saleor.webhook.transport.utils import WebhookResponse

from saleor_loyalty.models import LoyaltyAccount

from .flows import ADDRESS, CHECKOUT_COMPLETE, CHECKOUT_CREATE, DELIVERY_UPDATE, saleor_call
from .test_cashback_by_line import cashback_program, taken_back
from .test_redemption_transactions import TRANSACTION_CREATE, sync_again_as_the_sweep_would
from .test_refunds_by_line import reversed_points
from .test_rewards import members_card

GRANT = """
mutation($id: ID!, $input: OrderGrantRefundCreateInput!) {
  orderGrantRefundCreate(id: $id, input: $input) { grantedRefund { id } errors { field message code } }
}"""
REFUND_GRANTED = """
mutation($grantedRefund: ID!) {
  transactionRequestRefundForGrantedRefund(grantedRefundId: $grantedRefund) { errors { field message code } }
}"""


@pytest.fixture
def psp_app(app_api_client, permission_manage_payments, settings):
    """The payment app: it charged the order, and answers Saleor's refund requests by webhook (sent by
    Saleor's webhook plugin, which this tier's settings leave out unless a test needs it)."""
    settings.PLUGINS = [*settings.PLUGINS, "saleor.plugins.webhook.plugin.WebhookPlugin"]
    app_api_client.app.permissions.add(permission_manage_payments)
    webhook = app_api_client.app.webhooks.create(
        name="refunds", is_active=True, target_url="https://psp.example.com/refund"
    )
    webhook.events.create(event_type=WebhookEventSyncType.TRANSACTION_REFUND_REQUESTED)
    return app_api_client


@pytest.fixture
def staff_payments(staff_api_client, permission_group_manage_orders, permission_group_handle_payments):
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    permission_group_handle_payments.user_set.add(staff_api_client.user)
    return staff_api_client


def _variant(product):
    return graphene.Node.to_global_id("ProductVariant", product.variants.first().pk)


def paid_through_the_app(user_api_client, psp_app, products, shipping_method, email):
    """Two $10 mugs and a $20 jug, $10 shipping, charged by the payment app (Saleor's transaction flow)."""
    lines = [
        {"quantity": 2, "variantId": _variant(products[0])},
        {"quantity": 1, "variantId": _variant(products[1])},
    ]
    checkout_id = saleor_call(
        user_api_client,
        CHECKOUT_CREATE,
        {
            "input": {
                "channel": "main",
                "email": email,
                "lines": lines,
                "shippingAddress": ADDRESS,
                "billingAddress": ADDRESS,
            }
        },
        "checkoutCreate",
    )["checkout"]["id"]
    method = graphene.Node.to_global_id("ShippingMethod", shipping_method.pk)
    total = saleor_call(
        user_api_client,
        DELIVERY_UPDATE,
        {"id": checkout_id, "method": method},
        "checkoutDeliveryMethodUpdate",
    )["checkout"]["totalPrice"]["gross"]["amount"]
    psp = saleor_call(
        psp_app, TRANSACTION_CREATE, {"id": checkout_id, "amount": str(total)}, "transactionCreate"
    )["transaction"]["id"]
    data = saleor_call(user_api_client, CHECKOUT_COMPLETE, {"id": checkout_id}, "checkoutComplete")["order"]
    return Order.objects.get(number=data["number"]), psp


def the_app_refunds(amount: str):
    """The app's answer to Saleor's refund request: the PSP refunded `amount`."""
    answer = json.dumps(
        {"pspReference": f"psp-refund-{amount}", "result": "REFUND_SUCCESS", "amount": amount}
    )
    return patch(
        "saleor.webhook.transport.synchronous.transport.send_webhook_using_http",
        return_value=WebhookResponse(
            content=answer, status=EventDeliveryStatus.SUCCESS, response_status_code=200
        ),
    )


def grant_and_refund(staff, order, psp, capture, amount: str, **grant):
    granted = saleor_call(
        staff,
        GRANT,
        {"id": graphene.Node.to_global_id("Order", order.pk), "input": {"transactionId": psp, **grant}},
        "orderGrantRefundCreate",
    )["grantedRefund"]["id"]
    with the_app_refunds(amount), capture(execute=True):
        saleor_call(
            staff, REFUND_GRANTED, {"grantedRefund": granted}, "transactionRequestRefundForGrantedRefund"
        )
    with capture(execute=True):
        sync_again_as_the_sweep_would(order)
    return order.granted_refunds.get(pk=graphene.Node.from_global_id(granted)[1])


def test_a_granted_refund_of_one_line_takes_back_that_lines_points_and_cashback(
    user_api_client,
    psp_app,
    staff_payments,
    customer_user,
    product_list,
    shipping_method,
    django_capture_on_commit_callbacks,
):
    # given 40 points and $4 cashback ($2 the mugs, $2 the jug) on a $50 order charged by the app
    cashback_program()
    order, psp = paid_through_the_app(
        user_api_client, psp_app, product_list, shipping_method, customer_user.email
    )
    assert LoyaltyAccount.objects.get(user=customer_user).balance == 40
    assert members_card(customer_user).current_balance_amount == Decimal("4.000")

    # when staff grant a refund of the jug line and Saleor has the app refund it ($20 of $50)
    jug = graphene.Node.to_global_id("OrderLine", order.lines.get(quantity=1).pk)
    grant = grant_and_refund(
        staff_payments,
        order,
        psp,
        django_capture_on_commit_callbacks,
        "20",
        lines=[{"id": jug, "quantity": 1}],
    )

    # then Saleor counts the granted refund as done, and the club took back the jug's 20 points and $2
    assert grant.status == OrderGrantedRefundStatus.SUCCESS
    assert reversed_points(order) == 20
    assert taken_back(order) == Decimal("2.00")
    assert members_card(customer_user).current_balance_amount == Decimal("2.000")


def test_a_granted_refund_of_shipping_only_takes_nothing_back(
    user_api_client,
    psp_app,
    staff_payments,
    customer_user,
    product_list,
    shipping_method,
    django_capture_on_commit_callbacks,
):
    cashback_program()
    order, psp = paid_through_the_app(
        user_api_client, psp_app, product_list, shipping_method, customer_user.email
    )

    grant = grant_and_refund(
        staff_payments, order, psp, django_capture_on_commit_callbacks, "10", grantRefundForShipping=True
    )

    assert grant.status == OrderGrantedRefundStatus.SUCCESS
    assert reversed_points(order) == 0
    assert taken_back(order) == 0
    assert LoyaltyAccount.objects.get(user=customer_user).balance == 40
    assert members_card(customer_user).current_balance_amount == Decimal("4.000")
