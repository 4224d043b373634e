import graphene

from saleor_loyalty.graphql.enums import LanguageCodeEnum
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.mutations.tier_input import tier_pk
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.graphql.tier_types import TierType
from saleor_loyalty.tiers import settings as tier_settings


class LoyaltyTierTranslationInput(graphene.InputObjectType):
    """A tier's texts in one language."""

    name = graphene.String(required=True, description="The name in that language; empty removes it.")


class LoyaltyTierTranslate(ClubMutation):
    tier = graphene.Field(TierType, description="The tier with its translations.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        id = graphene.ID(required=True, description="Global ID of the tier.")
        language_code = graphene.Argument(
            LanguageCodeEnum, required=True, description="The language of the texts."
        )
        input = LoyaltyTierTranslationInput(required=True, description="The texts.")

    class Meta:
        description = (
            "A tier's name in one language, as Saleor translates its objects. Requires MANAGE_TRANSLATIONS."
        )

    permission = "MANAGE_TRANSLATIONS"

    @classmethod
    def perform(cls, info, channel, id, language_code, input):
        program = program_for(info, channel)
        return {"tier": tier_settings.translate_tier(program, tier_pk(id), language_code, input["name"])}
