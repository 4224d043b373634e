import graphene

from saleor_loyalty.engagement import challenge_settings
from saleor_loyalty.graphql.challenge_types import ChallengeType
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.mutations.challenge_input import LoyaltyChallengeInput, challenge_values
from saleor_loyalty.graphql.resolvers import program_for


class LoyaltyChallengeCreate(ClubMutation):
    challenge = graphene.Field(ChallengeType, description="The new challenge.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        input = LoyaltyChallengeInput(required=True, description="The challenge's settings.")

    class Meta:
        description = "Define a challenge (a metric, a target, a window, a reward). Requires MANAGE_SETTINGS."

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, input):
        program = program_for(info, channel)
        return {"challenge": challenge_settings.create_challenge(program, **challenge_values(program, input))}
