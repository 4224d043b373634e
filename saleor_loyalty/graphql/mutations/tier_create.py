import graphene

from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.mutations.tier_input import (
    LoyaltyTierInput,
    tier_values,
    translate_deprecated_name_he,
)
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.graphql.tier_types import TierType
from saleor_loyalty.tiers import settings as tier_settings


class LoyaltyTierCreate(ClubMutation):
    tier = graphene.Field(TierType, description="The new tier.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        input = LoyaltyTierInput(required=True, description="The tier's settings.")

    class Meta:
        description = "Add a tier to a channel's ladder (thresholds must increase with position). Requires MANAGE_SETTINGS."

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, input):
        program = program_for(info, channel)
        tier = tier_settings.create_tier(program, **tier_values(input))
        translate_deprecated_name_he(program, tier, input)
        return {"tier": tier}
