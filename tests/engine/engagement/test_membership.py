"""Paid membership from paid orders: terms once per order line, stacking, refunds, expiry in Jerusalem time,
the tier the membership holds through the nightly evaluation and where it falls back to."""

from datetime import UTC, datetime, timedelta

import pytest

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Actor
from saleor_loyalty.engagement import membership, membership_jobs
from saleor_loyalty.exceptions import TierGrantedByMembership
from saleor_loyalty.models import (
    LoyaltyAccount,
    Membership,
    MembershipStatus,
    MembershipTermRow,
    TierCause,
    TierEvent,
)
from saleor_loyalty.tiers import evaluation
from saleor_loyalty.tiers import settings as tier_settings
from tests.concurrency import run_concurrently

from .conftest import PAID, PLATINUM_YEAR_VARIANT

JERUSALEM_MIDNIGHT_11_APRIL = datetime(2026, 4, 10, 21, 0, tzinfo=UTC)  # summer time (UTC+3) by then


def tier_name(customer, club):
    account = LoyaltyAccount.objects.get(user=customer, program=club)
    return account.tier.name if account.tier else "Regular"


def test_a_paid_plan_order_starts_a_membership_and_raises_the_tier(
    club, customer, gold_plan, membership_order
):
    # when Dana's paid order with the Gold club variant is synced
    change = membership.sync_membership_order(membership_order(customer), now=PAID)

    # then she is a paid member until the end of 10 April (Jerusalem), and Gold at once
    member = Membership.objects.get(account__user=customer)
    assert change.started
    assert member.status == MembershipStatus.ACTIVE
    assert member.ends_at == JERUSALEM_MIDNIGHT_11_APRIL
    assert tier_name(customer, club) == "Gold"
    event = TierEvent.objects.get(account=member.account, cause=TierCause.MEMBERSHIP_STARTED)
    assert (event.from_tier_name, event.to_tier_name) == ("Regular", "Gold")


def test_an_order_without_a_plan_line_records_nothing(club, customer, gold_plan, make_order):
    assert membership.sync_membership_order(make_order(user=customer), now=PAID) is None
    assert not Membership.objects.exists()


