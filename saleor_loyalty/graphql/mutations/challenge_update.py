import graphene

from saleor_loyalty.engagement import challenge_settings
from saleor_loyalty.graphql.challenge_types import ChallengeType
from saleor_loyalty.graphql.challenges import challenge_pk
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.mutations.challenge_input import LoyaltyChallengeInput, challenge_values
from saleor_loyalty.graphql.resolvers import program_for


class LoyaltyChallengeUpdate(ClubMutation):
    challenge = graphene.Field(ChallengeType, description="The challenge as it is now.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        id = graphene.ID(required=True, description="Global ID of the challenge.")
        input = LoyaltyChallengeInput(required=True, description="What to change.")

    class Meta:
        description = (
            "Change a challenge; its rules (metric, target, window) only while nobody completed it. "
            "Requires MANAGE_SETTINGS."
        )

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, id, input):
        program = program_for(info, channel)
        challenge = challenge_settings.update_challenge(
            program, challenge_pk(id), **challenge_values(program, input)
        )
        return {"challenge": challenge}
