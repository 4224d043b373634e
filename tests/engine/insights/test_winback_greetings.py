"""Birthday and anniversary greetings: flows of the win-back kind, started once a year, naming the tier's gift."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from saleor_loyalty.insights import flow_settings, greetings, winback
from saleor_loyalty.models import FlowKind, FlowRun, LoyaltyAccount, Tier

from .conftest import T0

STEP = [
    {
        "after_days": 0,
        "content": [{"language": "en", "subject": "Happy birthday!", "body": "From all of us."}],
    }
]


@pytest.fixture
def gold_member(club, messaging, members, opted_in):
    (user,) = members(1)
    opted_in(user.email)
    gold = Tier.objects.get(program=club, name="Gold")
    Tier.objects.filter(pk=gold.pk).update(birthday_points=250)
    local = T0.astimezone(ZoneInfo(club.timezone)).date()
    return LoyaltyAccount.objects.create(
        program=club,
        user=user,
        email=user.email,
        tier=gold,
        birthday_month=local.month,
        birthday_day=local.day,
    )


def test_a_birthday_greeting_starts_once_a_year_and_names_the_tiers_gift(club, gold_member):
    flow_settings.update_flow(club, FlowKind.BIRTHDAY, steps=STEP, enabled=True, holdout_percent=0)
    assert greetings.start_greetings(T0) == 1
    assert greetings.start_greetings(T0 + timedelta(hours=1)) == 0  # the hourly beat again: nothing new
    assert winback.process_due(None, T0) == 1
    (message,) = mail.outbox
    assert message.subject.endswith("Happy birthday!")
    # the channel's language (Hebrew) frames the staff's English-only content; the tier's name is translated
    assert "From all of us." in message.body
    assert "מתנת יום ההולדת של דרגת זהב: 250 נקודות." in message.body
    assert FlowRun.objects.get().trigger_key == f"birthday:{T0.year}"


def test_an_anniversary_greeting_needs_a_full_year(club, gold_member, members):
    flow_settings.update_flow(club, FlowKind.ANNIVERSARY, steps=STEP, enabled=True, holdout_percent=0)
    (newcomer,) = members(1, prefix="new")
    LoyaltyAccount.objects.filter(pk=gold_member.pk).update(created_at=T0 - timedelta(days=365))
    LoyaltyAccount.objects.create(program=club, user=newcomer, email=newcomer.email)  # joined today
    assert greetings.start_greetings(T0) == 1
    assert FlowRun.objects.get().account_id == gold_member.pk


def test_a_switched_off_flow_starts_nothing(club, gold_member):
    flow_settings.update_flow(club, FlowKind.BIRTHDAY, steps=STEP, enabled=False)
    assert greetings.start_greetings(T0) == 0
