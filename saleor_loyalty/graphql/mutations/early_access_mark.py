import graphene

from saleor_loyalty.benefits import early_access
from saleor_loyalty.graphql.early_access import EarlyAccessItemType, items_from
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.mutations.tier_input import tier_pk
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.members.summary import find_account


class LoyaltyEarlyAccessInput(graphene.InputObjectType):
    """Products and collections to open early, and when and to whom."""

    products = graphene.List(graphene.NonNull(graphene.ID), description="Saleor product IDs.")
    collections = graphene.List(graphene.NonNull(graphene.ID), description="Saleor collection IDs.")
    starts_at = graphene.DateTime(
        description="Members may see them from then (with a timezone); empty = at once."
    )
    ends_at = graphene.DateTime(
        description="Public launch (with a timezone): no longer gated from then; empty = until unmarked."
    )
    minimum_tier = graphene.ID(
        description="Members of this tier or above; empty = tiers with the early-access benefit."
    )


class LoyaltyEarlyAccessMark(ClubMutation):
    items = graphene.List(
        graphene.NonNull(EarlyAccessItemType), description="The marked items, as the caller sees them."
    )

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        input = LoyaltyEarlyAccessInput(required=True, description="What to mark.")

    class Meta:
        description = (
            "Mark Saleor products and collections for early access in a channel's club; marking an item "
            "again replaces its window and tier. Requires MANAGE_PRODUCTS."
        )

    permission = "MANAGE_PRODUCTS"

    @classmethod
    def perform(cls, info, channel, input):
        program = program_for(info, channel)
        requestor = info.context.requestor
        marked = early_access.mark_items(
            program,
            items_from(input.get("products"), input.get("collections")),
            info.context.catalog,
            requestor.as_actor(),
            starts_at=input.get("starts_at"),
            ends_at=input.get("ends_at"),
            minimum_tier_id=tier_pk(input.get("minimum_tier"), "minimum_tier"),
        )
        account = find_account(program, user_id=requestor.user_id) if requestor.user_id else None
        views = early_access.views_for(program, marked, account, signed_in=requestor.user_id is not None)
        return {"items": views}
