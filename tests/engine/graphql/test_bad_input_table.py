"""Every argument of every mutation, given input of the wrong shape: each answer is an error, and every
club table is unchanged afterwards. The table is built from the schema, so a new argument is covered
the day it is added."""

import graphene
import pytest
from graphql.type import GraphQLEnumType, GraphQLInputObjectType, GraphQLList, GraphQLNonNull

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.graphql.schema import schema
from tests.engine.api import run
from tests.engine.graphql.test_authorization_matrix import ALL_PERMISSIONS, snapshot

CUSTOMER_ONLY = {"loyaltyConsentSet", "loyaltyBirthdaySet", "loyaltyRedeemPoints", "loyaltyShareLinkCreate"}
CUSTOMER_ONLY = {"loyaltyConsentSet", "loyaltyBirthdaySet", "loyaltyRedeemPoints", "loyaltyNpsAnswer"}
BAD_BY_TYPE = {
    "String": ["x" * 2001, "a\x00b", 12],
    "Int": [1.5, "3", 2**40, True],
    "Boolean": ["true", 0],
    "ID": ["x" * 300, "bm90LWFuLWlk", ""],
    "Decimal": [0.1, "NaN", "-1e999", "abc"],
    "DateTime": ["not a date", "2030-01-01T10:00:00"],
}


def leaf(graphql_type):
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type


def bad_values(graphql_type):
    named = leaf(graphql_type)
    if isinstance(named, GraphQLEnumType):
        return [7, "NOT_A_VALUE"]
    values = list(BAD_BY_TYPE.get(named.name, []))
    if isinstance(graphql_type, GraphQLList) or isinstance(
        getattr(graphql_type, "of_type", None), GraphQLList
    ):
        values.append(["x"] * 101)
    return values


def cases():
    for name, field in sorted(schema.get_mutation_type().fields.items()):
        for arg_name, arg in field.args.items():
            named = leaf(arg.type)
            if isinstance(named, GraphQLInputObjectType):
                for input_name, input_field in named.fields.items():
                    for value in bad_values(input_field.type):
                        yield name, arg_name, input_name, value
            else:
                for value in bad_values(arg.type):
                    yield name, arg_name, None, value


