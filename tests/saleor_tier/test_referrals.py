"""A friend brings a friend through Saleor's real checkout: the welcome voucher on the friend's checkout,
the referrer rewarded after the pending period, and a refund through Saleor reversing it."""

from datetime import timedelta
from decimal import Decimal

import graphene
import pytest
from django.utils import timezone
from saleor.order.models import Order

from saleor_loyalty.engagement import referral_orders
from saleor_loyalty.models import EntryKind, LedgerEntry, Referral, ReferralStatus
from saleor_loyalty.saleor_adapter.referral_vouchers import saleor_referrals

from .flows import (
    ADD_PROMO_CODE,
    ADDRESS,
    CHECKOUT_COMPLETE,
    CHECKOUT_CREATE,
    DELIVERY_UPDATE,
    PAYMENT_CREATE,
    club,
    saleor_call,
)
from .test_order_points import ORDER_REFUND

FRIEND_ADDRESS = {
    **ADDRESS,
    "firstName": "Noa",
    "lastName": "Cohen",
    "streetAddress1": "Piotrkowska 12",
    "city": "ŁÓDŹ",
    "postalCode": "90-001",
    "phone": "+48422001234",
}
RULES = """mutation { loyaltyReferralSettingsUpdate(channel: "main", input: {enabled: true, referrerPoints: 500,
  friendBenefit: VOUCHER_FIXED, friendValue: "5", pendingDays: 14,
  linkTemplate: "https://shop.example.com/?ref={code}"}) { errors { field code message } } }"""
MY_CODE = """{ me(channel: "main") { referral { code link referrals(first: 5) { edges { node {
  status reasonCode friendEmail } } } } } }"""
APPLY = """mutation($checkout: ID!, $code: String!) { loyaltyReferralApply(channel: "main", checkoutId: $checkout,
  code: $code) { voucherCode voucherApplied referral { status } errors { field code message } } }"""
CHECKOUT = """query($id: ID!) { checkout(id: $id) { voucherCode totalPrice { gross { amount } } } }"""


@pytest.fixture
def staff_orders(staff_api_client, permission_group_manage_orders):
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    return staff_api_client


@pytest.fixture
def referrer_code(main_club, settings_staff, customer_user):
    status, answer = club(RULES, user=settings_staff)
    assert answer["data"]["loyaltyReferralSettingsUpdate"]["errors"] == [], answer
    _, me = club(MY_CODE, user=customer_user)
    referral = me["data"]["me"]["referral"]
    assert referral["link"] == f"https://shop.example.com/?ref={referral['code']}"
    return referral["code"]


def friends_checkout(api_client, shop, email, address):
    variant, _ = shop
    return saleor_call(
        api_client,
        CHECKOUT_CREATE,
        {
            "input": {
                "channel": "main",
                "email": email,
                "lines": [
                    {"quantity": 3, "variantId": graphene.Node.to_global_id("ProductVariant", variant.pk)}
                ],
                "shippingAddress": address,
                "billingAddress": address,
            }
        },
        "checkoutCreate",
    )["checkout"]["id"]


def pay_and_complete(api_client, checkout_id, shipping_method):
    completed = _complete(api_client, checkout_id, shipping_method)
    assert completed["errors"] == [], completed["errors"]
    return completed["order"]


