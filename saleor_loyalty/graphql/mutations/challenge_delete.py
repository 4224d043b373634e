import graphene

from saleor_loyalty.engagement import challenge_settings
from saleor_loyalty.graphql.challenges import challenge_pk
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for


class LoyaltyChallengeDelete(ClubMutation):
    archived = graphene.Boolean(
        description="True: it had begun, so it was archived (rewards given stay); false: it was deleted."
    )

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        id = graphene.ID(required=True, description="Global ID of the challenge.")

    class Meta:
        description = (
            "Delete a challenge. One that began (members may be part-way) is archived instead: no new progress "
            "or rewards, rewards already given stay, staff still see it. Requires MANAGE_SETTINGS."
        )

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, id):
        return {"archived": challenge_settings.delete_challenge(program_for(info, channel), challenge_pk(id))}