def base_variables(mutation, club, customer):
    """A plausible call: the bad value replaces one part of it."""
    tier = graphene.Node.to_global_id("LoyaltyTier", club.tiers.get(name="Gold").pk)
    user = graphene.Node.to_global_id("User", customer.pk)
    checkout = graphene.Node.to_global_id("Checkout", "7a8b4d0e-7a4c-4c0e-9e8e-2b9d7c1e0a11")
    product = graphene.Node.to_global_id("Product", 1)
    campaign = graphene.Node.to_global_id("LoyaltyCampaign", 1)
    content = [{"language": "HE", "subject": "s", "body": "b"}]
    return {
        "loyaltyConsentSet": {"medium": "EMAIL", "granted": True, "source": "ACCOUNT_PAGE", "wording": "Yes"},
        "loyaltyConsentSmsStart": {"phone": "+972501234567", "wording": "Yes", "locale": "he"},
        "loyaltyConsentSmsConfirm": {"phone": "+972501234567", "code": "123456"},
        "loyaltyRecoverySettingsUpdate": {"input": {"abandonAfterMinutes": 30}},
        "loyaltyPointsAdjust": {"userId": user, "points": 5, "reason": "goodwill"},
        "loyaltyProgramUpdate": {"input": {"pendingDays": 3}},
        "loyaltyTierCreate": {"input": {"name": "Silver", "entryThreshold": "100", "retainThreshold": "50"}},
        "loyaltyTierUpdate": {"id": tier, "input": {"name": "Gold+"}},
        "loyaltyTierDelete": {"id": tier},
        "loyaltyTierOverride": {"userId": user, "tierId": tier, "reason": "VIP"},
        "loyaltyTierTranslate": {"id": tier, "languageCode": "AR", "input": {"name": "ذهبي"}},
        "loyaltyBirthdaySet": {"month": 5, "day": 4},
        "loyaltyRedeemPoints": {"checkoutId": checkout, "points": 100, "requestKey": "k"},
        "loyaltyClubShippingMethodsSet": {"shippingMethodIds": []},
        "loyaltyEarlyAccessMark": {"input": {"products": [product]}},
        "loyaltyEarlyAccessUnmark": {"products": [product]},
        "loyaltyCampaignCreate": {"input": {"name": "Sale", "variants": [{"key": "A", "contents": content}]}},
        "loyaltyCampaignUpdate": {"id": campaign, "input": {"name": "x"}},
        "loyaltyCampaignSchedule": {"id": campaign},
        "loyaltyCampaignCancel": {"id": campaign},
        "loyaltyNpsSettingsUpdate": {"enabled": True},
        "loyaltyNpsAnswer": {
            "orderId": graphene.Node.to_global_id("Order", "5e3a0f6c-2d1b-4f3e-9a7c-1b2c3d4e5f60"),
            "score": 5,
        },
        "loyaltyConsentEvidenceExport": {
            "medium": "EMAIL",
            "address": "dana@example.co.il",
            "format": "JSON",
        },
        "loyaltyConsentImport": {
            "csvLines": [
                "medium,address,action,occurred_at,wording,locale,origin,evidence",
                "email,dana@example.co.il,withdraw,2024-01-01T00:00:00+00:00,,he,Old shop,ticket 5",
            ]
        },
        "loyaltyReconciliationRepair": {
            "findingId": graphene.Node.to_global_id("LoyaltyReconciliationFinding", 1),
            "reason": "x",
        },
        "loyaltyReferralApply": {"checkoutId": checkout, "code": "ABCD2345"},
        "loyaltyReferralReview": {
            "id": graphene.Node.to_global_id("LoyaltyReferral", 1),
            "approve": False,
            "reason": "x",
        },
        "loyaltyReferralSettingsUpdate": {"input": {"enabled": True}},
        "loyaltyActionCreate": {"key": "quiz", "input": {"nameEn": "Quiz", "points": 5}},
        "loyaltyActionUpdate": {"key": "product_review", "input": {"points": 60}},
        "loyaltyActionDelete": {"key": "quiz"},
        "loyaltyActionSettingsUpdate": {"input": {"termsEn": "Terms"}},
        "loyaltyActionRecord": {
            "action": "product_review",
            "userId": user,
            "objectId": "p1",
            "idempotencyKey": "k",
        },
        "loyaltyShareLinkCreate": {"target": "/products/shirt/"},
        "loyaltyBulkGrantCreate": {"points": 5, "reason": "x", "idempotencyKey": "k", "userIds": [user]},
        "loyaltyMembershipPlanSet": {
            "variantId": graphene.Node.to_global_id("ProductVariant", 501),
            "input": {"name": "Gold club", "term": "MONTHLY", "tier": tier},
        },
        "loyaltyMembershipPlanDelete": {"id": graphene.Node.to_global_id("LoyaltyMembershipPlan", 1)},
        "loyaltyChallengeCreate": {
            "input": {"name": "Three", "metric": "PAID_ORDERS", "target": 3, "rewardPoints": 9}
        },
        "loyaltyChallengeUpdate": lambda: {"id": a_challenge(club), "input": {"name": "Three+"}},
        "loyaltyChallengeDelete": lambda: {"id": a_challenge(club)},
        "loyaltyBadgeCreate": {"input": {"name": "Regular"}},
        "loyaltyBadgeUpdate": lambda: {"id": a_badge(club), "input": {"name": "Regular+"}},
        "loyaltySegmentSettingsUpdate": {"input": {"newDays": 10}},
        "loyaltySavedSegmentCreate": {"input": {"name": "VIP", "filters": {"ordersMin": 3}}},
        "loyaltySavedSegmentUpdate": {
            "id": graphene.Node.to_global_id("LoyaltySavedSegment", 1),
            "input": {"name": "VIP"},
        },
        "loyaltySavedSegmentDelete": {"id": graphene.Node.to_global_id("LoyaltySavedSegment", 1)},
        "loyaltyFlowUpdate": {"kind": "BIRTHDAY", "input": {"holdoutPercent": 5}},
    }[mutation]


def a_badge(club) -> str:
    from saleor_loyalty.models import Badge

    return graphene.Node.to_global_id("LoyaltyBadge", Badge.objects.create(program=club, name="B").pk)


def a_challenge(club) -> str:
    from saleor_loyalty.engagement.challenge_settings import create_challenge

    challenge = create_challenge(club, name="C", metric="paid_orders", target=2, reward_points=5)
    return graphene.Node.to_global_id("LoyaltyChallenge", challenge.pk)


def document(mutation) -> str:
    field = schema.get_mutation_type().fields[mutation]
    declared = ", ".join(f"${name}: {arg.type}" for name, arg in field.args.items())
    passed = ", ".join(f"{name}: ${name}" for name in field.args)
    return f"mutation({declared}) {{ {mutation}({passed}) {{ errors {{ field code }} }} }}"


def test_every_mutation_has_a_base_call(club, customer):
    for mutation in schema.get_mutation_type().fields:
        assert base_variables(mutation, club, customer) is not None


@pytest.mark.parametrize(("mutation", "argument", "input_field", "value"), list(cases()), ids=repr)
def test_bad_input_is_an_error_and_writes_nothing(club, customer, mutation, argument, input_field, value):
    # given a caller allowed to make the call, and the call with one part of the wrong shape
    caller = (
        Requestor(user_id=customer.pk, email=customer.email)
        if mutation in CUSTOMER_ONLY
        else Requestor(
            user_id=customer.pk, email="staff@shop.co.il", is_staff=True, permissions=ALL_PERMISSIONS
        )
    )
    base = base_variables(mutation, club, customer)
    variables = {"channel": "il", **(base() if callable(base) else base)}
    if input_field is None:
        variables[argument] = value
    else:
        variables[argument] = {**variables.get(argument, {}), input_field: value}
    before = snapshot()

    # when it is sent
    result = run(document(mutation), caller, **variables)

    # then the answer is an error and nothing was written
    payload = (result.data or {}).get(mutation) or {}
    assert result.errors or payload.get("errors"), (mutation, argument, input_field, value, result.data)
    assert snapshot() == before
