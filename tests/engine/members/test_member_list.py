"""The dashboard's member list: filters, keyset pages that do not shift, typed errors for bad filters."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount, Tier
from tests.engine.api import STAFF_PERMISSIONS, run
from tests.engine.ids import tier_gid

MEMBERS = """query($channel: String!, $filter: LoyaltyMemberFilterInput, $first: Int, $after: String) {
  members(channel: $channel, filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { email points { available } tier { name } } } } }"""


class TestMemberList:
    @pytest.fixture
    def roster(self, club):
        """Five members: balances 0, 100, 200, 300, 400 (each its one earn row); the last two Gold; orders on
        1-4 March."""
        gold = Tier.objects.get(program=club, name="Gold")
        accounts = []
        for i in range(5):
            account = LoyaltyAccount.objects.create(
                program=club, email=f"m{i}@example.co.il", balance=100 * i, tier=gold if i >= 3 else None
            )
            if i:
                paid = datetime(2026, 3, i, 12, tzinfo=UTC)
                LedgerEntry.objects.create(
                    account=account,
                    kind=EntryKind.EARN,
                    points=100 * i,
                    source_key=f"order:{i}",
                    occurred_at=paid,
                    available_at=paid,
                )
            accounts.append(account)
        return accounts

    def emails(self, result):
        assert result.errors is None, result.errors
        return [edge["node"]["email"] for edge in result.data["members"]["edges"]]

    def test_filters_combine(self, roster):
        gold = Tier.objects.get(name="Gold")
        assert self.emails(
            run(
                MEMBERS,
                Requestor(
                    user_id=1, email="staff@example.co.il", is_staff=True, permissions=STAFF_PERMISSIONS
                ),
                channel="il",
                filter={"balanceMin": 100, "balanceMax": 300},
            )
        ) == ["m3@example.co.il", "m2@example.co.il", "m1@example.co.il"]
        assert self.emails(
            run(
                MEMBERS,
                Requestor(
                    user_id=1, email="staff@example.co.il", is_staff=True, permissions=STAFF_PERMISSIONS
                ),
                channel="il",
                filter={"tierId": tier_gid(gold)},
            )
        ) == ["m4@example.co.il", "m3@example.co.il"]
        regular = Tier.objects.get(name="Regular")
        assert self.emails(
            run(
                MEMBERS,
                Requestor(
                    user_id=1, email="staff@example.co.il", is_staff=True, permissions=STAFF_PERMISSIONS
                ),
                channel="il",
                filter={"tierId": tier_gid(regular), "search": "M1"},
            )
        ) == ["m1@example.co.il"]
        assert self.emails(
            run(
                MEMBERS,
                Requestor(
                    user_id=1, email="staff@example.co.il", is_staff=True, permissions=STAFF_PERMISSIONS
                ),
                channel="il",
                filter={
                    "lastOrderFrom": "2026-03-02T00:00:00+00:00",
                    "lastOrderTo": "2026-03-03T23:59:59+00:00",
                },
            )
        ) == ["m3@example.co.il", "m2@example.co.il"]

    def test_cursor_pages_do_not_shift_when_members_join(self, roster, club):
        staff = Requestor(
            user_id=1, email="staff@example.co.il", is_staff=True, permissions=STAFF_PERMISSIONS
        )
        first = run(MEMBERS, staff, channel="il", first=2).data["members"]
        assert first["totalCount"] == 5
        assert first["pageInfo"]["hasNextPage"]
        LoyaltyAccount.objects.create(program=club, email="newcomer@example.co.il")
        second = run(MEMBERS, staff, channel="il", first=2, after=first["pageInfo"]["endCursor"])
        assert self.emails(second) == ["m2@example.co.il", "m1@example.co.il"]

    def test_counts_per_tier_in_one_request_share_one_count_and_match_the_lists(self, roster, club):
        """The Overview's shape: the whole list and every tier by alias. Merged guests are not counted;
        an account without a tier is in the first tier; another filter beside the tier counts on its own."""
        regular, gold, platinum = Tier.objects.filter(program=club).order_by("position")
        LoyaltyAccount.objects.create(
            program=club, email="gone@example.co.il", tier=gold, merged_into=roster[4]
        )
        LoyaltyAccount.objects.create(program=club, email="p@example.co.il", tier=platinum)
        LoyaltyAccount.objects.create(program=club, email="r@example.co.il", tier=regular)
        query = """query($channel: String!) { all: members(channel: $channel, first: 1) { totalCount }
          %s rich: members(channel: $channel, first: 1, filter: {tierId: "%s", balanceMin: 400}) { totalCount } }"""
        tiers = " ".join(
            f't{i}: members(channel: $channel, first: 1, filter: {{tierId: "{tier_gid(tier)}"}}) {{ totalCount }}'
            for i, tier in enumerate((regular, gold, platinum))
        )
        staff = Requestor(
            user_id=1, email="staff@example.co.il", is_staff=True, permissions=STAFF_PERMISSIONS
        )
        with CaptureQueriesContext(connection) as captured:
            result = run(query % (tiers, tier_gid(gold)), staff, channel="il")
        assert result.errors is None, result.errors
        counts = {name: value["totalCount"] for name, value in result.data.items()}
        assert counts == {"all": 7, "t0": 4, "t1": 2, "t2": 1, "rich": 1}
        grouped = [
            q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"] and "COUNT(*)" in q["sql"]
        ]
        assert len(grouped) == 1

    @pytest.mark.parametrize(
        ("bad", "field"),
        [
            ({"balanceMin": 5, "balanceMax": 1}, "filter"),
            (
                {"lastOrderFrom": "2026-03-05T00:00:00+00:00", "lastOrderTo": "2026-03-01T00:00:00+00:00"},
                "filter",
            ),
            ({"lastOrderFrom": "2026-03-05T00:00:00"}, "filter"),
            ({"tierId": "nonsense"}, "filter"),
        ],
    )
    def test_bad_filters_are_typed_errors(self, roster, bad, field):
        result = run(
            MEMBERS,
            Requestor(user_id=1, email="staff@example.co.il", is_staff=True, permissions=STAFF_PERMISSIONS),
            channel="il",
            filter=bad,
        )
        assert result.errors[0].extensions["exception"]["field"] == field

    def test_needs_manage_users(self, roster):
        result = run(MEMBERS, Requestor(user_id=7, email="c@example.co.il"), channel="il")
        assert result.errors[0].extensions["exception"]["code"] == "PERMISSION_DENIED"

    def test_bad_cursor_is_a_typed_error(self, roster):
        result = run(
            MEMBERS,
            Requestor(user_id=1, email="staff@example.co.il", is_staff=True, permissions=STAFF_PERMISSIONS),
            channel="il",
            after="garbage",
        )
        assert result.errors[0].extensions["exception"]["field"] == "after"
