"""Real GraphQL round trips: Saleor's API for shopping, the club endpoint for points."""

import json

import graphene
from django.test import Client
from saleor.core.jwt import create_access_token
from saleor.graphql.tests.utils import get_graphql_content

CLUB_URL = "/plugins/global/saleor.loyalty/graphql/"

CHECKOUT_CREATE = """
mutation($input: CheckoutCreateInput!) {
  checkoutCreate(input: $input) { checkout { id } errors { field message code } }
}"""
DELIVERY_UPDATE = """
mutation($id: ID!, $method: ID!) {
  checkoutDeliveryMethodUpdate(id: $id, deliveryMethodId: $method) {
    checkout { totalPrice { gross { amount } } } errors { field message code }
  }
}"""
ADD_PROMO_CODE = """
mutation($id: ID!, $code: String!) {
  checkoutAddPromoCode(id: $id, promoCode: $code) {
    checkout { id voucherCode totalPrice { gross { amount } } } errors { field message code }
  }
}"""
PAYMENT_CREATE = """
mutation($id: ID!, $input: PaymentInput!) {
  checkoutPaymentCreate(id: $id, input: $input) { payment { id } errors { field message code } }
}"""
CHECKOUT_COMPLETE = """
mutation($id: ID!) {
  checkoutComplete(id: $id) {
    order { id number status total { gross { amount } } subtotal { gross { amount } } }
    errors { field message code }
  }
}"""

ADDRESS = {
    "firstName": "Dana",
    "lastName": "Levi",
    "streetAddress1": "Tęczowa 7",
    "city": "WROCŁAW",
    "postalCode": "53-601",
    "country": "PL",
    "phone": "+48713988102",
}


def saleor_call(api_client, query, variables, name):
    data = get_graphql_content(api_client.post_graphql(query, variables))["data"][name]
    assert data["errors"] == [], data["errors"]
    return data


def prepare_checkout(
    api_client,
    variant,
    shipping_method,
    quantity=3,
    email="dana@example.com",
    channel="main",
    promo_code=None,
):
    """Checkout → (promo code) → delivery → dummy-gateway payment: everything but the completion."""
    checkout_id = saleor_call(
        api_client,
        CHECKOUT_CREATE,
        {
            "input": {
                "channel": channel,
                "email": email,
                "lines": [
                    {
                        "quantity": quantity,
                        "variantId": graphene.Node.to_global_id("ProductVariant", variant.pk),
                    }
                ],
                "shippingAddress": ADDRESS,
                "billingAddress": ADDRESS,
            }
        },
        "checkoutCreate",
    )["checkout"]["id"]
    if promo_code:
        saleor_call(
            api_client, ADD_PROMO_CODE, {"id": checkout_id, "code": promo_code}, "checkoutAddPromoCode"
        )
    total = saleor_call(
        api_client,
        DELIVERY_UPDATE,
        {
            "id": checkout_id,
            "method": graphene.Node.to_global_id("ShippingMethod", shipping_method.pk),
        },
        "checkoutDeliveryMethodUpdate",
    )["checkout"]["totalPrice"]["gross"]["amount"]
    saleor_call(
        api_client,
        PAYMENT_CREATE,
        {
            "id": checkout_id,
            "input": {
                "gateway": "mirumee.payments.dummy",
                "token": "fully-charged",
                "amount": total,
            },
        },
        "checkoutPaymentCreate",
    )
    return checkout_id


def place_paid_order(
    api_client, variant, shipping_method, quantity=3, email="dana@example.com", channel="main"
):
    """The whole purchase: Saleor charges through the dummy gateway and fires order_fully_paid."""
    checkout_id = prepare_checkout(api_client, variant, shipping_method, quantity, email, channel)
    return saleor_call(api_client, CHECKOUT_COMPLETE, {"id": checkout_id}, "checkoutComplete")["order"]


def club(query, variables=None, user=None, app_token=None, raw_token=None):
    """POST to the club endpoint as Saleor's storefront or dashboard would."""
    headers = {}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = f"JWT {create_access_token(user)}"
    elif app_token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {app_token}"
    elif raw_token is not None:
        headers["HTTP_AUTHORIZATION"] = f"JWT {raw_token}"
    response = Client().post(
        CLUB_URL,
        json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
        **headers,
    )
    return response.status_code, response.json()


ME = """
query($channel: String!) {
  me(channel: $channel) {
    email
    points { available pending lifetime debt }
    pointsValue { amount currency }
    transactions(first: 10) { totalCount edges { node { kind points orderNumber reason } } }
  }
}"""
