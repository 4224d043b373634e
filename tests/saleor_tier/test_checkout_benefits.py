"""Tier benefits inside Saleor's real checkout: a Gold member's checkout carries the tier discount and
completes with the club's free shipping; a leaked code or a reserved method fails for anyone else."""

from decimal import Decimal

import graphene
import pytest
from saleor.order.models import Order

from saleor_loyalty.core.facts import Actor
from saleor_loyalty.ledger.accounts import account_for
from saleor_loyalty.models import LedgerEntry, MemberVoucherCode
from saleor_loyalty.saleor_adapter import checkouts as adapter_checkouts
from saleor_loyalty.tiers import settings as tier_settings

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

CHECKOUT = """query($id: ID!) { checkout(id: $id) {
  voucherCode discount { amount } deliveryMethod { ... on ShippingMethod { id } } subtotalPrice { gross { amount } } shippingPrice { gross { amount } }
  totalPrice { gross { amount } } } }"""
EMAIL_UPDATE = """
mutation($id: ID!, $email: String!) {
  checkoutEmailUpdate(id: $id, email: $email) { checkout { id } errors { field message code } }
}"""
RESERVE_SHIPPING = """
mutation($ids: [ID!]!) {
  loyaltyClubShippingMethodsSet(channel: "main", shippingMethodIds: $ids) {
    shippingMethodIds errors { field message code }
  }
}"""
CLUB_SHIPPING = """{ clubShippingMethodIds(channel: "main") }"""


@pytest.fixture
def gold_member(main_club, customer_user):
    account = account_for(main_club, customer_user.pk, customer_user.email)
    tier_settings.set_floor(
        account, main_club.tiers.get(name="Gold"), "Founding customer", Actor(label="test")
    )
    return customer_user


@pytest.fixture
def club_shipping(shipping_method_price_0, settings_staff, main_club):
    """Staff reserve a method the merchant priced 0 for free-shipping tiers."""
    method_id = graphene.Node.to_global_id("ShippingMethod", shipping_method_price_0.pk)
    _, body = club(RESERVE_SHIPPING, {"ids": [method_id]}, user=settings_staff)
    assert body["data"]["loyaltyClubShippingMethodsSet"] == {"shippingMethodIds": [method_id], "errors": []}
    return shipping_method_price_0


def _as_saleor_runs_it(capture, call):
    """Saleor fires checkout hooks after its transaction commits; the test database never commits."""
    with capture(execute=True):
        return call()


