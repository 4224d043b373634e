import graphene

from saleor_loyalty.benefits import early_access
from saleor_loyalty.graphql.early_access import items_from
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for


class LoyaltyEarlyAccessUnmark(ClubMutation):
    unmarked = graphene.Int(description="How many of the items were marked (unmarking twice is a no-op).")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        products = graphene.List(
            graphene.NonNull(graphene.ID), description="Saleor global IDs of products to release to everyone."
        )
        collections = graphene.List(
            graphene.NonNull(graphene.ID),
            description="Saleor global IDs of collections to release to everyone.",
        )

    class Meta:
        description = (
            "Stop gating Saleor products and collections in a channel's club. Requires MANAGE_PRODUCTS."
        )

    permission = "MANAGE_PRODUCTS"

    @classmethod
    def perform(cls, info, channel, products=None, collections=None):
        program = program_for(info, channel)
        return {"unmarked": early_access.unmark_items(program, items_from(products, collections))}
