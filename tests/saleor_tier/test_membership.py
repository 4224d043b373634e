"""Paid membership through Saleor: staff mark the club product's variant as a plan, a real paid checkout of it
makes the customer a paid Gold member whose next checkout carries the club's voucher, and a refund ends it."""

from decimal import Decimal

import graphene
import pytest

from saleor_loyalty.models import Membership, MembershipStatus, MemberVoucherCode

from .flows import club, place_paid_order, saleor_call
from .test_checkout_benefits import open_checkout, read_checkout

PLAN_SET = """mutation($variant: ID!, $tier: ID!) {
  loyaltyMembershipPlanSet(channel: "main", variantId: $variant,
                           input: {name: "Gold club", term: MONTHLY, tier: $tier, monthlyGiftPoints: 50}) {
    errors { field code } plan { id name }
  } }"""
ME = """{ me(channel: "main") { tier { name } membership { status plan { name } endsAt
  terms(first: 5) { edges { node { orderNumber quantity refundedQuantity } } } } } }"""
ORDER_REFUND = """
mutation($id: ID!, $amount: PositiveDecimal!) {
  orderRefund(id: $id, amount: $amount) { order { id } errors { field message code } }
}"""


@pytest.fixture
def club_product(product_list, settings_staff, main_club):
    """Staff mark a $10-ish Saleor variant as the monthly Gold club plan, through the club API."""
    variant = product_list[0].variants.first()
    gold = main_club.tiers.get(name="Gold")
    _, body = club(
        PLAN_SET,
        {
            "variant": graphene.Node.to_global_id("ProductVariant", variant.pk),
            "tier": graphene.Node.to_global_id("LoyaltyTier", gold.pk),
        },
        user=settings_staff,
    )
    assert body["data"]["loyaltyMembershipPlanSet"]["errors"] == [], body
    return variant


def test_unknown_variant_is_refused_by_saleors_catalog(settings_staff, main_club):
    _, body = club(
        PLAN_SET,
        {
            "variant": graphene.Node.to_global_id("ProductVariant", 987654),
            "tier": graphene.Node.to_global_id("LoyaltyTier", main_club.tiers.get(name="Gold").pk),
        },
        user=settings_staff,
    )
    assert body["data"]["loyaltyMembershipPlanSet"]["errors"] == [{"field": "variantId", "code": "NOT_FOUND"}]


def test_a_paid_membership_order_gives_the_next_checkout_the_tier_benefits_and_a_refund_ends_it(
    user_api_client,
    staff_api_client,
    permission_group_manage_orders,
    customer_user,
    club_product,
    product,
    shipping_method,
    django_capture_on_commit_callbacks,
):
    # given a Regular customer who pays for the Gold club through Saleor's dummy gateway
    order = place_paid_order(
        user_api_client, club_product, shipping_method, quantity=1, email=customer_user.email
    )

    # then the club shows her as a paid Gold member, with the order's term
    _, body = club(ME, user=customer_user)
    me = body["data"]["me"]
    assert me["tier"] == {"name": "Gold"}
    assert me["membership"]["status"] == "ACTIVE"
    assert me["membership"]["plan"] == {"name": "Gold club"}
    assert me["membership"]["terms"]["edges"] == [
        {"node": {"orderNumber": str(order["number"]), "quantity": 1, "refundedQuantity": 0}}
    ]

    # when she opens her next checkout, the club's Gold voucher (5 % off) is on it by itself
    checkout_id = open_checkout(
        user_api_client, product.variants.first(), django_capture_on_commit_callbacks, customer_user.email
    )
    code = MemberVoucherCode.objects.get(account__user=customer_user, tier__name="Gold").code
    checkout = read_checkout(user_api_client, checkout_id)
    assert checkout["voucherCode"] == code
    assert checkout["discount"]["amount"] == 1.5

    # when staff refund the membership order in full through Saleor
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    total = Decimal(str(order["total"]["gross"]["amount"]))
    saleor_call(staff_api_client, ORDER_REFUND, {"id": order["id"], "amount": str(total)}, "orderRefund")

    # then the membership has ended and she is Regular again
    assert Membership.objects.get(account__user=customer_user).status == MembershipStatus.ENDED
    _, body = club(ME, user=customer_user)
    assert body["data"]["me"]["tier"] == {"name": "Regular"}
    assert body["data"]["me"]["membership"]["status"] == "ENDED"
    assert body["data"]["me"]["membership"]["terms"]["edges"][0]["node"]["refundedQuantity"] == 1