def open_checkout(api_client, variant, capture, email, quantity=3):
    return _as_saleor_runs_it(
        capture,
        lambda: saleor_call(
            api_client,
            CHECKOUT_CREATE,
            {
                "input": {
                    "channel": "main",
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
        ),
    )["checkout"]["id"]


def choose_delivery(api_client, checkout_id, method, capture):
    _as_saleor_runs_it(
        capture,
        lambda: saleor_call(
            api_client,
            DELIVERY_UPDATE,
            {
                "id": checkout_id,
                "method": graphene.Node.to_global_id("ShippingMethod", method.pk),
            },
            "checkoutDeliveryMethodUpdate",
        ),
    )


def read_checkout(api_client, checkout_id):
    return api_client.post_graphql(CHECKOUT, {"id": checkout_id}).json()["data"]["checkout"]


def pay_and_complete(api_client, checkout_id, capture):
    total = read_checkout(api_client, checkout_id)["totalPrice"]["gross"]["amount"]
    saleor_call(
        api_client,
        PAYMENT_CREATE,
        {
            "id": checkout_id,
            "input": {"gateway": "mirumee.payments.dummy", "token": "fully-charged", "amount": total},
        },
        "checkoutPaymentCreate",
    )
    with capture(execute=True):
        return api_client.post_graphql(CHECKOUT_COMPLETE, {"id": checkout_id}).json()["data"][
            "checkoutComplete"
        ]


def test_gold_member_checkout_gets_tier_discount_and_free_shipping(
    user_api_client,
    gold_member,
    product,
    club_shipping,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    # given a Gold member's $30 checkout
    checkout_id = open_checkout(user_api_client, product.variants.first(), capture, gold_member.email)

    # then the club has put the member's own code on it: 5 % off the goods
    code = MemberVoucherCode.objects.get(account__user=gold_member, tier__name="Gold").code
    checkout = read_checkout(user_api_client, checkout_id)
    assert checkout["voucherCode"] == code
    assert (checkout["subtotalPrice"]["gross"]["amount"], checkout["discount"]["amount"]) == (28.5, 1.5)

    # and picked the club's free shipping, as no delivery was chosen yet
    assert checkout["deliveryMethod"] == {
        "id": graphene.Node.to_global_id("ShippingMethod", club_shipping.pk)
    }
    assert (checkout["shippingPrice"]["gross"]["amount"], checkout["totalPrice"]["gross"]["amount"]) == (
        0,
        28.5,
    )

    # when the member pays through Saleor
    result = pay_and_complete(user_api_client, checkout_id, capture)

    # then Saleor's order carries both benefits
    assert result["errors"] == []
    order = Order.objects.get(number=result["order"]["number"])
    assert (order.voucher_code, order.shipping_price_gross.amount, order.total_gross.amount) == (
        code,
        Decimal(0),
        Decimal("28.50"),
    )
    assert [d.amount_value for d in order.discounts.all()] == [Decimal("1.50")]
    # and Gold's 1.5× points are earned on what the goods cost after the discount: 28.50 × 1.5 → 42
    assert list(LedgerEntry.objects.filter(account__user=gold_member).values_list("kind", "points")) == [
        ("earn", 42)
    ]


def test_leaked_club_code_fails_at_order_creation_for_anyone_else(
    user_api_client,
    api_client,
    gold_member,
    product,
    shipping_method,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    capture = django_capture_on_commit_callbacks
    open_checkout(user_api_client, product.variants.first(), capture, gold_member.email)
    code = MemberVoucherCode.objects.get(account__user=gold_member).code

    # given a guest who got hold of the member's code, applied while the club's hook was failing
    checkout_id = open_checkout(api_client, product.variants.first(), capture, "stranger@example.com")
    choose_delivery(api_client, checkout_id, shipping_method, capture)
    with monkeypatch.context() as broken:
        broken.setattr(adapter_checkouts, "checkout_benefit_facts", _hook_failure)
        applied = saleor_call(
            api_client, ADD_PROMO_CODE, {"id": checkout_id, "code": code}, "checkoutAddPromoCode"
        )
    assert applied["checkout"]["voucherCode"] == code  # Saleor's vouchers are bearer codes
    assert read_checkout(api_client, checkout_id)["discount"]["amount"] == 1.5

    # when the guest completes, then order creation refuses the code and no order exists
    result = pay_and_complete(api_client, checkout_id, capture)
    assert result["order"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("promoCode", "VOUCHER_NOT_APPLICABLE")]
    assert not Order.objects.filter(user_email="stranger@example.com").exists()


def _hook_failure(_checkout):
    raise ConnectionError("club database unreachable")


def test_club_strips_a_leaked_code_from_a_non_member_checkout(
    user_api_client,
    user2_api_client,
    gold_member,
    product,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    open_checkout(user_api_client, product.variants.first(), capture, gold_member.email)
    code = MemberVoucherCode.objects.get(account__user=gold_member).code
    checkout_id = open_checkout(
        user2_api_client, product.variants.first(), capture, user2_api_client.user.email
    )

    _as_saleor_runs_it(
        capture,
        lambda: saleor_call(
            user2_api_client, ADD_PROMO_CODE, {"id": checkout_id, "code": code}, "checkoutAddPromoCode"
        ),
    )

    checkout = read_checkout(user2_api_client, checkout_id)
    assert (checkout["voucherCode"], checkout["discount"]["amount"]) == (None, 0.0)


def test_reserved_shipping_method_fails_for_a_regular_member(
    user2_api_client,
    main_club,
    product,
    club_shipping,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    _, public = club(CLUB_SHIPPING)  # anonymous: a storefront hides these from non-members
    assert public["data"]["clubShippingMethodIds"] == [
        graphene.Node.to_global_id("ShippingMethod", club_shipping.pk)
    ]
    checkout_id = open_checkout(
        user2_api_client, product.variants.first(), capture, user2_api_client.user.email
    )
    choose_delivery(user2_api_client, checkout_id, club_shipping, capture)

    result = pay_and_complete(user2_api_client, checkout_id, capture)

    assert result["order"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        ("shippingMethod", "INVALID_SHIPPING_METHOD")
    ]


def test_a_delivery_the_member_chose_is_never_replaced(
    user_api_client,
    gold_member,
    product,
    club_shipping,
    shipping_method,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    checkout_id = open_checkout(user_api_client, product.variants.first(), capture, gold_member.email)

    choose_delivery(user_api_client, checkout_id, shipping_method, capture)  # the paid courier, on purpose
    _as_saleor_runs_it(
        capture,
        lambda: saleor_call(  # any later change runs the club's hook again
            user_api_client,
            EMAIL_UPDATE,
            {"id": checkout_id, "email": gold_member.email},
            "checkoutEmailUpdate",
        ),
    )

    checkout = read_checkout(user_api_client, checkout_id)
    assert checkout["deliveryMethod"] == {
        "id": graphene.Node.to_global_id("ShippingMethod", shipping_method.pk)
    }
    assert checkout["shippingPrice"]["gross"]["amount"] == 10


def test_a_voucher_the_member_chose_is_never_replaced(
    user_api_client,
    gold_member,
    product,
    voucher,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    checkout_id = open_checkout(user_api_client, product.variants.first(), capture, gold_member.email)
    merchant_code = voucher.codes.first().code

    _as_saleor_runs_it(
        capture,
        lambda: saleor_call(
            user_api_client,
            ADD_PROMO_CODE,
            {"id": checkout_id, "code": merchant_code},
            "checkoutAddPromoCode",
        ),
    )

    assert read_checkout(user_api_client, checkout_id)["voucherCode"] == merchant_code


TIER_UPDATE = """mutation($id: ID!) { loyaltyTierUpdate(channel: "main", id: $id, input: {discountPercent: "7"}) {
  errors { field code } } }"""


def test_staff_changing_the_tier_discount_reaches_open_checkouts(
    user_api_client,
    gold_member,
    main_club,
    product,
    settings_staff,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    checkout_id = open_checkout(user_api_client, product.variants.first(), capture, gold_member.email)
    gold = main_club.tiers.get(name="Gold")
    _, body = club(
        TIER_UPDATE, {"id": graphene.Node.to_global_id("LoyaltyTier", gold.pk)}, user=settings_staff
    )
    assert body["data"]["loyaltyTierUpdate"]["errors"] == []

    _as_saleor_runs_it(
        capture,
        lambda: saleor_call(
            user_api_client,
            EMAIL_UPDATE,
            {"id": checkout_id, "email": gold_member.email},
            "checkoutEmailUpdate",
        ),
    )

    assert read_checkout(user_api_client, checkout_id)["discount"]["amount"] == 2.1
