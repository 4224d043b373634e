"""Guest orders merged into a member's account count towards the member's tier, at once and nightly."""

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from saleor_loyalty import ledger
from saleor_loyalty.models import LoyaltyAccount, TierBasis, TierCause, TierEvent
from saleor_loyalty.tiers import evaluation as tier_evaluation
from saleor_loyalty.tiers import ladder as tiers

NOW = datetime(2026, 6, 1, 9, tzinfo=UTC)


def order(make_order, amount, *, days_ago=5, **who):
    facts = make_order(lines=(("Goods", amount),), shipping="0", **who)
    return dataclasses.replace(facts, paid_at=NOW - timedelta(days=days_ago))


@pytest.fixture
def noa(django_user_model):
    return django_user_model.objects.create(username="noa", email="noa@example.co.il")


def tier_of(user):
    account = LoyaltyAccount.objects.get(user=user)
    return tiers.current_tier(account, tiers.ladder(account.program)).name


def test_merged_guest_spend_upgrades_the_member(club, make_order, noa):
    # given ₪600 spent as a member and ₪1,500 spent earlier as a guest with the same email (Gold is ₪2,000)
    ledger.sync_order(order(make_order, "600.00", user=noa))
    ledger.sync_order(order(make_order, "1500.00", email="noa@example.co.il"))
    assert tier_of(noa) == "Regular"

    # when the guest account is merged into the member's at sign-up (delivered twice)
    ledger.attach_guest_accounts(noa.pk, noa.email)
    ledger.attach_guest_accounts(noa.pk, noa.email)

    # then the member is Gold at once, by one recorded upgrade that says why
    assert tier_of(noa) == "Gold"
    (event,) = TierEvent.objects.filter(account__user=noa, cause=TierCause.ORDER_UPGRADE)
    assert event.qualifying_amount == Decimal("2100.0000")
    assert "merged" in event.reason


def test_nightly_evaluation_agrees_with_the_merge(club, make_order, noa):
    # given a member made Gold by merged guest spend
    ledger.sync_order(order(make_order, "600.00", user=noa))
    ledger.sync_order(order(make_order, "1500.00", email="noa@example.co.il"))
    ledger.attach_guest_accounts(noa.pk, noa.email)
    member = LoyaltyAccount.objects.get(user=noa)

    # when the nightly evaluation runs
    report = tier_evaluation.evaluate_program(club, NOW)

    # then it counts the same ₪2,100 and starts no grace period
    assert tiers.qualifying_amounts(club, [member.pk], NOW) == {member.pk: Decimal("2100.0000")}
    assert tiers.qualifying_amount(club, member, NOW) == Decimal("2100.0000")
    assert report.grace_started == report.downgraded == 0
    assert tier_of(noa) == "Gold"


@pytest.mark.parametrize("basis", [TierBasis.SPEND, TierBasis.POINTS])
def test_merged_guest_orders_count_net_of_refunds_and_in_their_own_window(club, make_order, noa, basis):
    # given a rolling-12-month program; as a guest: ₪1,000 refunded by half (after the merge) and
    # ₪900 paid 400 days ago; as a member: ₪300
    club.tier_basis = basis
    club.tier_window = "rolling_12_months"
    club.save()
    guest_order = order(make_order, "1000.00", email="noa@example.co.il")
    ledger.sync_order(guest_order)
    ledger.sync_order(order(make_order, "900.00", email="noa@example.co.il", days_ago=400))
    ledger.sync_order(order(make_order, "300.00", user=noa))
    ledger.attach_guest_accounts(noa.pk, noa.email)

    # when the guest order is refunded by half
    ledger.sync_order(dataclasses.replace(guest_order, refunded_amount=Decimal("500.00")))

    # then the member counts 300 + 500 (the old order is outside the window), in both queries
    member = LoyaltyAccount.objects.get(user=noa)
    assert tiers.qualifying_amount(club, member, NOW) == Decimal("800.0000")
    assert tiers.qualifying_amounts(club, [member.pk], NOW) == {member.pk: Decimal("800.0000")}
