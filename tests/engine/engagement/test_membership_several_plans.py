"""Several paid plans: each plan's terms run on their own chain, side by side with the others; the member holds
the best running plan (highest tier, ties: longest remaining), falls back to the next when it ends, and a
refund shortens only its own plan."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from prices import Money

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.engagement import membership, membership_jobs
from saleor_loyalty.engagement.membership_plans import VariantFacts, set_plan
from saleor_loyalty.models import (
    LoyaltyAccount,
    Membership,
    MembershipStatus,
    MembershipTermRow,
    TierCause,
    TierEvent,
)
from tests.engine.api import run

from .conftest import GOLD_CLUB_VARIANT, PAID, PLATINUM_YEAR_VARIANT

PLATINUM_MONTH_VARIANT, GOLD_YEAR_VARIANT = 503, 504
END_OF_10_APRIL = datetime(2026, 4, 10, 21, 0, tzinfo=UTC)  # Jerusalem midnight, summer time
END_OF_10_MARCH_2027 = datetime(2027, 3, 10, 22, 0, tzinfo=UTC)  # winter time again
ME = """{ me(channel: "il") { tier { name } membership { status plan { name } planEndsAt endsAt } } }"""


@pytest.fixture
def more_plans(club, catalog, gold_plan, platinum_plan):
    """Besides Gold monthly and Platinum yearly: Platinum monthly and Gold yearly."""
    for variant, name in ((PLATINUM_MONTH_VARIANT, "Platinum month"), (GOLD_YEAR_VARIANT, "Gold year")):
        catalog.variants[variant] = VariantFacts(variant, name, name, Money(Decimal("50"), "ILS"))
    platinum_month = set_plan(
        club,
        PLATINUM_MONTH_VARIANT,
        catalog,
        name="Platinum month",
        term="monthly",
        tier_id=club.tiers.get(name="Platinum").pk,
    )
    gold_year = set_plan(
        club,
        GOLD_YEAR_VARIANT,
        catalog,
        name="Gold year",
        term="yearly",
        tier_id=club.tiers.get(name="Gold").pk,
    )
    return platinum_month, gold_year


def tier_name(customer):
    account = LoyaltyAccount.objects.select_related("tier").get(user=customer)
    return account.tier.name if account.tier else "Regular"


def term_of(order) -> MembershipTermRow:
    return MembershipTermRow.objects.get(order_id=order.order_id)


def buy(membership_order, customer, variant, at, quantity=1):
    order = membership_order(customer, variant=variant, paid_at=at, quantity=quantity)
    membership.sync_membership_order(order, now=at)
    return order


def test_two_plans_bought_the_same_day_run_side_by_side(
    club, customer, gold_plan, platinum_plan, membership_order
):
    gold = buy(membership_order, customer, GOLD_CLUB_VARIANT, PAID)
    platinum = buy(membership_order, customer, PLATINUM_YEAR_VARIANT, PAID + timedelta(hours=3))

    # each term starts when it was paid: Platinum does not wait for Gold's month
    assert (term_of(gold).starts_at, term_of(gold).ends_at) == (PAID, END_OF_10_APRIL)
    assert term_of(platinum).starts_at == PAID + timedelta(hours=3)
    member = Membership.objects.get()
    assert member.plan == platinum_plan
    assert member.plan_ends_at == member.ends_at == END_OF_10_MARCH_2027
    assert tier_name(customer) == "Platinum"


def test_an_upgrade_takes_effect_at_once_and_keeps_the_lower_plans_time(
    club, customer, gold_plan, platinum_plan, membership_order
):
    gold = buy(membership_order, customer, GOLD_CLUB_VARIANT, PAID)
    upgraded_on = PAID + timedelta(days=10)

    buy(membership_order, customer, PLATINUM_YEAR_VARIANT, upgraded_on)

    member = Membership.objects.get()
    assert member.plan == platinum_plan
    assert tier_name(customer) == "Platinum"
    assert term_of(gold).ends_at == END_OF_10_APRIL  # untouched
    assert TierEvent.objects.filter(cause=TierCause.MEMBERSHIP_STARTED).count() == 2  # Gold, then Platinum


def test_a_downgrade_waits_for_the_better_plan_then_takes_over(
    club, customer, gold_plan, more_plans, membership_order
):
    platinum_month, _ = more_plans
    # given Platinum for a month (to the end of 10 April) and then three Gold months bought on 15 March
    buy(membership_order, customer, PLATINUM_MONTH_VARIANT, PAID)
    buy(membership_order, customer, GOLD_CLUB_VARIANT, PAID + timedelta(days=5), quantity=3)
    end_of_15_june = datetime(2026, 6, 15, 21, 0, tzinfo=UTC)

    member = Membership.objects.get()
    assert (member.plan, member.plan_ends_at, member.ends_at) == (
        platinum_month,
        END_OF_10_APRIL,
        end_of_15_june,
    )
    assert tier_name(customer) == "Platinum"

    # when Platinum's month ends, the job hands over to Gold: still a paid member, Gold now
    membership_jobs.expire_due(now=END_OF_10_APRIL)
    member.refresh_from_db()
    assert member.status == MembershipStatus.ACTIVE
    assert (member.plan, member.plan_ends_at) == (gold_plan, end_of_15_june)
    assert tier_name(customer) == "Gold"
    fell = TierEvent.objects.get(cause=TierCause.MEMBERSHIP_ENDED)
    assert fell.reason == "Paid membership Platinum month ended; Gold club runs on"
    membership_jobs.expire_due(now=END_OF_10_APRIL + timedelta(minutes=15))  # a second run: nothing more
    assert TierEvent.objects.filter(cause=TierCause.MEMBERSHIP_ENDED).count() == 1

    # and at the end of Gold's last month the membership ends
    membership_jobs.expire_due(now=end_of_15_june)
    member.refresh_from_db()
    assert member.status == MembershipStatus.ENDED
    assert tier_name(customer) == "Regular"


def test_refunding_the_plan_in_force_shortens_only_it_and_falls_back_to_the_other(
    club, customer, gold_plan, more_plans, membership_order
):
    platinum = buy(membership_order, customer, PLATINUM_MONTH_VARIANT, PAID)
    gold = buy(membership_order, customer, GOLD_CLUB_VARIANT, PAID + timedelta(days=5), quantity=3)
    gold_end = term_of(gold).ends_at
    refunded_on = PAID + timedelta(days=10)

    change = membership.sync_membership_order(
        membership_order(
            customer, variant=PLATINUM_MONTH_VARIANT, order_id=platinum.order_id, cancelled=True
        ),
        now=refunded_on,
    )

    member = Membership.objects.get()
    assert not change.ended
    assert term_of(platinum).ends_at == refunded_on
    assert term_of(gold).ends_at == gold_end
    assert (member.status, member.plan, member.plan_ends_at) == (MembershipStatus.ACTIVE, gold_plan, gold_end)
    assert tier_name(customer) == "Gold"


def test_refunding_the_other_plan_leaves_the_plan_in_force_alone(
    club, customer, gold_plan, more_plans, membership_order
):
    platinum_month, _ = more_plans
    buy(membership_order, customer, PLATINUM_MONTH_VARIANT, PAID)
    gold = buy(membership_order, customer, GOLD_CLUB_VARIANT, PAID + timedelta(days=5), quantity=3)
    refunded_on = PAID + timedelta(days=10)

    membership.sync_membership_order(
        membership_order(customer, order_id=gold.order_id, quantity=3, cancelled=True), now=refunded_on
    )

    member = Membership.objects.get()
    assert term_of(gold).ends_at == refunded_on
    assert (member.plan, member.plan_ends_at, member.ends_at) == (
        platinum_month,
        END_OF_10_APRIL,
        END_OF_10_APRIL,
    )
    assert tier_name(customer) == "Platinum"


def test_plans_of_one_tier_hold_the_longest_remaining(
    club, customer, gold_plan, more_plans, membership_order
):
    _, gold_year = more_plans
    buy(membership_order, customer, GOLD_YEAR_VARIANT, PAID)
    buy(membership_order, customer, GOLD_CLUB_VARIANT, PAID + timedelta(days=1))

    member = Membership.objects.get()
    assert (member.plan, member.plan_ends_at) == (gold_year, END_OF_10_MARCH_2027)


def test_me_and_the_member_list_show_the_plan_in_force_and_its_end(
    club, customer, gold_plan, more_plans, membership_order
):
    buy(membership_order, customer, PLATINUM_MONTH_VARIANT, PAID)
    buy(membership_order, customer, GOLD_CLUB_VARIANT, PAID + timedelta(days=5), quantity=3)
    Membership.objects.update(
        started_at=datetime.now(UTC) - timedelta(days=1),
        plan_ends_at=datetime.now(UTC) + timedelta(days=20),
        ends_at=datetime.now(UTC) + timedelta(days=80),
    )  # the same chains, seen from today

    me = run(ME, Requestor(user_id=customer.pk, email=customer.email)).data["me"]["membership"]
    staff = Requestor(user_id=9, is_staff=True, permissions=frozenset({"MANAGE_USERS"}))
    listed = run(
        """{ members(channel: "il", first: 5, filter: {membership: ACTIVE}) { edges { node {
          membership { plan { name } planEndsAt } } } } }""",
        staff,
    ).data["members"]["edges"]

    member = Membership.objects.get()
    assert me["status"] == "ACTIVE"
    assert me["plan"] == {"name": "Platinum month"}
    assert me["planEndsAt"] == member.plan_ends_at.isoformat()
    assert me["endsAt"] == member.ends_at.isoformat()
    assert listed[0]["node"]["membership"] == {
        "plan": {"name": "Platinum month"},
        "planEndsAt": member.plan_ends_at.isoformat(),
    }
