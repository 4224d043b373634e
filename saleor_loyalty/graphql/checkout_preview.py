"""What a checkout brings its owner, for the storefront's cart page (Checkout is Saleor's, so a root query)."""

import graphene

from saleor_loyalty.exceptions import CheckoutNotFound
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.ids import uuid_pk
from saleor_loyalty.graphql.money import MoneyType
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.rewards import checkout_preview


class TierOutlookType(graphene.ObjectType):
    """A tier as seen from a checkout: would paying it reach the tier."""

    name = graphene.String(required=True, description="The tier's name.")
    reached = graphene.Boolean(
        required=True, description="True when this checkout makes the member reach it."
    )

    class Meta:
        name = "LoyaltyTierOutlook"


class CheckoutPreviewType(graphene.ObjectType):
    """What a checkout earns and how many points it can take, before it is paid."""

    points = graphene.Int(required=True, description="Points this checkout earns once paid.")
    cashback = graphene.Field(
        MoneyType, required=True, description="Store credit this checkout earns once paid."
    )
    max_redeemable_points = graphene.Int(
        required=True, description="Most points the member can redeem on it now."
    )
    max_redeemable_value = graphene.Field(
        MoneyType, required=True, description="What the redeemable points are worth."
    )
    tier = graphene.Field(
        TierOutlookType,
        description="The member's tier once this checkout is paid; `reached` says this checkout gets them there.",
    )

    class Meta:
        name = "LoyaltyCheckoutPreview"

    @staticmethod
    def from_preview(preview):
        tier = preview.tier
        return CheckoutPreviewType(
            points=preview.points,
            cashback=MoneyType.from_money(preview.cashback),
            max_redeemable_points=preview.max_redeemable_points,
            max_redeemable_value=MoneyType.from_money(preview.max_redeemable_value),
            tier=TierOutlookType(name=tier.name, reached=tier.reached) if tier else None,
        )


class CheckoutPreviewQueries(graphene.ObjectType):
    checkout_preview = graphene.Field(
        CheckoutPreviewType,
        checkout_id=graphene.ID(
            required=True, description="Saleor global ID of the customer's own checkout."
        ),
        description="What the signed-in customer's checkout earns and how many points it can take.",
    )

    @staticmethod
    @resolver(customer=True)
    def resolve_checkout_preview(_root, info, checkout_id):
        token = uuid_pk(checkout_id, "Checkout", "checkout_id", CheckoutNotFound)
        checkout = info.context.cards.checkout(token)
        if checkout is None:
            raise CheckoutNotFound("No open checkout with that id (it may be completed already).")
        program = program_for(info, checkout.channel_slug)
        preview = checkout_preview.preview(program, info.context.requestor.user_id, token, info.context.cards)
        return CheckoutPreviewType.from_preview(preview)