def test_a_replayed_order_event_records_the_term_once(club, customer, gold_plan, membership_order):
    order = membership_order(customer)
    for delivery in range(3):
        membership.sync_membership_order(order, now=PAID + timedelta(minutes=delivery))
    assert MembershipTermRow.objects.count() == 1
    assert Membership.objects.get().ends_at == JERUSALEM_MIDNIGHT_11_APRIL
    assert TierEvent.objects.filter(cause=TierCause.MEMBERSHIP_STARTED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_order_record_one_term(club, customer, gold_plan, membership_order):
    order = membership_order(customer)
    run_concurrently(lambda _: membership.sync_membership_order(order, now=PAID), workers=4)
    assert MembershipTermRow.objects.count() == 1
    assert Membership.objects.count() == 1
    assert TierEvent.objects.filter(cause=TierCause.MEMBERSHIP_STARTED).count() == 1


def test_two_membership_orders_in_one_day_stack_consecutively(club, customer, gold_plan, membership_order):
    membership.sync_membership_order(membership_order(customer), now=PAID)
    membership.sync_membership_order(membership_order(customer, paid_at=PAID + timedelta(hours=3)), now=PAID)

    first, second = MembershipTermRow.objects.order_by("paid_at")
    assert second.starts_at == first.ends_at == JERUSALEM_MIDNIGHT_11_APRIL
    assert second.ends_at == datetime(2026, 5, 10, 21, 0, tzinfo=UTC)  # midnight closing 10 May
    assert Membership.objects.get().ends_at == second.ends_at


def test_quantity_two_buys_two_consecutive_terms(club, customer, gold_plan, membership_order):
    membership.sync_membership_order(membership_order(customer, quantity=2), now=PAID)
    assert MembershipTermRow.objects.get().ends_at == datetime(2026, 5, 10, 21, 0, tzinfo=UTC)


def test_a_membership_order_refunded_mid_term_ends_it_and_the_tier_falls_back(
    club, customer, gold_plan, membership_order
):
    # given Dana became a Gold member by paying for the plan
    order = membership_order(customer)
    membership.sync_membership_order(order, now=PAID)

    # when the plan's line is refunded ten days later
    refunded_on = PAID + timedelta(days=10)
    refund = membership_order(
        customer, order_id=order.order_id, refunded_lines=[(order.lines[0].line_id, 1)], refunded="29.90"
    )
    change = membership.sync_membership_order(refund, now=refunded_on)

    # then the membership ended at the refund (what was used stays in the history) and she is Regular again
    member = Membership.objects.get()
    assert change.ended
    assert member.status == MembershipStatus.ENDED
    assert member.ends_at == refunded_on
    assert tier_name(customer, club) == "Regular"
    assert TierEvent.objects.filter(cause=TierCause.MEMBERSHIP_ENDED).count() == 1
    # and a replay of the refund (or of the earlier paid event) changes nothing
    membership.sync_membership_order(refund, now=refunded_on + timedelta(days=1))
    membership.sync_membership_order(order, now=refunded_on + timedelta(days=2))
    assert Membership.objects.get().ends_at == refunded_on
    assert TierEvent.objects.filter(cause=TierCause.MEMBERSHIP_ENDED).count() == 1


def test_refunding_the_first_of_two_stacked_terms_shortens_the_membership(
    club, customer, gold_plan, membership_order
):
    first = membership_order(customer)
    membership.sync_membership_order(first, now=PAID)
    membership.sync_membership_order(membership_order(customer, paid_at=PAID + timedelta(hours=1)), now=PAID)

    refunded_on = PAID + timedelta(days=5)
    membership.sync_membership_order(
        membership_order(customer, order_id=first.order_id, cancelled=True), now=refunded_on
    )

    # the second term moves up to start at the refund: one month from 15 March, still Gold
    member = Membership.objects.get()
    assert member.status == MembershipStatus.ACTIVE
    assert member.ends_at == datetime(2026, 4, 15, 21, 0, tzinfo=UTC)
    assert tier_name(customer, club) == "Gold"


def test_expiry_is_at_the_end_of_the_term_in_jerusalem_across_dst(
    club, customer, gold_plan, membership_order
):
    # given a monthly term bought in winter time that ends after Israel moved to summer time (27 March)
    membership.sync_membership_order(membership_order(customer), now=PAID)

    # when the job runs a minute before Jerusalem's midnight closing 10 April (a naive UTC month would
    # end an hour later, at 22:00 UTC), nothing ends
    assert membership_jobs.expire_due(JERUSALEM_MIDNIGHT_11_APRIL - timedelta(minutes=1)).written == 0
    assert tier_name(customer, club) == "Gold"

    # and at that midnight the membership ends and Dana falls back to Regular
    assert membership_jobs.expire_due(JERUSALEM_MIDNIGHT_11_APRIL).written == 1
    assert Membership.objects.get().status == MembershipStatus.ENDED
    assert tier_name(customer, club) == "Regular"
    assert membership_jobs.expire_due(JERUSALEM_MIDNIGHT_11_APRIL + timedelta(hours=1)).written == 0


def test_an_extension_before_expiry_wins_over_the_expiry_job(club, customer, gold_plan, membership_order):
    membership.sync_membership_order(membership_order(customer), now=PAID)
    member_id = Membership.objects.get().pk
    membership.sync_membership_order(
        membership_order(customer, paid_at=PAID + timedelta(days=20)), now=PAID + timedelta(days=20)
    )
    assert membership.end_if_due(member_id, JERUSALEM_MIDNIGHT_11_APRIL) is None
    assert tier_name(customer, club) == "Gold"


def test_the_nightly_evaluation_keeps_a_paid_members_tier(club, customer, gold_plan, membership_order):
    # given a paid Gold member who spent nothing else (below Gold's retain threshold)
    membership.sync_membership_order(membership_order(customer), now=PAID)

    # when the evaluation runs every night past the grace period
    for day in (1, 2, 25, 31):
        evaluation.evaluate_program(club, PAID + timedelta(days=day))

    # then she is still Gold, and no grace period was started
    assert tier_name(customer, club) == "Gold"
    assert not TierEvent.objects.filter(cause=TierCause.GRACE_STARTED).exists()
    assert LoyaltyAccount.objects.get(user=customer).tier_downgrade_due_on is None


def test_a_member_falls_back_to_the_tier_they_earned_not_below(club, customer, platinum_plan, make_order):
    # given Dana earned Gold with ₪2,360 of paid orders, then bought the Platinum year
    ledger.sync_order(make_order(user=customer, lines=(("Sofa", "2360.00"),)))
    assert tier_name(customer, club) == "Gold"
    order = make_order(user=customer)
    plan_order = type(order)(
        **{
            **order.__dict__,
            "lines": (
                type(order.lines[0])(
                    "plat", "Platinum year", "PLAT", 1, 990, 990, variant_id=PLATINUM_YEAR_VARIANT
                ),
            ),
        }
    )
    membership.sync_membership_order(plan_order, now=PAID)
    assert tier_name(customer, club) == "Platinum"

    # when the year runs out
    membership_jobs.expire_due(datetime(2027, 3, 11, tzinfo=UTC))

    # then she is Gold again (the tier she held herself), not Regular; 2026's spend no longer counts in
    # 2027's calendar-year window, so from here the evaluation's grace period runs as for anyone
    assert tier_name(customer, club) == "Gold"
    evaluation.evaluate_program(club, datetime(2027, 3, 12, tzinfo=UTC))
    assert LoyaltyAccount.objects.get(user=customer).tier_downgrade_due_on is not None


def test_a_tier_a_plan_grants_cannot_be_deleted(club, gold_plan):
    with pytest.raises(TierGrantedByMembership):
        tier_settings.delete_tier(club, gold_plan.tier_id, club.tiers.get(name="Regular").pk, Actor())


def test_a_paid_member_buying_again_after_the_end_starts_a_new_membership(
    club, customer, gold_plan, membership_order
):
    membership.sync_membership_order(membership_order(customer), now=PAID)
    membership_jobs.expire_due(JERUSALEM_MIDNIGHT_11_APRIL)
    back = datetime(2026, 6, 1, 7, tzinfo=UTC)
    change = membership.sync_membership_order(membership_order(customer, paid_at=back), now=back)
    assert change.started
    member = Membership.objects.get()
    assert member.status == MembershipStatus.ACTIVE
    assert member.ends_at == datetime(2026, 7, 1, 21, 0, tzinfo=UTC)
    assert tier_name(customer, club) == "Gold"
