"""Return cells: distinct buyers of any period from O(months²) rows, exact under replays, late orders and refunds."""

import importlib
import random
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from saleor_loyalty.core.clock import add_months
from saleor_loyalty.insights import kpis, rollups
from saleor_loyalty.models import LoyaltyProgram, ReturnCell
from tests.engine.insights.test_kpi_rollups import order

backfill_migration = importlib.import_module("saleor_loyalty.migrations.0230_kpi_return_cells")


@pytest.fixture
def il(db):
    return LoyaltyProgram.objects.create(channel_slug="il", currency="ILS", timezone="Asia/Jerusalem")


def cells():
    return {
        (row.month, row.previous_month): (row.customers, row.member_customers, row.repeat_customers)
        for row in ReturnCell.objects.exclude(customers=0, member_customers=0, repeat_customers=0)
    }


def test_a_late_order_between_two_months_relinks_the_months_after_it(il):
    rollups.record_order(order("100.00", user=7, at=(2026, 1, 10)))
    rollups.record_order(order("100.00", user=7, at=(2026, 3, 10)))
    jan, feb, mar = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
    assert cells() == {(jan, jan): (1, 1, 1), (mar, jan): (1, 1, 0)}
    late = order("100.00", user=7, at=(2026, 2, 10))
    rollups.record_order(late)
    rollups.record_order(late)
    assert cells() == {(jan, jan): (1, 1, 1), (feb, jan): (1, 1, 0), (mar, feb): (1, 1, 0)}
    assert kpis.kpis(il, mar, mar).customers_active == 1
    assert kpis.kpis(il, feb, mar).customers_active == 1


def test_a_buyer_refunded_to_one_order_is_no_longer_a_repeat_buyer(il):
    second = uuid.uuid4()
    rollups.record_order(order("100.00", email="g@example.com", at=(2026, 1, 10)))
    rollups.record_order(order("100.00", email="g@example.com", at=(2026, 1, 20), order_id=second))
    assert kpis.kpis(il, date(2026, 1, 1), date(2026, 1, 1)).repeat_purchase_rate == Decimal(1)
    rollups.record_order(
        order("100.00", email="g@example.com", at=(2026, 1, 20), order_id=second, refunded="100")
    )
    result = kpis.kpis(il, date(2026, 1, 1), date(2026, 1, 1))
    assert (result.repeat_purchase_rate, result.customers_active, result.members_active) == (Decimal(0), 1, 0)


def hand_count(orders, since, until):
    """(buyers, member buyers, new buyers, repeat new buyers) straight from the orders' last states."""
    counted = {}
    for facts in orders.values():
        if facts.is_paid and facts.total_gross > facts.refunded_amount:
            counted.setdefault((facts.user_id, facts.email), []).append(
                facts.created_at.date().replace(day=1)
            )
    active = {buyer for buyer, months in counted.items() if any(since <= m <= until for m in months)}
    new = {buyer for buyer, months in counted.items() if since <= min(months) <= until}
    return (
        len(active),
        sum(1 for user, _ in active if user is not None),
        len(new),
        sum(1 for buyer in new if len(counted[buyer]) >= 2),
    )


def test_every_period_matches_a_hand_count_after_shuffled_replays_and_refunds(il):
    rng = random.Random(11)
    orders = {}
    for _ in range(160):
        member = rng.random() < 0.7
        when = (
            (2025, rng.randint(1, 12), rng.randint(2, 27))
            if rng.random() < 0.5
            else (2026, rng.randint(1, 6), 15)
        )
        facts = order(
            "100.00",
            user=rng.randint(1, 25) if member else None,
            email="" if member else f"guest{rng.randint(1, 10)}@example.com",
            at=when,
        )
        orders[facts.order_id] = facts
    events = list(orders.values())
    for facts in rng.sample(events, 40):  # refunds, some in full, arriving after the order
        orders[facts.order_id] = refunded = order(
            "100.00", user=facts.user_id, email=facts.email, at=facts.created_at.timetuple()[:3],
            order_id=facts.order_id, refunded=rng.choice(["30.00", "100.00"]),
        )  # fmt: skip
        events.append(refunded)
    rng.shuffle(events)  # late, out of order; the last state of a refunded order is recorded last below
    for facts in events + rng.sample(list(orders.values()), 50) + [orders[f.order_id] for f in events]:
        rollups.record_order(facts)
    for _ in range(25):
        start = rng.randint(0, 17)  # months after January 2025; the orders span 18 months
        since = add_months(date(2025, 1, 1), start)
        until = add_months(since, rng.randint(0, 17 - start))
        result = kpis.kpis(il, since, until)
        buyers, members, new, repeat = hand_count(orders, since, until)
        assert (result.customers_active, result.members_active) == (buyers, members), (since, until)
        assert sum(month.new_customers for month in result.months) == new
        assert result.repeat_purchase_rate == kpis.ratio(repeat, new)


def test_the_migration_backfill_builds_the_same_cells_as_the_live_path(il):
    for user, month, times in ((1, 1, 2), (1, 3, 1), (2, 2, 1), (2, 5, 1), (3, 4, 1), (None, 4, 3)):
        for _ in range(times):
            rollups.record_order(order("50.00", user=user, at=(2026, month, 8)))
    live = cells()
    ReturnCell.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(backfill_migration.BACKFILL)
    assert cells() == live
    assert len(live) == 5
