"""Rule backtest: replays recorded orders, refunds included, under current and proposed rules; writes nothing."""

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import EarnTier, OrderFacts, OrderLineFacts
from saleor_loyalty.insights import book_rollups
from saleor_loyalty.insights.backtest import (
    BacktestInputError,
    Proposal,
    ProposedTier,
    backtest,
    earned_points,
)
from saleor_loyalty.ledger import expiry
from saleor_loyalty.ledger.rules import compute_earn
from saleor_loyalty.models import LoyaltyAccount
from tests.engine.graphql.test_authorization_matrix import snapshot

NOW = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def history(club, customer, make_order, django_user_model):
    """Dana: ₪100 of goods (100 points), 30 spent, 70 expire. Noa: ₪150 and ₪3,000, ₪50 of the first refunded."""
    club.pending_days = 0
    club.save()
    first = ledger.sync_order(make_order(lines=(("Shirt", "100.00"),), shipping="0", user=customer)).earned
    ledger.adjust_points(
        LoyaltyAccount.objects.get(user=customer), -30, "spent at the counter", ledger.SYSTEM
    )
    noa = django_user_model.objects.create(username="noa", email="noa@example.co.il")
    coat = dataclasses.replace(make_order(lines=(("Coat", "150.00"),), shipping="0", user=noa), paid_at=LATER)
    ledger.sync_order(coat)
    ledger.sync_order(dataclasses.replace(coat, refunded_amount=Decimal("50.00")))
    sofa = make_order(lines=(("Sofa", "3000.00"),), shipping="0", user=noa)
    ledger.sync_order(dataclasses.replace(sofa, paid_at=LATER + timedelta(days=30)))
    expiry.expire_due_lots(now=first.expires_at + timedelta(seconds=1))
    from django.utils import timezone

    book_rollups.roll_up_books(now=timezone.now() + timedelta(hours=1))
    return club


def test_the_current_rules_replayed_give_what_the_ledger_recorded(history):
    result = backtest(history, Proposal(Decimal(1), Decimal("0.05"), Decimal(0)), 13, NOW)
    assert result.recorded_points == 100 + 150 - 50 + 3000
    assert (result.current.points_issued, result.current.points_reversed) == (3250, 50)
    assert result.current.net_points == result.recorded_points
    assert result.current.orders == 3
    assert result.current.points_value == Decimal("160.00")  # 3,200 × ₪0.05
    assert result.breakage_rate == Decimal("0.7")
    assert result.current.expected_cost == Decimal("48.00")  # 30 % of the points are expected to be used


def test_a_proposal_doubles_points_and_adds_cashback(history):
    proposal = Proposal(earn_rate=Decimal(2), point_value=Decimal("0.05"), cashback_percent=Decimal(2))
    result = backtest(history, proposal, 13, NOW)
    assert (result.proposed.points_issued, result.proposed.points_reversed) == (6500, 100)
    assert result.proposed.points_value == Decimal("320.00")
    assert result.proposed.cashback == Decimal("64.00")  # 2 % of ₪3,200 kept after the refund
    assert result.proposed.liability_change == Decimal("384.00")
    assert result.current.cashback == Decimal("0.00")


def test_proposed_tiers_raise_later_orders_and_give_a_distribution(history):
    tiers = (ProposedTier("Base", Decimal(0)), ProposedTier("VIP", Decimal(120), Decimal(2), Decimal(5)))
    result = backtest(history, Proposal(Decimal(1), Decimal("0.05"), Decimal(0), tiers), 13, NOW)
    # Noa's coat (₪150) earns at Base and lifts her to VIP, so the sofa earns double and 5 % cashback.
    assert result.proposed.points_issued == 100 + 150 + 6000
    assert result.proposed.cashback == Decimal("150.00")
    assert result.proposed.tier_distribution == {"Base": 1, "VIP": 1}
    assert result.current.tier_distribution == {"Regular": 1, "Gold": 1, "Platinum": 0}


def test_only_the_months_asked_for_are_replayed(history):
    result = backtest(history, Proposal(Decimal(1), Decimal("0.05"), Decimal(0)), 7, NOW)
    assert result.current.orders == 2  # the March order is older than seven months


def test_a_backtest_writes_nothing(history):
    before = snapshot()
    backtest(history, Proposal(Decimal(3), Decimal("0.10"), Decimal(5)), 12, NOW)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("proposal", "months", "field"),
    [
        (Proposal(Decimal(1), Decimal("0.05"), Decimal(0)), 0, "months"),
        (Proposal(Decimal(1), Decimal("0.05"), Decimal(0)), 25, "months"),
        (Proposal(Decimal(-1), Decimal("0.05"), Decimal(0)), 6, "earn_rate"),
        (Proposal(Decimal(1), Decimal(0), Decimal(0)), 6, "point_value"),
        (Proposal(Decimal(1), Decimal("0.05"), Decimal(101)), 6, "cashback_percent"),
        (Proposal(Decimal(1), Decimal("0.05"), Decimal(0), ()), 6, "tiers"),
        (Proposal(Decimal(1), Decimal("0.05"), Decimal(0), (ProposedTier("A", Decimal(5)),)), 6, "tiers"),
        (
            Proposal(
                Decimal(1),
                Decimal("0.05"),
                Decimal(0),
                (ProposedTier("A", Decimal(0)), ProposedTier("B", Decimal(0))),
            ),
            6,
            "tiers",
        ),
    ],
)
def test_bad_proposals_are_refused_by_field(club, proposal, months, field):
    with pytest.raises(BacktestInputError) as refused:
        backtest(club, proposal, months, NOW)
    assert refused.value.field == field


@pytest.mark.parametrize("multiplier", [Decimal(1), Decimal("1.5"), Decimal(2), Decimal("0.333")])
@pytest.mark.parametrize("base", [Decimal("0.99"), Decimal("64.00"), Decimal("128.37"), Decimal("2999.999")])
def test_the_replays_points_are_what_compute_earn_gives(club, base, multiplier):
    line = OrderLineFacts("1", "", "", 1, base, base)
    facts = OrderFacts(
        order_id=None, number="", channel_slug="il", currency="ILS", user_id=None, email="", lines=(line,),
        shipping_gross=Decimal(0), total_gross=base, is_paid=True,
    )  # fmt: skip
    for rate in (Decimal(1), Decimal("2.5"), Decimal("0.1")):
        club.earn_rate = rate  # unsaved: the backtest's own copy of the rules
        expected = compute_earn(club, facts, NOW, EarnTier(None, "", multiplier)).points
        assert earned_points(club, base, multiplier) == expected
