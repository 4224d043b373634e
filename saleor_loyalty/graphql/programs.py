"""A channel's club program on the API: its settings for staff, its reserved shipping methods for anyone."""

import graphene
from graphene_django import DjangoObjectType

from saleor_loyalty.benefits import checkout as checkout_benefits
from saleor_loyalty.graphql.enums import NegativeBalancePolicyEnum, TierBasisEnum, TierWindowEnum
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.ids import to_global_id
from saleor_loyalty.graphql.money import MoneyType
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.graphql.tier_types import TierType
from saleor_loyalty.models import LoyaltyProgram
from saleor_loyalty.tiers.ladder import ladder

MANAGE_SETTINGS = "MANAGE_SETTINGS"


class Program(DjangoObjectType):
    """A channel's club: earning, spending, expiry and tier settings."""

    channel = graphene.String(required=True, description="The Saleor channel's slug.")
    currency = graphene.String(required=True, description="The channel's currency (ISO 4217).")
    timezone = graphene.String(required=True, description="Where days end, for expiry and birthdays.")
    is_active = graphene.Boolean(required=True, description="The club earns and redeems in this channel.")
    pending_days = graphene.Int(required=True, description="Days before earned points can be spent.")
    max_adjustment_points = graphene.Int(
        required=True, description="Most points one manual adjustment may move."
    )
    point_value = graphene.Field(
        MoneyType, required=True, description="What one point is worth when redeemed."
    )
    earn_rate = graphene.Float(required=True, description="Points per unit of currency paid.")
    negative_balance_policy = NegativeBalancePolicyEnum(
        required=True, description="What a reversal of spent points does: debt, or stop at zero."
    )
    cashback_percent = graphene.Float(
        required=True, description="Percent of the accrual base paid back as store credit."
    )
    redeem_max_share_percent = graphene.Float(
        required=True, description="Most of a checkout's total that points may pay, in percent."
    )

    class Meta:
        model = LoyaltyProgram
        name = "LoyaltyProgram"
        fields = (
            "currency",
            "timezone",
            "is_active",
            "include_tax",
            "pending_days",
            "expiry_months",
            "expiry_reminder_days",
            "max_adjustment_points",
            "tier_grace_days",
            "action_points_count_toward_tiers",
            "redeem_min_points",
            "redeem_step_points",
        )
        convert_choices_to_enum = False

    tier_basis = TierBasisEnum(
        required=True, description="What tiers are measured in: spend, points or paid orders."
    )
    tier_window = TierWindowEnum(required=True, description="The period tiers are measured over.")
    tiers = graphene.List(
        graphene.NonNull(TierType), required=True, description="The tier ladder, lowest first."
    )

    @staticmethod
    def resolve_tiers(root, _info):
        return ladder(root)

    @staticmethod
    def resolve_channel(root, _info):
        return root.channel_slug

    @staticmethod
    def resolve_point_value(root, _info):
        # A point's value is finer than the currency's cents (0.0125): not rounded to the minor unit.
        return MoneyType(amount=root.point_value, currency=root.currency)

    @staticmethod
    def resolve_earn_rate(root, _info):
        return root.earn_rate

    @staticmethod
    def resolve_cashback_percent(root, _info):
        return root.cashback_percent

    @staticmethod
    def resolve_redeem_max_share_percent(root, _info):
        return root.redeem_max_share_percent


class ProgramQueries(graphene.ObjectType):
    program = graphene.Field(
        Program,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        description="A channel's club settings. Requires MANAGE_SETTINGS.",
    )
    club_shipping_method_ids = graphene.List(
        graphene.NonNull(graphene.ID),
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        description="Saleor shipping methods only free-shipping tiers may complete an order with: a storefront "
        "shows them only to members whose tier has freeShipping. Public.",
    )

    @staticmethod
    @resolver(permission=MANAGE_SETTINGS)
    def resolve_program(_root, info, channel):
        return program_for(info, channel)

    @staticmethod
    @resolver()
    def resolve_club_shipping_method_ids(_root, info, channel):
        program = program_for(info, channel)
        return [
            to_global_id("ShippingMethod", pk) for pk in checkout_benefits.club_shipping_method_ids(program)
        ]
