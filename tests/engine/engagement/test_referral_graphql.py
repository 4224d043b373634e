"""Referrals on the club API: the member's code, link and friends (masked), the staff's list and review,
the rules, and a friend applying a code to a guest checkout."""

# ruff: noqa: F811  (the referral fixtures are imported from referral_shop, then named as test arguments)

from datetime import timedelta

import graphene

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.engagement import referral_orders, referrals
from saleor_loyalty.graphql.context import ClubContext
from saleor_loyalty.graphql.schema import schema
from saleor_loyalty.models import Referral, ReferralSettings

from .referral_shop import (  # noqa: F401  (fixtures)
    HOME,
    PAID,
    as_customer,
    dana,
    noa,
    referral_rules,
    referral_shop,
)

STAFF = Requestor(
    user_id=999,
    email="staff@shop.co.il",
    is_staff=True,
    permissions=frozenset({"MANAGE_USERS", "MANAGE_SETTINGS"}),
)

ME = """query { me(channel: "il") { referral { code link referrals(first: 10) { totalCount edges { node {
  status reasonCode reason friendName friendEmail rewardPoints } } } } } }"""
APPLY = """mutation($checkout: ID!, $code: String!) { loyaltyReferralApply(channel: "il", checkoutId: $checkout,
  code: $code) { voucherCode voucherApplied referral { status } errors { field code message } } }"""


def call(query, requestor, shop=None, **variables):
    context = ClubContext(requestor=requestor, referrals=shop)
    result = schema.execute(query, variable_values=variables, context_value=context)
    assert not result.errors, result.errors
    return result.data


def test_me_shows_the_code_link_and_each_friend_masked(
    club, referral_rules, dana, django_user_model, referral_shop
):
    referral_shop.knows(dana, addresses=[HOME])
    for email, address in (("noa.friend@example.co.il", None), ("roi@example.co.il", HOME)):
        checkout = referral_shop.add_checkout(email=email)
        call(APPLY, Requestor(), referral_shop, checkout=str(checkout.token), code=dana.code)
        referral_orders.sync_referral_order(
            referral_shop.place_order(referral_shop.checkouts[checkout.token], address=address), referral_shop
        )

    me = call(ME, as_customer(dana))["me"]["referral"]

    assert me["code"] == dana.code
    assert me["link"] == f"https://shop.example.co.il/join?ref={dana.code}"
    assert me["referrals"]["totalCount"] == 2
    assert [edge["node"] for edge in me["referrals"]["edges"]] == [
        {
            "status": "REJECTED",
            "reasonCode": "self_referral",
            "reason": "The friend's shipping address is the member's own.",
            "friendName": "N.",
            "friendEmail": "r***@example.co.il",
            "rewardPoints": 0,
        },
        {
            "status": "ORDERED",
            "reasonCode": None,
            "reason": None,
            "friendName": "N.",
            "friendEmail": "n***@example.co.il",
            "rewardPoints": 500,
        },
    ]


def test_a_new_member_gets_a_code_on_first_sight(club, referral_rules, noa):
    code = call('query { me(channel: "il") { referral { code } } }', as_customer(noa))["me"]["referral"][
        "code"
    ]
    again = call('query { me(channel: "il") { referral { code } } }', as_customer(noa))["me"]["referral"][
        "code"
    ]
    assert code == again
    assert len(code) == 8


def test_me_has_no_referral_where_referrals_are_off(club, dana):
    assert (
        call('query { me(channel: "il") { referral { code } } }', as_customer(dana))["me"]["referral"] is None
    )


def test_applying_a_code_to_a_guest_checkout_by_its_token(club, referral_rules, dana, referral_shop):
    checkout = referral_shop.add_checkout(email="noa@example.co.il")
    checkout_id = graphene.Node.to_global_id("Checkout", str(checkout.token))

    answer = call(APPLY, Requestor(), referral_shop, checkout=checkout_id, code=dana.code.lower())[
        "loyaltyReferralApply"
    ]

    assert answer["errors"] == []
    assert answer["voucherApplied"] is True
    assert answer["voucherCode"] == referral_shop.checkouts[checkout.token].voucher_code
    assert answer["referral"] == {"status": "INVITED"}


