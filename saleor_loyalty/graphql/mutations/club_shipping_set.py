import graphene

from saleor_loyalty.benefits import checkout as checkout_benefits
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.graphql.ids import int_pk, to_global_id
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for


class LoyaltyClubShippingMethodsSet(ClubMutation):
    shipping_method_ids = graphene.List(
        graphene.NonNull(graphene.ID), description="The reserved methods now."
    )

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        shipping_method_ids = graphene.List(
            graphene.NonNull(graphene.ID),
            required=True,
            description=(
                "Saleor shipping methods (priced 0 in the channel) that only free-shipping tiers may complete "
                "an order with. Replaces the channel's list; [] clears it."
            ),
        )

    class Meta:
        description = "Reserve shipping methods for free-shipping tiers. Requires MANAGE_SETTINGS."

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, shipping_method_ids):
        program = program_for(info, channel)
        method_exists = info.context.shipping_method_exists
        pks = [int_pk(gid, "ShippingMethod", "shipping_method_ids") for gid in shipping_method_ids]
        for global_id, pk in zip(shipping_method_ids, pks, strict=False):
            if method_exists is None or not method_exists(pk, channel):
                raise LoyaltyError(
                    f"{global_id} is not a shipping method of channel '{channel}'.", "shippingMethodIds"
                )
        saved = checkout_benefits.set_club_shipping_methods(program, pks)
        return {"shipping_method_ids": [to_global_id("ShippingMethod", pk) for pk in saved]}
