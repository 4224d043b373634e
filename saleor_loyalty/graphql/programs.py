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
    channel = graphene.String(required=True)
    point_value = graphene.Field(MoneyType, required=True)
    earn_rate = graphene.Float(required=True)
    negative_balance_policy = NegativeBalancePolicyEnum(required=True)
    cashback_percent = graphene.Float(required=True)
    redeem_max_share_percent = graphene.Float(required=True)

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
            "redeem_min_points",
            "redeem_step_points",
        )
        convert_choices_to_enum = False

    tier_basis = TierBasisEnum(required=True)
    tier_window = TierWindowEnum(required=True)
    tiers = graphene.List(graphene.NonNull(TierType), required=True)

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
        channel=graphene.String(required=True),
        description="A channel's club settings. Requires MANAGE_SETTINGS.",
    )
    club_shipping_method_ids = graphene.List(
        graphene.NonNull(graphene.ID),
        required=True,
        channel=graphene.String(required=True),
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
