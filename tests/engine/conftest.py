import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from saleor_loyalty.core.facts import ChannelFacts, OrderFacts, OrderLineFacts, Requestor
from saleor_loyalty.ledger import programs
from saleor_loyalty.models import LoyaltyProgram
from tests.engine.api import STAFF_PERMISSIONS

PAID_AT = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture
def program(db):
    return LoyaltyProgram.objects.create(channel_slug="il", currency="ILS", timezone="Asia/Jerusalem")


@pytest.fixture
def club(db):
    """The `il` channel's program as Saleor's first order creates it: with the default ladder
    (Regular; Gold 5 % + free shipping; Platinum 10 % + free shipping + early access)."""
    return programs.ensure_program(ChannelFacts("il", "ILS", "IL"))


@pytest.fixture
def customer(db):
    return get_user_model().objects.create(username="dana", email="dana@example.co.il")


@pytest.fixture
def make_order():
    """Order facts as the Saleor adapter would report them; amounts in ₪ unless told."""

    def build(
        lines=(("Shirt", "120.00"), ("Socks", "30.00")),
        *,
        user=None,
        email=None,
        shipping="25.00",
        gift_card_paid="0",
        refunded="0",
        cancelled=False,
        paid=True,
        currency="ILS",
        channel="il",
        order_id=None,
        gift_card_lines=(),
    ):
        order_lines = [
            OrderLineFacts(
                line_id=f"l{i}",
                product_name=name,
                sku=f"SKU-{i}",
                quantity=1,
                total_net=(Decimal(gross) / Decimal("1.18")).quantize(Decimal("0.01")),
                total_gross=Decimal(gross),
            )
            for i, (name, gross) in enumerate(lines)
        ]
        order_lines += [
            OrderLineFacts(
                line_id=f"g{i}",
                product_name=name,
                sku=f"GC-{i}",
                quantity=1,
                total_net=Decimal(gross),
                total_gross=Decimal(gross),
                is_gift_card=True,
            )
            for i, (name, gross) in enumerate(gift_card_lines)
        ]
        total = sum((line.total_gross for line in order_lines), Decimal(0)) + Decimal(shipping)
        return OrderFacts(
            order_id=order_id or uuid.uuid4(),
            number=str(uuid.uuid4().int % 100000),
            channel_slug=channel,
            currency=currency,
            user_id=user.pk if user else None,
            email=email or (user.email if user else "guest@example.co.il"),
            lines=tuple(order_lines),
            shipping_gross=Decimal(shipping),
            total_gross=total,
            gift_card_paid=Decimal(gift_card_paid),
            is_paid=paid,
            paid_at=PAID_AT if paid else None,
            refunded_amount=Decimal(refunded),
            is_cancelled=cancelled,
        )

    return build


@pytest.fixture
def after_pending():
    return PAID_AT + timedelta(days=15)


@pytest.fixture
def cards():
    from .cards import InMemoryCards

    return InMemoryCards()


@pytest.fixture
def make_checkout(cards):
    """An open checkout registered with the in-memory cards; ₪ goods of 150 plus 25 shipping unless told."""
    from saleor_loyalty.core.facts import CheckoutFacts

    def build(
        user=None,
        lines=(("Shirt", "120.00"), ("Socks", "30.00")),
        shipping="25.00",
        currency="ILS",
        channel="il",
    ):
        order_lines = tuple(
            OrderLineFacts(
                line_id=f"c{i}",
                product_name=name,
                sku=f"SKU-{i}",
                quantity=1,
                total_net=(Decimal(gross) / Decimal("1.18")).quantize(Decimal("0.01")),
                total_gross=Decimal(gross),
            )
            for i, (name, gross) in enumerate(lines)
        )
        checkout = CheckoutFacts(
            token=uuid.uuid4(),
            channel_slug=channel,
            currency=currency,
            user_id=user.pk if user else None,
            email=user.email if user else "guest@example.co.il",
            lines=order_lines,
            shipping_gross=Decimal(shipping),
            total_gross=sum((line.total_gross for line in order_lines), Decimal(0)) + Decimal(shipping),
        )
        cards.checkouts[checkout.token] = checkout
        return checkout

    return build


@pytest.fixture
def other_club(db):
    """A second channel's program (USD), to show nothing crosses channels."""
    return programs.ensure_program(ChannelFacts("us", "USD", "US"))


@pytest.fixture
def staff(django_user_model):
    """Staff with MANAGE_USERS and MANAGE_SETTINGS, in no channel-restricted group."""
    user = django_user_model.objects.create(username="staff", email="staff@shop.co.il", is_staff=True)
    return Requestor(user_id=user.pk, email=user.email, is_staff=True, permissions=STAFF_PERMISSIONS)
