"""Tier API without Saleor: `me` standing in few queries, staff tier CRUD and overrides."""

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.models import LoyaltyAccount, Tier, TierCause, TierEvent
from tests.engine.api import run
from tests.engine.ids import tier_gid, user_gid

ME_TIER = """query($channel: String!) { me(channel: $channel) {
  tier { name nameHe benefits { earnMultiplier discountPercent freeShipping earlyAccess birthdayPoints cashbackPercent
                                birthdayCredit { amount currency } } }
  earlyAccess
  nextTier { name entryThreshold }
  progress { basis current target remaining percent }
  retainBy { amount points date } } }"""
TIER_CREATE = """mutation($channel: String!, $input: LoyaltyTierInput!) {
  loyaltyTierCreate(channel: $channel, input: $input) { errors { field message code } tier { name position } } }"""
TIER_UPDATE = """mutation($channel: String!, $id: ID!, $input: LoyaltyTierInput!) {
  loyaltyTierUpdate(channel: $channel, id: $id, input: $input) {
    errors { field message code } tier { name entryThreshold retainThreshold } } }"""
TIER_DELETE = """mutation($channel: String!, $id: ID!, $to: ID) {
  loyaltyTierDelete(channel: $channel, id: $id, moveMembersTo: $to) { errors { field code } movedMembers } }"""
OVERRIDE = """mutation($channel: String!, $userId: ID!, $tierId: ID, $reason: String!) {
  loyaltyTierOverride(channel: $channel, userId: $userId, tierId: $tierId, reason: $reason) {
    errors { field code } member { tier { name } tierFloor { name }
      tierHistory { cause fromTier toTier reason actor } } } }"""
MEMBER_HISTORY = """query($channel: String!, $userId: ID!) { member(channel: $channel, userId: $userId) {
  tier { name } tierHistory { cause fromTier toTier orderId } } }"""


def ladder_snapshot(program):
    return list(
        Tier.objects.filter(program=program)
        .order_by("position")
        .values_list("name", "entry_threshold", "retain_threshold")
    )


def test_me_shows_tier_progress_and_retention_in_four_queries(
    club, customer, make_order, django_assert_max_num_queries
):
    # given a Gold member (₪2,500 this year)
    now = datetime.now(UTC)
    ledger.sync_order(
        dataclasses.replace(make_order(lines=(("TV", "2500.00"),), user=customer, shipping="0"), paid_at=now)
    )
    me = Requestor(user_id=customer.pk, email=customer.email)

    # when the storefront asks for the tier in one query: account with its program, ladder, qualification,
    # and the ladder's names in other languages (one query however many tiers the answer shows)
    with django_assert_max_num_queries(4):
        result = run(ME_TIER, me, channel="il")

    # then tier, benefits, the distance to Platinum and what keeps Gold are all there
    assert result.errors is None, result.errors
    data = result.data["me"]
    assert data["tier"]["name"] == "Gold"
    assert data["tier"]["nameHe"] == "זהב"
    assert data["tier"]["benefits"] == {
        "earnMultiplier": 1.5,
        "discountPercent": 5.0,
        "freeShipping": True,
        "earlyAccess": False,
        "birthdayPoints": 200,
        "cashbackPercent": None,
        "birthdayCredit": {"amount": 0.0, "currency": "ILS"},
    }
    assert data["earlyAccess"] is False
    assert data["nextTier"] == {"name": "Platinum", "entryThreshold": 6000.0}
    assert data["progress"] == {
        "basis": "SPEND",
        "current": 2500.0,
        "target": 6000.0,
        "remaining": 3500.0,
        "percent": 41.7,
    }
    assert data["retainBy"] == {"amount": 0.0, "points": None, "date": f"{now.year}-12-31"}


def test_me_for_a_new_customer_is_regular_with_gold_next(club, customer):
    result = run(ME_TIER, Requestor(user_id=customer.pk), channel="il")

    data = result.data["me"]
    assert data["tier"]["name"] == "Regular"
    assert data["nextTier"]["name"] == "Gold"
    assert data["progress"]["remaining"] == 2000.0
    assert data["retainBy"] is None


