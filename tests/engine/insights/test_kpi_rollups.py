"""Order roll-ups: replays add nothing, refunds move the numbers once, cohorts follow the first order."""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.insights import kpis, rollups
from saleor_loyalty.insights.cohorts import cohort_table
from saleor_loyalty.insights.rollups import OrderRollupFacts
from saleor_loyalty.models import ChannelDayRollup, CohortCell, CustomerRollup, LoyaltyProgram, OrderRollup


def order(
    total,
    *,
    user=None,
    email="guest@example.co.il",
    at=(2026, 3, 10),
    refunded="0",
    paid=True,
    cancelled=False,
    channel="il",
    currency="ILS",
    order_id=None,
):
    return OrderRollupFacts(
        order_id=order_id or uuid.uuid4(),
        channel_slug=channel,
        currency=currency,
        user_id=user,
        email=email,
        created_at=datetime(*at, 9, 0, tzinfo=UTC),
        total_gross=Decimal(total),
        refunded_amount=Decimal(refunded),
        is_paid=paid,
        is_cancelled=cancelled,
    )


@pytest.fixture
def il(db):
    return LoyaltyProgram.objects.create(channel_slug="il", currency="ILS", timezone="Asia/Jerusalem")


@pytest.fixture
def us(db):
    return LoyaltyProgram.objects.create(channel_slug="us", currency="USD", timezone="America/New_York")


def month_kpis(program, month=date(2026, 3, 1)):
    return kpis.kpis(program, month, month).months[0]


def test_a_replayed_order_event_counts_once(il):
    facts = order("200.00", user=7)
    assert rollups.record_order(facts) is True
    assert rollups.record_order(facts) is False
    rollups.record_order(facts)
    march = month_kpis(il)
    assert (march.orders, march.member_orders, march.revenue) == (1, 1, Decimal("200.00"))
    assert CustomerRollup.objects.get(customer_key="user:7").orders == 1
    assert CohortCell.objects.get(cohort_month=date(2026, 3, 1), month=date(2026, 3, 1)).customers == 1


def test_a_refund_after_roll_up_updates_and_a_full_refund_uncounts(il):
    order_id = uuid.uuid4()
    rollups.record_order(order("200.00", user=7, order_id=order_id))
    rollups.record_order(order("200.00", user=7, order_id=order_id, refunded="50.00"))
    rollups.record_order(order("200.00", user=7, order_id=order_id, refunded="50.00"))
    march = month_kpis(il)
    assert (march.orders, march.revenue) == (1, Decimal("150.00"))
    assert ChannelDayRollup.objects.get().refunded == Decimal("50.00")
    rollups.record_order(order("200.00", user=7, order_id=order_id, refunded="200.00"))
    march = month_kpis(il)
    assert (march.orders, march.revenue, march.active_customers) == (0, 0, 0)
    assert ChannelDayRollup.objects.get().refunded == Decimal("200.00")
    assert CustomerRollup.objects.get().first_month is None
    assert OrderRollup.objects.get().counted is False


def test_unpaid_and_cancelled_orders_do_not_count(il):
    rollups.record_order(order("90.00", paid=False))
    rollups.record_order(order("90.00", cancelled=True))
    assert month_kpis(il).orders == 0


def test_members_and_guests_are_split_for_aov(il):
    rollups.record_order(order("300.00", user=1))
    rollups.record_order(order("100.00", user=2))
    rollups.record_order(order("50.00", email="a@example.com"))
    march = month_kpis(il)
    assert march.member_aov == Decimal("200.00")
    assert march.guest_aov == Decimal("50.00")
    assert (march.active_customers, march.active_members, march.new_customers) == (3, 2, 3)


def test_a_late_earlier_order_moves_the_buyer_to_the_earlier_cohort(il):
    rollups.record_order(order("100.00", user=7, at=(2026, 3, 10)))
    rollups.record_order(order("100.00", user=7, at=(2026, 1, 5)))
    table = cohort_table(il, date(2026, 1, 1), date(2026, 3, 1))
    january, february, march = table
    assert (january.size, february.size, march.size) == (1, 0, 0)
    assert [cell.customers for cell in january.cells] == [1, 0, 1]
    assert january.cells[2].retention == Decimal("1.0000")
    assert january.ltv == Decimal("200.00")
    assert not CohortCell.objects.filter(cohort_month=date(2026, 3, 1)).exclude(customers=0).exists()


