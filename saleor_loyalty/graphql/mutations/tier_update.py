import graphene

from ... import tier_settings
from ...exceptions import InvalidTierSetting
from ..resolvers import program_for
from ..tier_types import TierType
from .base import ClubMutation
from .tier_input import LoyaltyTierInput, tier_pk, tier_values


class LoyaltyTierUpdate(ClubMutation):
    tier = graphene.Field(TierType)

    class Arguments:
        channel = graphene.String(required=True)
        id = graphene.ID(required=True)
        input = LoyaltyTierInput(required=True)

    class Meta:
        description = "Change a tier's names, thresholds or benefits. Requires MANAGE_SETTINGS."

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, id, input):
        program = program_for(info, channel)
        if input.get("position") is not None:
            raise InvalidTierSetting("position can only be chosen when creating a tier.", "position")
        return {"tier": tier_settings.update_tier(program, tier_pk(id), **tier_values(input))}