def test_tier_create_requires_manage_settings(club, customer):
    requestor = Requestor(user_id=customer.pk, permissions=frozenset({"MANAGE_USERS"}))

    result = run(TIER_CREATE, requestor, channel="il", input={"name": "Silver", "entryThreshold": "1000"})

    assert result.data["loyaltyTierCreate"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert Tier.objects.filter(program=club).count() == 3


def test_tier_create_between_tiers_renumbers_the_ladder(club, staff):
    result = run(
        TIER_CREATE,
        staff,
        channel="il",
        input={
            "name": "Silver",
            "nameHe": "כסף",
            "position": 1,
            "entryThreshold": "1000",
            "retainThreshold": "800",
            "earnMultiplier": "1.2",
        },
    )

    assert result.data["loyaltyTierCreate"]["errors"] == []
    assert [name for name, *_ in ladder_snapshot(club)] == ["Regular", "Silver", "Gold", "Platinum"]


@pytest.mark.parametrize(
    "bad_input",
    [
        {"name": "Silver", "position": 1, "entryThreshold": "2500", "retainThreshold": "100"},  # above Gold
        {"name": "Diamond", "entryThreshold": "5000", "retainThreshold": "4000"},  # not above Platinum
        {"name": "Diamond", "entryThreshold": "9000", "retainThreshold": "9500"},  # retain above entry
        {"name": "gold", "entryThreshold": "9000", "retainThreshold": "8000"},  # duplicate name
        {"name": "Diamond", "entryThreshold": "9000", "retainThreshold": "8000", "discountPercent": "120"},
    ],
)
def test_tier_create_with_bad_thresholds_writes_nothing(club, staff, bad_input):
    before = ladder_snapshot(club)

    result = run(TIER_CREATE, staff, channel="il", input=bad_input)

    assert result.data["loyaltyTierCreate"]["errors"][0]["code"] == "INVALID"
    assert ladder_snapshot(club) == before


def test_tier_update_making_thresholds_not_increasing_writes_nothing(club, staff):
    gold = club.tiers.get(name="Gold")
    before = ladder_snapshot(club)

    result = run(
        TIER_UPDATE,
        staff,
        channel="il",
        id=tier_gid(gold),
        input={"name": "Gold+", "entryThreshold": "7000", "retainThreshold": "5000"},
    )

    errors = result.data["loyaltyTierUpdate"]["errors"]
    assert (errors[0]["field"], errors[0]["code"]) == ("entryThreshold", "INVALID")
    assert ladder_snapshot(club) == before


def test_tier_update_changes_names_and_benefits(club, staff):
    gold = club.tiers.get(name="Gold")

    result = run(
        TIER_UPDATE,
        staff,
        channel="il",
        id=tier_gid(gold),
        input={"name": "Gold Club", "nameHe": "מועדון זהב", "discountPercent": "7.5", "cashbackPercent": "3"},
    )

    assert result.data["loyaltyTierUpdate"]["errors"] == []
    gold.refresh_from_db()
    assert (
        gold.name,
        gold.translations.get(language_code="he").name,
        gold.discount_percent,
        gold.cashback_percent,
    ) == (
        "Gold Club",
        "מועדון זהב",
        Decimal("7.5"),
        Decimal("3"),
    )


@pytest.mark.parametrize("tier_id", ["TG95YWx0eVRpZXI6OTk5OQ==", "not-an-id", "other-channel"])
def test_tier_update_unknown_or_other_channels_tier_writes_nothing(club, other_club, staff, tier_id):
    if tier_id == "other-channel":
        tier_id = tier_gid(other_club.tiers.get(name="Gold"))
    before = ladder_snapshot(other_club)

    result = run(TIER_UPDATE, staff, channel="il", id=tier_id, input={"name": "Hijacked"})

    assert result.data["loyaltyTierUpdate"]["errors"][0]["code"] == "NOT_FOUND"
    assert ladder_snapshot(other_club) == before


def test_tier_update_requires_manage_settings(club, customer):
    gold = club.tiers.get(name="Gold")
    requestor = Requestor(user_id=customer.pk, permissions=frozenset({"MANAGE_USERS"}))

    result = run(TIER_UPDATE, requestor, channel="il", id=tier_gid(gold), input={"name": "Mine"})

    assert result.data["loyaltyTierUpdate"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert club.tiers.filter(name="Gold").exists()


def test_tier_delete_with_members_needs_a_destination(club, staff, customer, make_order):
    # given a Gold member
    ledger.sync_order(
        dataclasses.replace(
            make_order(lines=(("TV", "2500.00"),), user=customer, shipping="0"), paid_at=datetime.now(UTC)
        )
    )
    gold, regular = club.tiers.get(name="Gold"), club.tiers.get(name="Regular")

    # when staff delete Gold without saying where its members go, then nothing changes
    refused = run(TIER_DELETE, staff, channel="il", id=tier_gid(gold))
    assert refused.data["loyaltyTierDelete"]["errors"] == [
        {"field": "moveMembersTo", "code": "TIER_HAS_MEMBERS"}
    ]
    assert club.tiers.filter(pk=gold.pk).exists()

    # when they name the destination, then the member moves and the history says why
    moved = run(TIER_DELETE, staff, channel="il", id=tier_gid(gold), to=tier_gid(regular))
    assert moved.data["loyaltyTierDelete"] == {"errors": [], "movedMembers": 1}
    assert [name for name, *_ in ladder_snapshot(club)] == ["Regular", "Platinum"]
    assert LoyaltyAccount.objects.get(user=customer).tier_id == regular.pk
    assert TierEvent.objects.filter(cause=TierCause.TIER_DELETED, from_tier_name="Gold").count() == 1


def test_tier_delete_to_other_channels_tier_writes_nothing(club, other_club, staff):
    platinum = club.tiers.get(name="Platinum")

    result = run(
        TIER_DELETE,
        staff,
        channel="il",
        id=tier_gid(platinum),
        to=tier_gid(other_club.tiers.get(name="Regular")),
    )

    assert result.data["loyaltyTierDelete"]["errors"] == [{"field": "moveMembersTo", "code": "NOT_FOUND"}]
    assert club.tiers.filter(pk=platinum.pk).exists()


def test_tier_delete_requires_manage_settings(club, customer):
    requestor = Requestor(user_id=customer.pk, permissions=frozenset({"MANAGE_USERS"}))

    result = run(TIER_DELETE, requestor, channel="il", id=tier_gid(club.tiers.get(name="Platinum")))

    assert result.data["loyaltyTierDelete"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert club.tiers.count() == 3


def test_tier_override_sets_floor_and_member_history_shows_it(club, staff, customer):
    result = run(
        OVERRIDE,
        staff,
        channel="il",
        userId=user_gid(customer),
        tierId=tier_gid(club.tiers.get(name="Platinum")),
        reason="Brand ambassador",
    )

    member = result.data["loyaltyTierOverride"]["member"]
    assert result.data["loyaltyTierOverride"]["errors"] == []
    assert member["tier"] == {"name": "Platinum"}
    assert member["tierFloor"] == {"name": "Platinum"}
    assert member["tierHistory"][0] == {
        "cause": "FLOOR_SET",
        "fromTier": "Regular",
        "toTier": "Platinum",
        "reason": "Brand ambassador",
        "actor": "staff@shop.co.il",
    }
    history = run(MEMBER_HISTORY, staff, channel="il", userId=user_gid(customer)).data["member"][
        "tierHistory"
    ]
    assert [event["cause"] for event in history] == ["FLOOR_SET", "FLOOR_SET"]


@pytest.mark.parametrize(
    ("tier", "reason", "code"),
    [
        ("Gold", " ", "REQUIRED"),
        ("unknown", "Ambassador", "NOT_FOUND"),
        ("other-channel", "Ambassador", "NOT_FOUND"),
    ],
)
def test_tier_override_bad_input_writes_nothing(club, other_club, staff, customer, tier, reason, code):
    tier_id = {
        "Gold": lambda: tier_gid(club.tiers.get(name="Gold")),
        "unknown": lambda: "TG95YWx0eVRpZXI6OTk5OQ==",
        "other-channel": lambda: tier_gid(other_club.tiers.get(name="Gold")),
    }[tier]()

    result = run(OVERRIDE, staff, channel="il", userId=user_gid(customer), tierId=tier_id, reason=reason)

    assert result.data["loyaltyTierOverride"]["errors"][0]["code"] == code
    assert not LoyaltyAccount.objects.exists()
    assert not TierEvent.objects.exists()


def test_tier_override_requires_manage_users(club, customer):
    requestor = Requestor(user_id=customer.pk, permissions=frozenset({"MANAGE_SETTINGS"}))

    result = run(
        OVERRIDE,
        requestor,
        channel="il",
        userId=user_gid(customer),
        tierId=tier_gid(club.tiers.get(name="Gold")),
        reason="Because",
    )

    assert result.data["loyaltyTierOverride"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert not TierEvent.objects.exists()
