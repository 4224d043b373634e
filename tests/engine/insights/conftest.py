"""Insights fixtures: members who buy, messaging that passes the §30A gate, campaigns; consent and the outbox
come from the recovery tier's fixtures (one `opted_in`, one T0: a Tuesday, 10:00 in Israel)."""

import dataclasses
from decimal import Decimal

import pytest

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import ChannelFacts
from saleor_loyalty.insights import campaigns
from saleor_loyalty.ledger import programs
from saleor_loyalty.models import LoyaltyAccount, MessagingSettings
from tests.engine.recovery.conftest import empty_outbox, opted_in  # noqa: F401
from tests.engine.recovery.shop import T0

__all__ = ["T0"]


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


def money(value) -> Decimal:
    return Decimal(value)


@pytest.fixture
def channel(club):
    """The `il` club with its default ladder and messaging settings that pass the §30A gate."""
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
def us_channel(db):
    programs.ensure_program(ChannelFacts("us", "USD", "US"))
    return MessagingSettings.objects.create(
        channel_slug="us",
        country="US",
        timezone="America/New_York",
        default_language="en",
        sender_name="Dana Shop",
        sender_email="shop@example.com",
        contact_address="1 Main St, Springfield",
        observe_shabbat=False,
    )


@pytest.fixture
def member(django_user_model, club, opted_in):  # noqa: F811 (the recovery tier's fixture)
    """A member of `il` (optionally in a tier, optionally without consent), with points."""

    def build(email, *, tier=None, consent=True, first_name="", balance=0, channel="il"):
        user = django_user_model.objects.filter(email=email).first() or django_user_model.objects.create(
            username=email, email=email, first_name=first_name
        )
        program = club if channel == "il" else programs.ensure_program(ChannelFacts(channel, "USD", "US"))
        tier_row = program.tiers.get(name=tier) if tier else None
        account = LoyaltyAccount.objects.create(
            program=program, user=user, email=email, tier=tier_row, balance=balance
        )
        if consent:
            opted_in(email, channel=channel)
        return account

    return build


def content(
    subject="מבצע לחברי {tier}",
    body="שלום {first_name}, יש לך {points} נקודות. https://shop.example.co.il/sale",
):
    return {"he": {"subject": subject, "body": body}}


@pytest.fixture
def make_campaign(club):
    def build(*, variants=None, schedule_at=T0, **fields):
        spec = campaigns.CampaignSpec(
            name=fields.pop("name", "Spring sale"),
            variants=variants or [campaigns.VariantSpec("A", content())],
            **fields,
        )
        campaign = campaigns.create(club, spec, created_by="staff@shop.co.il")
        if schedule_at is not None:
            campaign = campaigns.schedule(campaign, schedule_at, schedule_at)
        return campaign

    return build
