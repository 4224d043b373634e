import graphene

from saleor_loyalty.engagement import challenge_settings
from saleor_loyalty.exceptions import BadgeNotFound
from saleor_loyalty.graphql.challenge_types import BadgeType
from saleor_loyalty.graphql.ids import int_pk
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.mutations.challenge_input import LoyaltyBadgeInput, badge_values
from saleor_loyalty.graphql.resolvers import program_for


class LoyaltyBadgeUpdate(ClubMutation):
    badge = graphene.Field(BadgeType, description="The badge as it is now.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        id = graphene.ID(required=True, description="Global ID of the badge.")
        input = LoyaltyBadgeInput(required=True, description="What to change.")

    class Meta:
        description = "Rename or redescribe a badge (members keep it). Requires MANAGE_SETTINGS."

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, id, input):
        badge_id = int_pk(id, "LoyaltyBadge", "id", BadgeNotFound)
        return {
            "badge": challenge_settings.update_badge(
                program_for(info, channel), badge_id, **badge_values(input)
            )
        }
