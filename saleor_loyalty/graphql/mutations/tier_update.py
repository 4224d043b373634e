import graphene

from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.mutations.tier_input import (
    LoyaltyTierInput,
    tier_pk,
    tier_values,
    translate_deprecated_name_he,
)
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.graphql.tier_types import TierType
from saleor_loyalty.tiers import settings as tier_settings


class LoyaltyTierUpdate(ClubMutation):
    tier = graphene.Field(TierType, description="The tier as saved.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        id = graphene.ID(required=True, description="Global ID of the tier.")
        input = LoyaltyTierInput(required=True, description="The tier's new settings.")

    class Meta:
        description = "Change a tier's names, thresholds or benefits. Requires MANAGE_SETTINGS."

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, id, input):
        program = program_for(info, channel)
        tier = tier_settings.update_tier(program, tier_pk(id), **tier_values(input))
        translate_deprecated_name_he(program, tier, input)
        return {"tier": tier}
