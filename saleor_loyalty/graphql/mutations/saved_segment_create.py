import graphene

from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.mutations.saved_segment_input import SavedSegmentInput, stored_filters
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.graphql.segment_types import SavedSegmentType
from saleor_loyalty.insights import saved_segments


class LoyaltySavedSegmentCreate(ClubMutation):
    saved_segment = graphene.Field(SavedSegmentType, description="The saved segment.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        input = SavedSegmentInput(required=True, description="Its name and filters (both required here).")

    class Meta:
        description = "Save a segment of the channel's members as filters. Requires MANAGE_USERS."

    permission = "MANAGE_USERS"

    @classmethod
    def perform(cls, info, channel, input):
        program = program_for(info, channel)
        if input.get("name") is None:
            raise LoyaltyError("Give the segment a name.", "name")
        saved = saved_segments.create(program, input["name"], stored_filters(input.get("filters") or {}))
        return {"saved_segment": SavedSegmentType.build(saved)}
