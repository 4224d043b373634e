"""A small, exact shop for the browser tests: channel `il` (₪) with the default ladder, Dana (₪2,500 paid
40 days ago: 2,500 points, Gold) and 24 more members, so the member list has a second page."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import ChannelFacts, OrderFacts, OrderLineFacts
from saleor_loyalty.ledger import programs

CHANNEL = ChannelFacts("il", "ILS", "IL")
DANA = "dana@example.co.il"
OTHER_MEMBERS = 24


def _paid_order(user, amount: Decimal, number: str, days_ago: int) -> OrderFacts:
    line = OrderLineFacts(
        line_id="l1",
        product_name="Challah",
        sku="CH-1",
        quantity=1,
        total_net=(amount / Decimal("1.18")).quantize(Decimal("0.01")),
        total_gross=amount,
    )
    return OrderFacts(
        order_id=uuid.uuid5(uuid.NAMESPACE_URL, f"browser-order-{number}"),
        number=number,
        channel_slug=CHANNEL.slug,
        currency=CHANNEL.currency,
        user_id=user.pk,
        email=user.email,
        lines=(line,),
        shipping_gross=Decimal(0),
        total_gross=amount,
        is_paid=True,
        paid_at=timezone.now() - timedelta(days=days_ago),
    )


def seed_browser_shop() -> None:
    programs.ensure_program(CHANNEL)
    users = get_user_model().objects
    dana = users.create(username="dana", email=DANA, first_name="Dana")
    ledger.sync_order(_paid_order(dana, Decimal("2500.00"), "1001", days_ago=40))
    for i in range(1, OTHER_MEMBERS + 1):
        member = users.create(username=f"member{i:02d}", email=f"member{i:02d}@example.co.il")
        ledger.sync_order(_paid_order(member, Decimal(100 + 10 * i), str(2000 + i), days_ago=40))


def seed_demo_shop(seed: int) -> str:
    """The demo's month of Bakery Levi; returns its report."""
    from saleor_loyalty.demo.simulation import simulate_month

    return simulate_month(seed=seed).render()
