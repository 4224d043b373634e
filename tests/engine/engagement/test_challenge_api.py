"""Challenges on the club API: staff define them, members see their progress and badges in `me`."""

import dataclasses

import graphene
import pytest

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.engagement import challenge_rewards
from saleor_loyalty.models import Challenge
from tests.engine.api import run
from tests.engine.engagement.challenge_shop import local

SETTINGS = Requestor(
    user_id=1, email="staff@shop.co.il", is_staff=True, permissions=frozenset({"MANAGE_SETTINGS"})
)
BADGE_CREATE = """mutation($input: LoyaltyBadgeInput!) { loyaltyBadgeCreate(channel: "il", input: $input) {
  errors { field code } badge { id name nameHe } } }"""
CREATE = """mutation($input: LoyaltyChallengeInput!) { loyaltyChallengeCreate(channel: "il", input: $input) {
  errors { field code } challenge { id name(languageCode: HE) metric target targetAmount { amount currency }
  window startsOn endsOn rewardPoints badge { name } isActive archivedAt } } }"""
UPDATE = """mutation($id: ID!, $input: LoyaltyChallengeInput!) {
  loyaltyChallengeUpdate(channel: "il", id: $id, input: $input) { errors { field code } challenge { name } } }"""
DELETE = """mutation($id: ID!) { loyaltyChallengeDelete(channel: "il", id: $id) { errors { field code } archived } }"""
ME = """query { me(channel: "il") { challenges { challenge { name(languageCode: HE) } current target percent
  completed windowStart windowEnd } badges { badge { name(languageCode: HE) } earnedAt } } }"""
STAFF_LIST = (
    """query($all: Boolean) { challenges(channel: "il", includeArchived: $all) { name archivedAt } }"""
)
SUMMARY = """query($id: ID!) { challengeSummary(channel: "il", id: $id) { completed pointsAwarded badgesAwarded
  challenge { name } } }"""


@pytest.fixture
def defined(program):
    badge = run(BADGE_CREATE, SETTINGS, input={"name": "Regular", "nameHe": "לקוח קבוע"})
    badge_id = badge.data["loyaltyBadgeCreate"]["badge"]["id"]
    created = run(
        CREATE,
        SETTINGS,
        input={
            "name": "Three in March",
            "nameHe": "שלוש במרץ",
            "metric": "PAID_ORDERS",
            "target": 3,
            "startsOn": "2026-03-01",
            "endsOn": "2026-03-31",
            "rewardPoints": 100,
            "badgeId": badge_id,
        },
    )
    assert created.errors is None
    assert created.data["loyaltyChallengeCreate"]["errors"] == []
    return created.data["loyaltyChallengeCreate"]["challenge"]


def buy(make_order, customer, day):
    facts = dataclasses.replace(
        make_order(lines=(("Item", "100.00"),), shipping="0", user=customer), paid_at=local(2026, 3, day, 10)
    )
    ledger.sync_order(facts)
    challenge_rewards.on_order(facts, now=local(2026, 3, day, 10))


def test_staff_define_a_challenge_with_a_badge(defined):
    assert defined["name"] == "שלוש במרץ"
    assert defined["metric"] == "PAID_ORDERS"
    assert defined["window"] == "FIXED"
    assert (defined["startsOn"], defined["endsOn"]) == ("2026-03-01", "2026-03-31")
    assert defined["badge"] == {"name": "Regular"}
    assert defined["archivedAt"] is None


def test_me_shows_progress_then_the_badge(defined, customer, make_order, monkeypatch):
    me = Requestor(user_id=customer.pk, email=customer.email)
    monkeypatch.setattr("django.utils.timezone.now", lambda: local(2026, 3, 15, 12))
    buy(make_order, customer, 2)
    buy(make_order, customer, 3)

    shown = run(ME, me).data["me"]
    assert shown["challenges"] == [
        {
            "challenge": {"name": "שלוש במרץ"},
            "current": 2.0,
            "target": 3.0,
            "percent": 66.7,
            "completed": False,
            "windowStart": "2026-03-01",
            "windowEnd": "2026-03-31",
        }
    ]
    assert shown["badges"] == []

    buy(make_order, customer, 4)
    shown = run(ME, me).data["me"]
    assert shown["challenges"][0]["completed"] is True
    assert shown["challenges"][0]["percent"] == 100.0
    assert [b["badge"]["name"] for b in shown["badges"]] == ["לקוח קבוע"]

    summary = run(SUMMARY, SETTINGS, id=defined["id"]).data["challengeSummary"]
    assert summary == {
        "completed": 1,
        "pointsAwarded": 100,
        "badgesAwarded": 1,
        "challenge": {"name": "Three in March"},
    }


def test_deleting_a_started_challenge_archives_it_for_staff(defined, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: local(2026, 3, 15, 12))

    deleted = run(DELETE, SETTINGS, id=defined["id"]).data["loyaltyChallengeDelete"]

    assert deleted == {"errors": [], "archived": True}
    assert run(STAFF_LIST, SETTINGS).data["challenges"] == []
    archived = run(STAFF_LIST, SETTINGS, all=True).data["challenges"]
    assert [c["name"] for c in archived] == ["Three in March"]
    assert archived[0]["archivedAt"] is not None
    changed = run(UPDATE, SETTINGS, id=defined["id"], input={"name": "Back"}).data["loyaltyChallengeUpdate"]
    assert changed["errors"] == [{"field": "id", "code": "INVALID"}]


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        (
            {"metric": "SPEND", "targetAmount": {"amount": "500", "currency": "USD"}},
            "targetAmount",
            "CURRENCY_MISMATCH",
        ),
        ({"badgeId": graphene.Node.to_global_id("LoyaltyBadge", 99999)}, "badgeId", "NOT_FOUND"),
        ({"badgeId": graphene.Node.to_global_id("LoyaltyTier", 1)}, "badgeId", "NOT_FOUND"),
        ({"target": 0}, "target", "INVALID"),
        ({"name": "   "}, "name", "INVALID"),
        ({"window": "ROLLING"}, "windowDays", "INVALID"),
        ({"metric": "ACTIONS"}, "actionKind", "INVALID"),
        ({"rewardPoints": 0}, "rewardPoints", "INVALID"),
    ],
)
def test_bad_challenge_input_is_a_typed_error_and_writes_nothing(program, values, field, code):
    base = {"name": "Three", "metric": "PAID_ORDERS", "target": 3, "rewardPoints": 10}
    result = run(CREATE, SETTINGS, input={**base, **values}).data["loyaltyChallengeCreate"]
    assert result == {"errors": [{"field": field, "code": code}], "challenge": None}
    assert not Challenge.objects.exists()


def test_a_spend_challenge_in_the_channels_currency(program):
    created = run(
        CREATE,
        SETTINGS,
        input={
            "name": "Spend",
            "metric": "SPEND",
            "targetAmount": {"amount": "750", "currency": "ILS"},
            "rewardPoints": 5,
        },
    ).data["loyaltyChallengeCreate"]
    assert created["errors"] == []
    assert created["challenge"]["targetAmount"] == {"amount": 750.0, "currency": "ILS"}


def test_customers_cannot_define_challenges(program, customer):
    result = run(
        CREATE,
        Requestor(user_id=customer.pk),
        input={"name": "Mine", "metric": "PAID_ORDERS", "rewardPoints": 9},
    )
    assert result.data["loyaltyChallengeCreate"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert not Challenge.objects.exists()
