"""Tiers by number of paid orders: fully refunded or cancelled orders do not count, partly refunded ones do."""

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import graphene
import pytest

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.models import LoyaltyAccount, Tier, TierBasis, TierCause, TierEvent
from saleor_loyalty.tiers import evaluation as tier_evaluation
from saleor_loyalty.tiers import ladder as tiers
from saleor_loyalty.tiers.outlook import tier_outlook
from tests.engine.api import run

NOW = datetime.now(UTC)
ME = """query { me(channel: "il") { tier { name } progress { basis current target remaining percent }
  retainBy { amount points orders } } }"""
PREVIEW = """query($id: ID!) { checkoutPreview(checkoutId: $id) { points tier { name reached } } }"""


@pytest.fixture
def by_orders(club):
    """Gold after 3 paid orders (kept with 2), Platinum after 10 (kept with 8)."""
    club.tier_basis = TierBasis.ORDERS
    club.save()
    thresholds = {"Gold": (3, 2), "Platinum": (10, 8)}
    for tier in Tier.objects.filter(program=club, position__gt=0):
        tier.entry_threshold, tier.retain_threshold = (Decimal(v) for v in thresholds[tier.name])
        tier.save()
    return club


def order(make_order, customer, at=None, amount="80.00"):
    facts = make_order(lines=(("Book", amount),), shipping="0", user=customer)
    return dataclasses.replace(facts, paid_at=at or NOW)


def tier_of(customer) -> str:
    account = LoyaltyAccount.objects.select_related("tier").get(user=customer)
    return account.tier.name if account.tier else "Regular"


def test_the_third_paid_order_makes_gold_at_once(by_orders, customer, make_order):
    ledger.sync_order(order(make_order, customer))
    ledger.sync_order(order(make_order, customer))
    assert tier_of(customer) == "Regular"

    ledger.sync_order(order(make_order, customer, amount="5.00"))  # small orders count as much as big ones

    assert tier_of(customer) == "Gold"
    event = TierEvent.objects.get(cause=TierCause.ORDER_UPGRADE)
    assert event.qualifying_amount == 3


def test_fully_refunded_and_cancelled_orders_do_not_count(by_orders, customer, make_order):
    refunded, cancelled, partly = (order(make_order, customer) for _ in range(3))
    for facts in (refunded, cancelled, partly):
        ledger.sync_order(facts)
    ledger.sync_order(dataclasses.replace(refunded, refunded_amount=refunded.total_gross))
    ledger.sync_order(dataclasses.replace(cancelled, is_cancelled=True))
    ledger.sync_order(dataclasses.replace(partly, refunded_amount=Decimal("30.00")))

    account = LoyaltyAccount.objects.get(user=customer)
    assert tiers.qualifying_amount(by_orders, account, NOW) == 1
    assert tiers.qualifying_amounts(by_orders, [account.pk], NOW) == {account.pk: 1}


def test_me_says_how_many_more_orders_to_gold(by_orders, customer, make_order):
    ledger.sync_order(order(make_order, customer))

    result = run(ME, Requestor(user_id=customer.pk, email=customer.email))

    assert result.errors is None
    assert result.data["me"]["progress"] == {
        "basis": "ORDERS",
        "current": 1.0,
        "target": 3.0,
        "remaining": 2.0,
        "percent": 33.3,
    }


def test_gold_member_is_told_the_orders_that_keep_gold(by_orders, customer, make_order):
    for _ in range(3):
        ledger.sync_order(order(make_order, customer))
    me = run(ME, Requestor(user_id=customer.pk, email=customer.email)).data["me"]
    assert me["tier"]["name"] == "Gold"
    assert me["retainBy"] == {"amount": None, "points": None, "orders": 0}
    assert me["progress"]["remaining"] == 7.0  # to Platinum


def test_checkout_preview_says_this_order_makes_you_gold(
    by_orders, customer, make_order, make_checkout, cards
):
    for _ in range(2):
        ledger.sync_order(order(make_order, customer))
    checkout = make_checkout(user=customer)

    preview = run(
        PREVIEW,
        Requestor(user_id=customer.pk),
        cards,
        id=graphene.Node.to_global_id("Checkout", str(checkout.token)),
    )

    assert preview.errors is None
    assert preview.data["checkoutPreview"]["tier"] == {"name": "Gold", "reached": True}


def test_an_order_that_earns_nothing_does_not_move_the_outlook(by_orders, customer, make_order):
    for _ in range(2):
        ledger.sync_order(order(make_order, customer))
    account = LoyaltyAccount.objects.get(user=customer)
    assert tier_outlook(by_orders, account, Decimal(0), 0).reached is False
    assert tier_outlook(by_orders, account, Decimal(80), 80).reached is True


def test_refunds_downgrade_only_at_evaluation_after_grace(by_orders, customer, make_order):
    paid = [order(make_order, customer, NOW - timedelta(days=3)) for _ in range(3)]
    for facts in paid:
        ledger.sync_order(facts)
    for facts in paid[:2]:
        ledger.sync_order(dataclasses.replace(facts, is_cancelled=True))
    assert tier_of(customer) == "Gold"  # a refund never downgrades on the spot

    tier_evaluation.evaluate_program(by_orders, NOW)
    assert tier_of(customer) == "Gold"
    tier_evaluation.evaluate_program(by_orders, NOW + timedelta(days=by_orders.tier_grace_days))
    assert tier_of(customer) == "Regular"


def test_member_and_batch_agree_on_order_counts(by_orders, make_order, django_user_model):
    accounts = []
    for i, (count, cancel) in enumerate([(0, 0), (1, 0), (4, 1), (2, 2)]):
        user = django_user_model.objects.create(username=f"o{i}", email=f"o{i}@example.co.il")
        for n in range(count):
            facts = order(make_order, user)
            ledger.sync_order(facts)
            if n < cancel:
                ledger.sync_order(dataclasses.replace(facts, is_cancelled=True))
        accounts.append(ledger.account_for(by_orders, user.pk, user.email))
    batch = tiers.qualifying_amounts(by_orders, [a.pk for a in accounts], NOW)
    assert [batch[a.pk] for a in accounts] == [0, 1, 3, 0]
    assert [tiers.qualifying_amount(by_orders, a, NOW) for a in accounts] == [0, 1, 3, 0]
