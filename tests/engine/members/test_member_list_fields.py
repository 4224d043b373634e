"""Every member field in the member list costs the same queries for 5 members as for 50, with each member's
own answer: store credit, expiring points, tier history and history pages are loaded per page, not per member."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.graphql.pagination import cursor_for
from saleor_loyalty.models import (
    CreditEntry,
    CreditKind,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    StoreCreditCard,
    TierCause,
    TierEvent,
)
from tests.engine.api import STAFF_PERMISSIONS, run

MEMBER_FIELDS = """email points { available pending } pointsValue { amount } nextExpiring { points expiresAt }
  storeCredit { amount } pendingCashback { amount } creditDebt { amount } tier { name } nextTier { name }
  progress { percent } retainBy { points } tierFloor { name } birthday { month } earlyAccess
  tierHistory(first: 2) { cause toTier }
  transactions(first: 2) { totalCount edges { node { id points } } pageInfo { hasNextPage endCursor } }"""
MEMBERS = f'query($first: Int) {{ members(channel: "il", first: $first) {{ edges {{ node {{ {MEMBER_FIELDS} }} }} }} }}'
ONE = f'query($email: String) {{ member(channel: "il", email: $email) {{ {MEMBER_FIELDS} }} }}'
STAFF = Requestor(user_id=1, permissions=STAFF_PERMISSIONS)


def enrol(club, cards, i):
    """Member i: 3 earns (the oldest expiring soonest), i+1 tier events, a card with i ₪, i ₪ of pending
    cashback and, for every third member, ₪2 of debt."""
    user = get_user_model().objects.create(username=f"m{i}", email=f"m{i}@example.co.il")
    account = LoyaltyAccount.objects.create(program=club, user=user, email=user.email, balance=60 + i)
    now = datetime.now(UTC)
    for k, points in enumerate((10 + i, 20, 30)):
        LedgerEntry.objects.create(
            account=account,
            kind=EntryKind.EARN,
            points=points,
            money_amount=points * 10,
            source_key=f"order:{i}:{k}",
            occurred_at=now - timedelta(days=30 - k),
            available_at=now - timedelta(days=20 - k),
            expires_at=now + timedelta(days=10 + k),
        )
    for k in range(i % 3 + 1):
        TierEvent.objects.create(account=account, cause=TierCause.ORDER_UPGRADE, to_tier_name=f"T{i}-{k}")
    card_id = cards.create_card(user.pk, user.email, "ILS")
    cards.adjust(card_id, Decimal(i), "test")
    StoreCreditCard.objects.create(user_id=user.pk, currency="ILS", gift_card_id=card_id)
    CreditEntry.objects.create(
        account=account,
        kind=CreditKind.CASHBACK_EARN,
        currency="ILS",
        amount=Decimal(i + 1),
        source_key=f"cashback:{i}",
        available_at=now + timedelta(days=5),
    )
    if i % 3 == 0:
        CreditEntry.objects.create(
            account=account,
            kind=CreditKind.REDEMPTION,
            currency="ILS",
            amount=Decimal(0),
            debt_amount=Decimal(2),
            source_key=f"debt:{i}",
            available_at=now,
        )


def members_page(cards, first=100):
    with CaptureQueriesContext(connection) as queries:
        result = run(MEMBERS, STAFF, cards, first=first)
    assert result.errors is None, result.errors
    return [edge["node"] for edge in result.data["members"]["edges"]], len(queries.captured_queries)


@pytest.fixture
def roster(club, cards):
    def grow(start, size):
        for i in range(start, start + size):
            enrol(club, cards, i)

    return grow


def test_fifty_members_with_every_field_cost_the_queries_of_five(roster, cards):
    roster(0, 5)
    five, five_queries = members_page(cards)
    roster(5, 45)

    fifty, fifty_queries = members_page(cards)

    assert (len(five), len(fifty)) == (5, 50)
    assert fifty_queries == five_queries, (five_queries, fifty_queries)


def test_each_listed_member_gets_their_own_answer(roster, cards):
    roster(0, 7)

    listed, _ = members_page(cards)

    assert [node["email"] for node in listed] == [f"m{i}@example.co.il" for i in reversed(range(7))]
    for node in listed:
        alone = run(ONE, STAFF, cards, email=node["email"])
        assert alone.errors is None, alone.errors
        assert node == alone.data["member"]
    m4 = listed[2]
    assert m4["storeCredit"]["amount"] == 4.0
    assert m4["pendingCashback"]["amount"] == 5.0
    assert m4["creditDebt"]["amount"] == 0.0
    assert listed[3]["creditDebt"]["amount"] == 2.0  # m3
    assert m4["nextExpiring"]["points"] == 14
    assert [event["toTier"] for event in m4["tierHistory"]] == ["T4-1", "T4-0"]
    assert m4["transactions"]["totalCount"] == 3
    assert [edge["node"]["points"] for edge in m4["transactions"]["edges"]] == [30, 20]
    assert m4["transactions"]["pageInfo"]["hasNextPage"] is True


def test_the_next_history_page_of_every_listed_member(roster, cards):
    roster(0, 3)
    query = (
        'query($after: String) { members(channel: "il") { edges { node { email '
        "transactions(first: 2, after: $after) { edges { node { points } } pageInfo { hasNextPage } } } } } }"
    )
    newest = LedgerEntry.objects.order_by("-pk").first()

    result = run(query, STAFF, cards, after=cursor_for("entry", newest.pk))

    assert result.errors is None, result.errors
    pages = {edge["node"]["email"]: edge["node"]["transactions"] for edge in result.data["members"]["edges"]}
    assert [edge["node"]["points"] for edge in pages["m2@example.co.il"]["edges"]] == [20, 12]
    assert pages["m2@example.co.il"]["pageInfo"]["hasNextPage"] is False
    assert [edge["node"]["points"] for edge in pages["m0@example.co.il"]["edges"]] == [30, 20]
    assert pages["m0@example.co.il"]["pageInfo"]["hasNextPage"] is True