def _complete(api_client, checkout_id, shipping_method):
    """Delivery, dummy-gateway payment, completion: Saleor's answer (the order, or its errors)."""
    from saleor.graphql.tests.utils import get_graphql_content

    total = saleor_call(
        api_client,
        DELIVERY_UPDATE,
        {"id": checkout_id, "method": graphene.Node.to_global_id("ShippingMethod", shipping_method.pk)},
        "checkoutDeliveryMethodUpdate",
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
    return get_graphql_content(api_client.post_graphql(CHECKOUT_COMPLETE, {"id": checkout_id}))["data"][
        "checkoutComplete"
    ]


def saleor_call_query(api_client, checkout_id):
    from saleor.graphql.tests.utils import get_graphql_content

    return get_graphql_content(api_client.post_graphql(CHECKOUT, {"id": checkout_id}))["data"]["checkout"]


def referral_rows(kind):
    return list(LedgerEntry.objects.filter(kind=kind).values_list("points", flat=True))


def test_a_referred_friends_real_checkout_gets_the_welcome_voucher_and_the_referrer_is_rewarded_then_reversed(
    api_client, staff_orders, customer_user, shop, referrer_code
):
    # given a guest friend's checkout in Saleor, and the referrer's code applied by the storefront (token holder)
    checkout_id = friends_checkout(api_client, shop, "noa.cohen@example.com", FRIEND_ADDRESS)
    status, answer = club(APPLY, {"checkout": checkout_id, "code": referrer_code.lower()})
    applied = answer["data"]["loyaltyReferralApply"]
    assert (status, applied["errors"], applied["voucherApplied"]) == (200, [], True)
    seen = saleor_call_query(api_client, checkout_id)
    assert seen["voucherCode"] == applied["voucherCode"]

    # then Saleor's checkout carries the single-use welcome voucher, and choosing delivery keeps it there
    # (the club's own tier-voucher logic runs on checkout_updated and must not take it off)
    order = pay_and_complete(api_client, checkout_id, shop[1])
    saleor_order = Order.objects.get(pk=graphene.Node.from_global_id(order["id"])[1])
    assert saleor_order.voucher_code == applied["voucherCode"]
    assert saleor_order.undiscounted_total_gross_amount == Decimal("40.000")  # $30 goods + $10 shipping
    assert saleor_order.subtotal_gross_amount == Decimal("25.000")  # $30 goods − the $5 welcome voucher
    assert saleor_order.total_gross_amount == Decimal("35.000")

    # and the referral counted the friend's first paid order; nothing is given before the pending period
    referral = Referral.objects.get()
    assert (referral.status, referral.voucher_spent) == (ReferralStatus.ORDERED, True)
    assert referral_orders.reward_due(saleor_referrals, now=timezone.now() + timedelta(days=13)).written == 0

    # when the clock passes the pending period
    run = referral_orders.reward_due(saleor_referrals, now=timezone.now() + timedelta(days=15))

    # then the referrer has 500 points, and sees the friend (masked) as rewarded
    assert run.written == 1
    assert referral_rows(EntryKind.REFERRAL_REWARD) == [500]
    _, me = club(MY_CODE, user=customer_user)
    assert me["data"]["me"]["referral"]["referrals"]["edges"] == [
        {"node": {"status": "REWARDED", "reasonCode": None, "friendEmail": "n***@example.com"}}
    ]

    # when Saleor refunds the friend's order in full
    saleor_call(staff_orders, ORDER_REFUND, {"id": order["id"], "amount": "35.00"}, "orderRefund")

    # then the reward is reversed by a reversal row; the voucher stays recorded as spent
    referral.refresh_from_db()
    assert (referral.status, referral.reason_code, referral.voucher_spent) == (
        ReferralStatus.REVERSED,
        "order_refunded",
        True,
    )
    assert referral_rows(EntryKind.REFERRAL_REVERSAL) == [-500]
    assert customer_user.loyalty_accounts.get().balance == 0


def test_a_second_account_at_the_referrers_address_is_rejected_as_self_referral(
    user2_api_client, customer_user, customer_user2, shop, referrer_code
):
    # given the referrer's own address (Saleor's fixture address) on another account's first checkout
    customer_user.addresses.add(customer_user.default_shipping_address)
    checkout_id = friends_checkout(user2_api_client, shop, customer_user2.email, ADDRESS)
    _, answer = club(APPLY, {"checkout": checkout_id, "code": referrer_code}, user=customer_user2)
    assert answer["data"]["loyaltyReferralApply"]["errors"] == []

    # when that order is paid
    pay_and_complete(user2_api_client, checkout_id, shop[1])

    # then the referral is rejected with its reason, and nothing is ever rewarded
    referral = Referral.objects.get()
    assert (referral.status, referral.reason_code) == (ReferralStatus.REJECTED, "self_referral")
    assert referral.signals["match"] in {"phone", "address"}
    assert referral_orders.reward_due(saleor_referrals, now=timezone.now() + timedelta(days=30)).written == 0


def test_an_existing_customer_cannot_use_a_code(
    user_api_client, customer_user2, user2_api_client, shop, referrer_code, order
):
    # given a customer who already has an order
    order.user, order.user_email = customer_user2, customer_user2.email
    order.save(update_fields=["user", "user_email"])
    checkout_id = friends_checkout(user2_api_client, shop, customer_user2.email, FRIEND_ADDRESS)

    _, answer = club(APPLY, {"checkout": checkout_id, "code": referrer_code}, user=customer_user2)

    errors = answer["data"]["loyaltyReferralApply"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("REFERRAL_NOT_ELIGIBLE", "code")]
    assert "first order" in errors[0]["message"]
    assert not Referral.objects.exists()


def test_a_leaked_welcome_voucher_fails_at_order_creation_for_anyone_but_the_friend(
    api_client, customer_user, shop, referrer_code
):
    # given Noa's checkout got the welcome voucher, and Eli found its code
    noas = friends_checkout(api_client, shop, "noa.cohen@example.com", FRIEND_ADDRESS)
    _, answer = club(APPLY, {"checkout": noas, "code": referrer_code})
    code = answer["data"]["loyaltyReferralApply"]["voucherCode"]
    elis = friends_checkout(api_client, shop, "eli@example.com", {**FRIEND_ADDRESS, "firstName": "Eli"})
    applied = saleor_call(api_client, ADD_PROMO_CODE, {"id": elis, "code": code}, "checkoutAddPromoCode")
    assert applied["checkout"]["voucherCode"] == code  # Saleor's vouchers are bearer codes

    # when Eli completes, then order creation refuses the code and no order exists
    refused = _complete(api_client, elis, shop[1])
    assert refused["order"] is None
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("promoCode", "VOUCHER_NOT_APPLICABLE")]
    assert not Order.objects.filter(user_email="eli@example.com").exists()

    # and Noa's own order with it goes through
    assert pay_and_complete(api_client, noas, shop[1]) is not None
