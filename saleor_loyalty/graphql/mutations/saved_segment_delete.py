import graphene

from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.graphql.segments import saved_segment_pk
from saleor_loyalty.insights import saved_segments


class LoyaltySavedSegmentDelete(ClubMutation):
    deleted_id = graphene.ID(description="Global ID of the deleted saved segment.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        id = graphene.ID(required=True, description="The saved segment's global ID.")

    class Meta:
        description = "Delete a saved segment (members are not touched). Requires MANAGE_USERS."

    permission = "MANAGE_USERS"

    @classmethod
    def perform(cls, info, channel, id):
        saved_segments.delete(program_for(info, channel), saved_segment_pk(id))
        return {"deleted_id": id}
