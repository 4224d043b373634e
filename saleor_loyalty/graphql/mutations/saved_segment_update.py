import graphene

from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.mutations.saved_segment_input import SavedSegmentInput, stored_filters
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.graphql.segment_types import SavedSegmentType
from saleor_loyalty.graphql.segments import saved_segment_pk
from saleor_loyalty.insights import saved_segments


class LoyaltySavedSegmentUpdate(ClubMutation):
    saved_segment = graphene.Field(SavedSegmentType, description="The saved segment as saved.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        id = graphene.ID(required=True, description="The saved segment's global ID.")
        input = SavedSegmentInput(required=True, description="What to change.")

    class Meta:
        description = "Rename a saved segment or replace its filters. Requires MANAGE_USERS."

    permission = "MANAGE_USERS"

    @classmethod
    def perform(cls, info, channel, id, input):
        program = program_for(info, channel)
        filters = input.get("filters")
        saved = saved_segments.update(
            program,
            saved_segment_pk(id),
            name=input.get("name"),
            filters=stored_filters(filters) if filters is not None else None,
        )
        return {"saved_segment": SavedSegmentType.build(saved)}
