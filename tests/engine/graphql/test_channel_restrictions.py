"""Staff in Saleor permission groups restricted to some channels reach only those channels' clubs."""

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.models import Tier, TierEvent
from tests.engine.api import STAFF_PERMISSIONS, run
from tests.engine.ids import tier_gid, user_gid

TIER_UPDATE = """mutation($channel: String!, $id: ID!, $input: LoyaltyTierInput!) {
  loyaltyTierUpdate(channel: $channel, id: $id, input: $input) {
    errors { field message code } tier { name entryThreshold retainThreshold } } }"""
OVERRIDE = """mutation($channel: String!, $userId: ID!, $tierId: ID, $reason: String!) {
  loyaltyTierOverride(channel: $channel, userId: $userId, tierId: $tierId, reason: $reason) {
    errors { field code } member { tier { name } tierFloor { name }
      tierHistory { cause fromTier toTier reason actor } } } }"""


MEMBERS = """query($channel: String!, $filter: LoyaltyMemberFilterInput, $first: Int, $after: String) {
  members(channel: $channel, filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { email points { available } tier { name } } } } }"""


class TestStaffChannelRestriction:
    """Saleor's permission groups can restrict staff to channels; the club API follows them."""

    def test_staff_restricted_to_another_channel_can_neither_read_nor_write(self, club, other_club, customer):
        us_only = Requestor(
            user_id=1,
            email="us@shop.com",
            is_staff=True,
            permissions=STAFF_PERMISSIONS,
            channel_slugs=frozenset({"us"}),
        )
        gold = Tier.objects.get(program=club, name="Gold")

        read = run(MEMBERS, us_only, channel="il")
        update = run(TIER_UPDATE, us_only, channel="il", id=tier_gid(gold), input={"name": "Zahav"})
        override = run(
            OVERRIDE, us_only, channel="il", userId=user_gid(customer), tierId=tier_gid(gold), reason="VIP"
        )

        assert read.errors[0].extensions["exception"]["code"] == "PERMISSION_DENIED"
        assert update.data["loyaltyTierUpdate"]["errors"][0]["code"] == "PERMISSION_DENIED"
        assert override.data["loyaltyTierOverride"]["errors"][0]["code"] == "PERMISSION_DENIED"
        assert Tier.objects.get(pk=gold.pk).name == "Gold"
        assert not TierEvent.objects.exists()
        assert run(MEMBERS, us_only, channel="us").errors is None
