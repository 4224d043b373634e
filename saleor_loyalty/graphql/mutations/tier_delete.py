import graphene

from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.mutations.tier_input import tier_pk
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.tiers import settings as tier_settings


class LoyaltyTierDelete(ClubMutation):
    moved_members = graphene.Int(description="Members moved to `moveMembersTo`.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        id = graphene.ID(required=True, description="Global ID of the tier to delete.")
        move_members_to = graphene.ID(description="Required when the tier has members or floors.")

    class Meta:
        description = "Delete a tier; its members move to another tier. Requires MANAGE_SETTINGS."

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, id, move_members_to=None):
        program = program_for(info, channel)
        moved = tier_settings.delete_tier(
            program,
            tier_pk(id),
            tier_pk(move_members_to, "move_members_to"),
            info.context.requestor.as_actor(),
        )
        return {"moved_members": moved}
