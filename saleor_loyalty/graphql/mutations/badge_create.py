import graphene

from saleor_loyalty.engagement import challenge_settings
from saleor_loyalty.graphql.challenge_types import BadgeType
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.mutations.challenge_input import LoyaltyBadgeInput, badge_values
from saleor_loyalty.graphql.resolvers import program_for


class LoyaltyBadgeCreate(ClubMutation):
    badge = graphene.Field(BadgeType, description="The new badge.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        input = LoyaltyBadgeInput(required=True, description="The badge's settings.")

    class Meta:
        description = "Define a badge that challenges can give. Requires MANAGE_SETTINGS."

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, input):
        return {"badge": challenge_settings.create_badge(program_for(info, channel), **badge_values(input))}
