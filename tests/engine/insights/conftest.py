import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail

from saleor_loyalty import ledger
from saleor_loyalty.messages import consent
from saleor_loyalty.models import ConsentAction, ConsentSource, Medium, MessagingSettings

# A Tuesday, 10:00 in Israel: inside every sending window.
T0 = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)
WORDING = "אני מסכים/ה לקבל דיוור שיווקי במייל / I agree to receive marketing email"


@pytest.fixture
def buy(make_order):
    """Record a paid order of `amount` ₪ for a member at `at` (through the ledger, as Saleor's event would)."""

    def record(member, at, amount="100.00", **kwargs):
        facts = dataclasses.replace(
            make_order(lines=(("Item", amount),), user=member, shipping="0", **kwargs), paid_at=at
        )
        ledger.sync_order(facts)
        return facts

    return record


@pytest.fixture
def members(django_user_model):
    def create(count, prefix="m"):
        return [
            django_user_model.objects.create(username=f"{prefix}{i}", email=f"{prefix}{i}@example.co.il")
            for i in range(count)
        ]

    return create


@pytest.fixture
def messaging(club):
    return MessagingSettings.objects.create(
        channel_slug="il",
        country="IL",
        timezone="Asia/Jerusalem",
        sender_name="חנות דנה",
        sender_email="shop@example.co.il",
        contact_address="רחוב הרצל 1, תל אביב",
        reply_to="remove@example.co.il",
    )


@pytest.fixture
def opted_in():
    def grant(address, at=T0 - timedelta(days=400)):
        return consent.record(
            "il",
            Medium.EMAIL,
            address,
            ConsentAction.GRANT,
            ConsentSource.CHECKOUT_CHECKBOX,
            wording=WORDING,
            locale="he",
            occurred_at=at,
        )

    return grant


@pytest.fixture(autouse=True)
def empty_outbox():
    mail.outbox = []


def money(value) -> Decimal:
    return Decimal(value)