def test_refusals_are_typed_errors_that_write_nothing(club, referral_rules, dana, noa, referral_shop):
    own = referral_shop.add_checkout(user=dana)
    theirs = referral_shop.add_checkout(user=noa)
    cases = [
        (as_customer(dana), own, dana.code, "REFERRAL_NOT_ELIGIBLE", "code"),
        (Requestor(), theirs, dana.code, "NOT_YOUR_CHECKOUT", "checkoutId"),
        (as_customer(noa), theirs, "NOPE2345", "NOT_FOUND", "code"),
        (as_customer(noa), theirs, "x" * 33, "NOT_FOUND", "code"),
    ]
    for requestor, checkout, code, error, field in cases:
        answer = call(APPLY, requestor, referral_shop, checkout=str(checkout.token), code=code)
        assert [(e["code"], e["field"]) for e in answer["loyaltyReferralApply"]["errors"]] == [(error, field)]
    assert not Referral.objects.exists()
    assert referral_shop.vouchers == []


def test_staff_list_filter_and_review_held_referrals(club, referral_rules, dana, referral_shop):
    referrals.update_settings(club, hold_order_total_over="1000")
    for email, total in (("small@example.co.il", "200"), ("big@example.co.il", "5000")):
        checkout = referral_shop.add_checkout(email=email)
        call(APPLY, Requestor(), referral_shop, checkout=str(checkout.token), code=dana.code)
        referral_orders.sync_referral_order(
            referral_shop.place_order(referral_shop.checkouts[checkout.token], total=total),
            referral_shop,
            now=PAID,
        )

    held = call(
        """query { referrals(channel: "il", filter: {status: HELD}) { totalCount edges { node {
          id friendEmail referrerEmail code orderTotal { amount currency } reasonCode } } } }""",
        STAFF,
    )["referrals"]
    assert held["totalCount"] == 1
    node = held["edges"][0]["node"]
    assert (node["friendEmail"], node["referrerEmail"], node["code"], node["reasonCode"]) == (
        "big@example.co.il",
        "dana.levi@gmail.com",
        dana.code,
        "review",
    )
    assert node["orderTotal"] == {"amount": 5000.0, "currency": "ILS"}

    reviewed = call(
        """mutation($id: ID!) { loyaltyReferralReview(channel: "il", id: $id, approve: true, reason: "Known customer")
          { referral { status reviewedBy } errors { code } } }""",
        STAFF,
        id=node["id"],
    )["loyaltyReferralReview"]
    # the pending period is long over today: approval rewards at once; the job rewards the other one
    assert reviewed == {"referral": {"status": "REWARDED", "reviewedBy": "staff@shop.co.il"}, "errors": []}
    assert referral_orders.reward_due(referral_shop, now=PAID + timedelta(days=31)).written == 1

    again = call(
        """mutation($id: ID!) { loyaltyReferralReview(channel: "il", id: $id, approve: false, reason: "x")
          { errors { code field } } }""",
        STAFF,
        id=node["id"],
    )["loyaltyReferralReview"]
    assert again["errors"] == [{"code": "REFERRAL_NOT_HELD", "field": "id"}]


def test_staff_set_the_rules_and_a_bad_link_writes_nothing(club):
    saved = call(
        """mutation { loyaltyReferralSettingsUpdate(channel: "il", input: {enabled: true, referrerPoints: 300,
          friendBenefit: VOUCHER_FIXED, friendValue: "25", linkTemplate: "https://shop.example.co.il/?ref={code}"})
          { settings { enabled referrerPoints friendBenefit friendPercent friendAmount { amount } linkTemplate minOrderTotal { currency } }
            errors { code } } }""",
        STAFF,
    )["loyaltyReferralSettingsUpdate"]
    assert saved["errors"] == []
    assert saved["settings"] == {
        "enabled": True,
        "referrerPoints": 300,
        "friendBenefit": "VOUCHER_FIXED",
        "friendPercent": None,
        "friendAmount": {"amount": 25.0},
        "linkTemplate": "https://shop.example.co.il/?ref={code}",
        "minOrderTotal": {"currency": "ILS"},
    }

    refused = call(
        """mutation { loyaltyReferralSettingsUpdate(channel: "il", input: {referrerPoints: 1,
          linkTemplate: "javascript:alert(1)//{code}"}) { errors { code field } } }""",
        STAFF,
    )["loyaltyReferralSettingsUpdate"]
    assert refused["errors"] == [{"code": "INVALID", "field": "linkTemplate"}]
    assert ReferralSettings.objects.get().referrer_points == 300