def test_cohort_retention_and_repeat_purchase_rate(il):
    for user in (1, 2, 3, 4):
        rollups.record_order(order("100.00", user=user, at=(2026, 1, 10)))
    rollups.record_order(order("80.00", user=1, at=(2026, 2, 10)))
    rollups.record_order(order("60.00", user=2, at=(2026, 3, 10)))
    rollups.record_order(order("40.00", user=1, at=(2026, 3, 12)))
    (january,) = cohort_table(il, date(2026, 1, 1), date(2026, 1, 1), horizon=date(2026, 3, 1))
    assert [cell.retention for cell in january.cells] == [Decimal(1), Decimal("0.25"), Decimal("0.5")]
    assert january.ltv == Decimal("145.00")  # (400 + 80 + 100) / 4
    result = kpis.kpis(il, date(2026, 1, 1), date(2026, 3, 1))
    assert result.repeat_purchase_rate == Decimal("0.5")
    assert result.customers_active == 4
    assert result.orders == 7
    assert result.purchase_frequency == Decimal("1.75")


def test_order_day_is_the_programs_local_day(il):
    rollups.record_order(order("100.00", at=(2026, 2, 28, 23)))  # 01:00 on 1 March in Jerusalem
    assert ChannelDayRollup.objects.get().day == date(2026, 3, 1)


def test_currencies_stay_in_their_own_channel(il, us):
    rollups.record_order(order("100.00", user=1, channel="il", currency="ILS"))
    rollups.record_order(order("30.00", user=1, channel="us", currency="USD"))
    israel, america = (
        kpis.kpis(il, date(2026, 3, 1), date(2026, 3, 1)),
        kpis.kpis(us, date(2026, 3, 1), date(2026, 3, 1)),
    )
    assert (israel.currency, israel.revenue) == ("ILS", Decimal("100.00"))
    assert (america.currency, america.revenue) == ("USD", Decimal("30.00"))


def test_a_member_in_two_channels_is_a_buyer_in_each(il, us):
    rollups.record_order(order("100.00", user=1, channel="il", at=(2026, 1, 10)))
    rollups.record_order(order("30.00", user=1, channel="us", currency="USD", at=(2026, 3, 10)))
    assert CustomerRollup.objects.filter(customer_key="user:1").count() == 2
    assert cohort_table(us, date(2026, 3, 1), date(2026, 3, 1))[0].size == 1
    assert cohort_table(il, date(2026, 1, 1), date(2026, 1, 1))[0].size == 1


def test_backfill_resumes_from_its_cursor_and_overlaps_harmlessly(il):
    orders = [(number, order("10.00", user=number)) for number in range(1, 8)]

    def read_batch(after, limit):
        return [row for row in orders if row[0] > after][:limit]

    rollups.record_order(orders[0][1])  # the live hook got there first
    first = rollups.backfill(read_batch, batch_size=3, max_batches=1)
    rest = rollups.backfill(read_batch, batch_size=3)
    assert (first.seen, first.written, rest.seen) == (3, 2, 4)
    assert month_kpis(il).orders == 7
    assert rollups.backfill(read_batch).seen == 0


def test_a_period_is_checked(il):
    with pytest.raises(LoyaltyError, match="starts after"):
        kpis.kpis(il, date(2026, 3, 1), date(2026, 1, 1))
    with pytest.raises(LoyaltyError, match="36 months"):
        kpis.kpis(il, date(2020, 1, 1), date(2026, 1, 1))


def test_the_guides_worked_example(il):
    first = uuid.uuid4()
    rollups.record_order(order("300.00", user=1, refunded="50.00", order_id=first))
    rollups.record_order(order("150.00", user=1, at=(2026, 3, 20)))
    rollups.record_order(order("100.00", refunded="100.00"))
    rollups.record_order(order("200.00", user=2))
    for _ in range(10):
        rollups.record_order(order("300.00", user=1, refunded="50.00", order_id=first))
    result = kpis.kpis(il, date(2026, 3, 1), date(2026, 3, 1))
    march = result.months[0]
    assert (result.orders, result.revenue, march.member_aov, march.guest_aov) == (
        3,
        Decimal(600),
        Decimal(200),
        None,
    )
    assert (result.customers_active, result.purchase_frequency, result.repeat_purchase_rate) == (
        2,
        Decimal("1.5"),
        Decimal("0.5"),
    )
    rollups.record_order(order("300.00", user=1, refunded="100.00", order_id=first))
    assert kpis.kpis(il, date(2026, 3, 1), date(2026, 3, 1)).revenue == Decimal(550)
