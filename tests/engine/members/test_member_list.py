"""The dashboard's member list: filters, keyset pages that do not shift, typed errors for bad filters."""

from datetime import UTC, datetime

import pytest

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
