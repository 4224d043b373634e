"""A guest's paid membership follows the guest into the registered account: terms moved once (merging twice
or concurrently adds nothing), joined with the member's own plans, and its later refund still found."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from saleor_loyalty import ledger
from saleor_loyalty.engagement import membership, membership_jobs, membership_merge
from saleor_loyalty.models import (
    LoyaltyAccount,
    Membership,
    MembershipStatus,
    MembershipTermRow,
    TierCause,
    TierEvent,
)
from tests.concurrency import run_concurrently

from .conftest import GOLD_CLUB_VARIANT, PLATINUM_YEAR_VARIANT

BOUGHT = datetime.now(UTC) - timedelta(days=2)


def as_guest(order):
    return dataclasses.replace(order, user_id=None)


def guest_buys(membership_order, customer, variant=GOLD_CLUB_VARIANT, at=BOUGHT, quantity=1):
    """Dana, not signed in, buys a plan with her email: a guest account's membership."""
    order = as_guest(membership_order(customer, variant=variant, paid_at=at, quantity=quantity))
    membership.sync_membership_order(order, now=at)
    return order


def member_account(club, customer) -> LoyaltyAccount:
    return LoyaltyAccount.objects.select_related("tier").get(program=club, user=customer)


def tier_name(club, customer) -> str:
    account = member_account(club, customer)
    return account.tier.name if account.tier else "Regular"


def test_the_guests_membership_becomes_the_members(club, customer, platinum_plan, membership_order):
    # Dana's registered account is Gold; as a guest she bought Platinum
    gold = club.tiers.get(name="Gold")
    account = ledger.account_for(club, customer.pk, customer.email)
    LoyaltyAccount.objects.filter(pk=account.pk).update(tier=gold)
    guest_buys(membership_order, customer, variant=PLATINUM_YEAR_VARIANT)
    guest = LoyaltyAccount.objects.get(program=club, user__isnull=True)
    carried = Membership.objects.get(account=guest)

    membership_merge.attach_guest_accounts(customer.pk, customer.email)

    member = Membership.objects.get(account=member_account(club, customer))
    assert member.pk == carried.pk  # the row itself moved: its gift keys carry on
    assert member.status == MembershipStatus.ACTIVE
    assert member.plan == platinum_plan
    assert member.tier_before_id == gold.pk  # hers, not the guest's: where she falls back to
    assert tier_name(club, customer) == "Platinum"
    assert not Membership.objects.filter(account=guest).exists()


def test_the_guests_terms_join_the_members_chain_of_the_same_plan(
    club, customer, gold_plan, membership_order
):
    own = membership_order(customer, paid_at=BOUGHT)
    membership.sync_membership_order(own, now=BOUGHT)
    guest_order = guest_buys(membership_order, customer, at=BOUGHT + timedelta(hours=1))
    one_month_end = Membership.objects.get(account__user=customer).ends_at

    membership_merge.attach_guest_accounts(customer.pk, customer.email)

    member = Membership.objects.get(account=member_account(club, customer))
    assert MembershipTermRow.objects.filter(membership=member).count() == 2
    moved = MembershipTermRow.objects.get(order_id=guest_order.order_id)
    assert moved.starts_at == one_month_end  # stacked after the member's own month
    assert member.ends_at == member.plan_ends_at == moved.ends_at
    guest_membership = Membership.objects.get(account__user__isnull=True)
    assert guest_membership.status == MembershipStatus.ENDED
    assert guest_membership.ended_notice_for == guest_membership.ends_at  # no "ended" news for a merge


def test_a_guest_plan_of_another_tier_runs_side_by_side(
    club, customer, gold_plan, platinum_plan, membership_order
):
    membership.sync_membership_order(membership_order(customer, paid_at=BOUGHT), now=BOUGHT)
    guest_buys(membership_order, customer, variant=PLATINUM_YEAR_VARIANT)

    membership_merge.attach_guest_accounts(customer.pk, customer.email)

    member = Membership.objects.get(account=member_account(club, customer))
    assert member.plan == platinum_plan
    assert tier_name(club, customer) == "Platinum"
    gold_term = MembershipTermRow.objects.get(plan=gold_plan)
    assert gold_term.starts_at == BOUGHT  # not pushed behind the year


def test_merging_twice_carries_nothing_more(club, customer, gold_plan, membership_order):
    ledger.account_for(club, customer.pk, customer.email)
    guest_buys(membership_order, customer, quantity=2)

    membership_merge.attach_guest_accounts(customer.pk, customer.email)
    first = Membership.objects.get(account=member_account(club, customer))
    membership_merge.attach_guest_accounts(customer.pk, customer.email)

    again = Membership.objects.get(account=member_account(club, customer))
    assert (again.ends_at, again.plan_ends_at) == (first.ends_at, first.plan_ends_at)
    assert MembershipTermRow.objects.count() == 1
    assert TierEvent.objects.filter(cause=TierCause.MEMBERSHIP_STARTED, account=again.account).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_merges_carry_the_terms_once(club, customer, gold_plan, membership_order):
    membership.sync_membership_order(membership_order(customer, paid_at=BOUGHT), now=BOUGHT)
    guest_buys(membership_order, customer, at=BOUGHT + timedelta(hours=1))
    expected_end = MembershipTermRow.objects.get(membership__account__user__isnull=True).ends_at

    run_concurrently(lambda _: membership_merge.attach_guest_accounts(customer.pk, customer.email), workers=4)

    member = Membership.objects.get(account=member_account(club, customer))
    terms = MembershipTermRow.objects.filter(membership=member)
    assert terms.count() == 2
    assert member.ends_at > expected_end  # stacked after Dana's month, exactly once
    assert member.ends_at == max(term.ends_at for term in terms)
    assert LoyaltyAccount.objects.get(program=club, user__isnull=True).merged_into_id == member.account_id


def test_a_refund_of_the_guests_order_after_the_merge_shortens_the_members(
    club, customer, gold_plan, membership_order
):
    ledger.account_for(club, customer.pk, customer.email)
    order = guest_buys(membership_order, customer)
    membership_merge.attach_guest_accounts(customer.pk, customer.email)
    refunded_on = BOUGHT + timedelta(days=1)

    change = membership.sync_membership_order(dataclasses.replace(order, is_cancelled=True), now=refunded_on)

    member = Membership.objects.get(account=member_account(club, customer))
    assert change.ended
    assert (member.status, member.ends_at) == (MembershipStatus.ENDED, refunded_on)
    assert tier_name(club, customer) == "Regular"


def test_a_guest_membership_that_already_ended_raises_nobody(club, customer, gold_plan, membership_order):
    ledger.account_for(club, customer.pk, customer.email)
    guest_buys(membership_order, customer, at=BOUGHT - timedelta(days=90))  # a month, long over
    membership_jobs.expire_due()

    membership_merge.attach_guest_accounts(customer.pk, customer.email)

    member = Membership.objects.get(account=member_account(club, customer))
    assert member.status == MembershipStatus.ENDED
    assert tier_name(club, customer) == "Regular"
    assert not TierEvent.objects.filter(account=member.account).exists()
