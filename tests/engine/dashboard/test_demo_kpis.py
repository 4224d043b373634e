"""The demo shop behind `scripts/demo.sh --serve`: its overview's KPIs come from the same roll-ups
real orders feed, so they are not empty."""

from datetime import date

import pytest

from saleor_loyalty.dashboard.standalone import seed
from saleor_loyalty.demo.simulation import CHANNEL
from saleor_loyalty.insights.kpis import kpis
from saleor_loyalty.models import LoyaltyProgram, OrderRollup


# The simulation delivers some events from several threads at once, each on its own connection.
@pytest.mark.django_db(transaction=True)
def test_the_demo_month_feeds_the_kpi_order_rollups():
    seed.seed_demo_shop(5786)
    program = LoyaltyProgram.objects.get(channel_slug=CHANNEL.slug)

    october = kpis(program, date(2026, 10, 1), date(2026, 10, 31))

    placed = OrderRollup.objects.filter(channel_slug=CHANNEL.slug)
    assert placed.count() > 200  # one roll-up row per order, duplicates and replays folded in
    assert october.orders == placed.filter(counted=True).count() < placed.count()  # cancellations drop out
    assert 0 < october.members_active < october.customers_active  # guests buy too
    (month,) = october.months
    assert month.member_aov > 0
    assert month.guest_aov > 0
    assert october.points.issued > 0
