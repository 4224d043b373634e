"""Paid membership on the club API: staff mark plans (strict input, nothing written on error), `me` and the
member list show the membership, and the public offer carries Saleor's price."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import graphene
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.engagement import membership
from saleor_loyalty.graphql.membership import membership_offers
from saleor_loyalty.graphql.membership_types import MembershipOfferType
from saleor_loyalty.ledger import programs
from saleor_loyalty.models import MembershipPlan
from tests.engine.api import run
from tests.engine.graphql.test_authorization_matrix import snapshot

from .conftest import GOLD_CLUB_VARIANT

PLAN_SET = """mutation($variant: ID!, $input: LoyaltyMembershipPlanInput!) {
  loyaltyMembershipPlanSet(channel: "il", variantId: $variant, input: $input) {
    errors { field code }
    plan { name term tier { name } monthlyGiftPoints monthlyGiftCredit { amount currency } reminderDays isActive variantId }
  } }"""
PLAN_DELETE = (
    """mutation($id: ID!) { loyaltyMembershipPlanDelete(channel: "il", id: $id) { errors { field code } } }"""
)
PLANS = """{ membershipPlans(channel: "il") { id name term } }"""
ME = """{ me(channel: "il") { tier { name } membership {
  plan { name } status startedAt endsAt currentTermEndsAt
  terms(first: 5) { edges { node { quantity refundedQuantity orderNumber startsAt endsAt } } }
} } }"""
MEMBERS = """query($filter: LoyaltyMemberFilterInput) { members(channel: "il", filter: $filter) {
  edges { node { email membership { status } } } } }"""


def variant_gid(pk):
    return graphene.Node.to_global_id("ProductVariant", pk)


def tier_gid(tier):
    return graphene.Node.to_global_id("LoyaltyTier", tier.pk)


def test_staff_mark_a_variant_as_a_plan_and_change_it(club, staff, catalog):
    gold = club.tiers.get(name="Gold")
    created = run(
        PLAN_SET,
        staff,
        variants=catalog,
        variant=variant_gid(GOLD_CLUB_VARIANT),
        input={
            "name": "Gold club",
            "term": "MONTHLY",
            "tier": tier_gid(gold),
            "monthlyGiftCredit": {"amount": "15", "currency": "ILS"},
        },
    ).data["loyaltyMembershipPlanSet"]
    assert created["errors"] == []
    assert created["plan"] == {
        "name": "Gold club",
        "term": "MONTHLY",
        "tier": {"name": "Gold"},
        "monthlyGiftPoints": 0,
        "monthlyGiftCredit": {"amount": 15.0, "currency": "ILS"},
        "reminderDays": 7,
        "isActive": True,
        "variantId": variant_gid(GOLD_CLUB_VARIANT),
    }
    # the same variant again changes its plan, it never makes a second one
    changed = run(
        PLAN_SET, staff, variants=catalog, variant=variant_gid(GOLD_CLUB_VARIANT), input={"reminderDays": 3}
    )
    assert changed.data["loyaltyMembershipPlanSet"]["plan"]["reminderDays"] == 3
    assert MembershipPlan.objects.count() == 1
    assert run(PLANS, staff).data["membershipPlans"][0]["name"] == "Gold club"


@pytest.mark.parametrize(
    ("variant", "changes", "field", "code"),
    [
        (999, {}, "variantId", "NOT_FOUND"),  # Saleor has no such variant
        (GOLD_CLUB_VARIANT, {"term": None}, "term", "INVALID"),  # a new plan needs a term
        (GOLD_CLUB_VARIANT, {"name": "x" * 65}, "name", "INVALID"),
        (GOLD_CLUB_VARIANT, {"name": "   "}, "name", "INVALID"),
        (GOLD_CLUB_VARIANT, {"reminderDays": 61}, "reminderDays", "INVALID"),
        (GOLD_CLUB_VARIANT, {"monthlyGiftPoints": -1}, "monthlyGiftPoints", "INVALID"),
        (
            GOLD_CLUB_VARIANT,
            {"monthlyGiftCredit": {"amount": "5", "currency": "USD"}},
            "monthlyGiftCredit",
            "CURRENCY_MISMATCH",
        ),
        (
            GOLD_CLUB_VARIANT,
            {"monthlyGiftCredit": {"amount": "5.001", "currency": "ILS"}},
            "monthlyGiftCredit",
            "INVALID",
        ),
        (GOLD_CLUB_VARIANT, {"tier": graphene.Node.to_global_id("LoyaltyTier", 99999)}, "tier", "NOT_FOUND"),
    ],
)
def test_bad_plan_input_is_a_typed_error_and_writes_nothing(
    club, staff, catalog, variant, changes, field, code
):
    given = {"name": "Gold club", "term": "MONTHLY", "tier": tier_gid(club.tiers.get(name="Gold")), **changes}
    given = {name: value for name, value in given.items() if value is not None}
    before = snapshot()
    result = run(PLAN_SET, staff, variants=catalog, variant=variant_gid(variant), input=given)
    assert result.data["loyaltyMembershipPlanSet"]["errors"] == [{"field": field, "code": code}]
    assert snapshot() == before


def test_a_plan_members_bought_cannot_be_deleted(club, staff, customer, gold_plan, membership_order):
    membership.sync_membership_order(membership_order(customer))
    plan_id = graphene.Node.to_global_id("LoyaltyMembershipPlan", gold_plan.pk)
    assert run(PLAN_DELETE, staff, id=plan_id).data["loyaltyMembershipPlanDelete"]["errors"] == [
        {"field": "id", "code": "PLAN_IN_USE"}
    ]


def test_a_plan_nobody_bought_is_deleted(club, staff, gold_plan):
    plan_id = graphene.Node.to_global_id("LoyaltyMembershipPlan", gold_plan.pk)
    assert run(PLAN_DELETE, staff, id=plan_id).data["loyaltyMembershipPlanDelete"]["errors"] == []
    assert not MembershipPlan.objects.exists()


def test_me_shows_the_membership_and_its_terms(club, customer, gold_plan, membership_order):
    now = timezone.now()
    membership.sync_membership_order(membership_order(customer, quantity=2, paid_at=now), now=now)
    me = run(ME, Requestor(user_id=customer.pk, email=customer.email)).data["me"]
    assert me["tier"] == {"name": "Gold"}
    shown = me["membership"]
    assert shown["plan"] == {"name": "Gold club"}
    assert shown["status"] == "ACTIVE"
    term = shown["terms"]["edges"][0]["node"]
    assert (term["quantity"], term["refundedQuantity"], term["orderNumber"]) == (2, 0, "1001")
    assert shown["endsAt"] == term["endsAt"]
    assert shown["currentTermEndsAt"] == term["endsAt"]


def test_me_without_a_membership_shows_none(club, customer):
    assert run(ME, Requestor(user_id=customer.pk, email=customer.email)).data["me"]["membership"] is None


def test_the_member_list_filters_by_membership(
    club, staff, customer, django_user_model, gold_plan, membership_order
):
    now = timezone.now()
    membership.sync_membership_order(membership_order(customer, paid_at=now), now=now)
    lapsed = django_user_model.objects.create(username="noa", email="noa@example.co.il")
    long_ago = now - timedelta(days=90)
    membership.sync_membership_order(membership_order(lapsed, paid_at=long_ago), now=long_ago)
    never = django_user_model.objects.create(username="avi", email="avi@example.co.il")
    ledger.account_for(club, never.pk, never.email)

    def emails(status):
        edges = run(MEMBERS, staff, filter={"membership": status}).data["members"]["edges"]
        return {edge["node"]["email"]: edge["node"]["membership"] for edge in edges}

    # the lapsed member is ENDED although the expiry job has not run yet
    assert emails("ACTIVE") == {customer.email: {"status": "ACTIVE"}}
    assert emails("ENDED") == {lapsed.email: {"status": "ENDED"}}
    assert emails("NONE") == {never.email: None}


def test_the_public_offer_has_saleors_price_term_and_perks(club, catalog, gold_plan, platinum_plan):
    # given the Platinum plan is no longer offered
    MembershipPlan.objects.filter(pk=platinum_plan.pk).update(is_active=False)

    with CaptureQueriesContext(connection) as queries:
        offers = membership_offers(club, catalog)

    assert len(queries) == 1  # the offered plans with their tiers and program
    assert catalog.calls == 3  # once per plan marked, once for the whole offer
    assert len(offers) == 1
    offer = offers[0]
    assert (offer.name, offer.term, offer.product_name) == ("Gold club", "monthly", "Gold club")
    assert (offer.price.amount, offer.price.currency) == (Decimal("29.90"), "ILS")
    assert offer.tier.discount_percent == Decimal(5)
    assert offer.tier.free_shipping is True
    assert offer.monthly_gift_points == 100


def test_the_offer_renders_as_its_graphql_type(club, catalog, gold_plan):
    class Query(graphene.ObjectType):
        offers = graphene.List(graphene.NonNull(MembershipOfferType))

        def resolve_offers(self, info):
            return membership_offers(club, catalog)

    result = graphene.Schema(query=Query).execute(
        "{ offers { name term price { amount currency } variantId tier { name benefits { discountPercent freeShipping } } "
        "monthlyGiftPoints monthlyGiftCredit { amount } } }"
    )
    assert result.errors is None
    assert result.data["offers"] == [
        {
            "name": "Gold club",
            "term": "MONTHLY",
            "price": {"amount": 29.9, "currency": "ILS"},
            "variantId": variant_gid(GOLD_CLUB_VARIANT),
            "tier": {"name": "Gold", "benefits": {"discountPercent": 5.0, "freeShipping": True}},
            "monthlyGiftPoints": 100,
            "monthlyGiftCredit": {"amount": 0.0},
        }
    ]


def test_no_offer_where_the_channel_does_not_sell_the_variant_or_the_club_is_off(club, catalog, gold_plan):
    listed = catalog.variants[GOLD_CLUB_VARIANT]
    catalog.variants[GOLD_CLUB_VARIANT] = replace(listed, price=None)
    assert membership_offers(club, catalog) == []
    catalog.variants[GOLD_CLUB_VARIANT] = listed
    assert len(membership_offers(club, catalog)) == 1
    programs.update_program(club, is_active=False)
    club.refresh_from_db()
    assert membership_offers(club, catalog) == []
