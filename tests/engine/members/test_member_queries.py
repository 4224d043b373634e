"""`me` and the member list cost a fixed, small number of SQL queries, with the same answers as before."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount, Tier
from tests.engine.api import STAFF_PERMISSIONS, run

# the bench's shape (bench/me_scale.py), with the tier's Hebrew name and everything tier-related
ME = """query($channel: String!, $first: Int) { me(channel: $channel) {
  points { available pending lifetime debt }
  pointsValue { amount currency }
  tier { name nameHe translation(languageCode: HE) { name } }
  nextTier { name translation(languageCode: HE) { name } }
  earlyAccess
  ...standing
  transactions(first: $first) { totalCount edges { node { id kind points orderNumber created } }
    pageInfo { hasNextPage endCursor } }
} }
fragment standing on LoyaltyMember { progress { basis current target remaining percent } retainBy { amount date } }"""

MEMBERS = """query($channel: String!, $first: Int) { members(channel: $channel, first: $first) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { email userId points { available pending lifetime debt }
    tier { id name nameHe } nextTier { name } earlyAccess progress { current remaining percent } } } } }"""


def _earn(account, points, spend, *, days_ago, pending=False):
    occurred = datetime.now(UTC) - timedelta(days=days_ago)
    return LedgerEntry.objects.create(
        account=account,
        kind=EntryKind.EARN,
        points=points,
        money_amount=spend,
        source_key=f"order:{account.pk}:{days_ago}:{points}",
        occurred_at=occurred,
        available_at=occurred + timedelta(days=30 if pending else 0),
    )


class TestMe:
    @pytest.fixture
    def gold_member(self, club, customer, make_order):
        """Gold by ₪2,500 spent this year (one paid order), then ₪120 earned yesterday, still pending."""
        now = datetime.now(UTC)
        order = make_order(lines=(("TV", "2500.00"),), user=customer, shipping="0")
        ledger.sync_order(dataclasses.replace(order, paid_at=now - timedelta(days=40)))
        account = LoyaltyAccount.objects.get(user=customer)
        LoyaltyAccount.objects.filter(pk=account.pk).update(balance=account.balance + 120)
        _earn(account, 120, 80, days_ago=1, pending=True)
        return customer

    def test_me_with_tier_names_progress_and_history_costs_three_queries(self, gold_member):
        me = Requestor(user_id=gold_member.pk, email=gold_member.email)

        with CaptureQueriesContext(connection) as queries:
            result = run(ME, me, channel="il", first=1)

        assert result.errors is None, result.errors
        assert len(queries.captured_queries) <= 3, [q["sql"][:120] for q in queries.captured_queries]
        data = result.data["me"]
        assert data["points"] == {"available": 2500, "pending": 120, "lifetime": 2500, "debt": 0}
        assert data["tier"] == {"name": "Gold", "nameHe": "זהב", "translation": {"name": "זהב"}}
        assert data["nextTier"] == {"name": "Platinum", "translation": {"name": "פלטינום"}}
        assert data["earlyAccess"] is False
        assert data["progress"] == {
            "basis": "SPEND",
            "current": 2580.0,
            "target": 6000.0,
            "remaining": 3420.0,
            "percent": 43.0,
        }
        assert data["retainBy"]["amount"] == 0.0
        assert data["transactions"]["totalCount"] == 2
        assert data["transactions"]["pageInfo"]["hasNextPage"] is True
        assert data["transactions"]["edges"][0]["node"]["points"] == 120

    def test_progress_read_with_the_account_agrees_with_the_tier_rule(self, gold_member, club):
        """The correlated qualification (read with the account) equals `qualifying_amount`, refunds included."""
        from saleor_loyalty.members.snapshot import member_with_totals, read_amount
        from saleor_loyalty.tiers.ladder import qualifying_amount

        account = LoyaltyAccount.objects.get(user=gold_member)
        earn = LedgerEntry.objects.filter(account=account, kind=EntryKind.EARN).earliest("pk")
        LedgerEntry.objects.create(
            account=account,
            kind=EntryKind.EARN_REVERSAL,
            points=-500,
            money_amount=1000,
            reverses=earn,
            source_key=f"refund:{earn.pk}",
            occurred_at=datetime.now(UTC),
            available_at=datetime.now(UTC),
            detail={"base_reversed": "1000"},
        )
        now = datetime.now(UTC)

        read = member_with_totals(club, gold_member.pk, now, qualification=True)

        assert read_amount(read) == qualifying_amount(club, account, now) == 1580

    def test_me_without_an_account_yet_is_regular_in_two_queries(self, club, customer):
        with CaptureQueriesContext(connection) as queries:
            result = run(ME, Requestor(user_id=customer.pk), channel="il", first=5)

        assert result.errors is None, result.errors
        assert len(queries.captured_queries) <= 2
        data = result.data["me"]
        assert data["tier"]["name"] == "Regular"
        assert data["progress"]["remaining"] == 2000.0
        assert data["transactions"] == {
            "totalCount": 0,
            "edges": [],
            "pageInfo": {"hasNextPage": False, "endCursor": None},
        }


class TestMemberListQueries:
    @staticmethod
    def roster(club, size, start=0):
        gold = Tier.objects.get(program=club, name="Gold")
        for i in range(start, start + size):
            account = LoyaltyAccount.objects.create(
                program=club, email=f"m{i}@example.co.il", balance=300, tier=gold if i % 2 else None
            )
            _earn(account, 200, 2200 if i % 2 else 400, days_ago=10)
            _earn(account, 100, 100, days_ago=1, pending=True)

    def count(self, club, size, start=0):
        self.roster(club, size, start)
        staff = Requestor(user_id=1, permissions=STAFF_PERMISSIONS)
        with CaptureQueriesContext(connection) as queries:
            result = run(MEMBERS, staff, channel="il", first=100)
        assert result.errors is None, result.errors
        return result.data["members"], len(queries.captured_queries)

    def test_a_page_of_five_members(self, club):
        page, queries = self.count(club, 5)

        assert page["totalCount"] == 5
        node = page["edges"][0]["node"]  # newest first: m4, Regular with ₪500
        assert node["points"] == {"available": 200, "pending": 100, "lifetime": 0, "debt": 0}
        assert (node["tier"]["name"], node["tier"]["nameHe"]) == ("Regular", "רגיל")
        assert node["progress"] == {"current": 500.0, "remaining": 1500.0, "percent": 25.0}
        gold = page["edges"][1]["node"]
        assert (gold["tier"]["name"], gold["nextTier"]["name"]) == ("Gold", "Platinum")
        assert gold["progress"]["current"] == 2300.0
        assert queries <= 5

    def test_fifty_members_cost_the_queries_of_five(self, club):
        _, five = self.count(club, 5)
        page, fifty = self.count(club, 45, start=5)

        assert len(page["edges"]) == 50
        assert fifty == five
