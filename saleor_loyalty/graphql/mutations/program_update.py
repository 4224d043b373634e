import graphene

from saleor_loyalty.graphql.enums import NegativeBalancePolicyEnum, TierBasisEnum, TierWindowEnum
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.programs import Program
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.ledger import programs


class MoneyInput(graphene.InputObjectType):
    """An amount of money in a currency."""

    amount = graphene.Decimal(required=True, description="The amount, in the currency's units.")
    currency = graphene.String(required=True, description="ISO 4217 code; must be the channel's.")

    class Meta:
        name = "LoyaltyMoneyInput"


class LoyaltyProgramInput(graphene.InputObjectType):
    """Program settings to change; fields left out stay as they are."""

    earn_rate = graphene.Decimal(description="Points per 1 unit of currency.")
    point_value = graphene.Field(MoneyInput, description="What one point is worth.")
    include_tax = graphene.Boolean(description="Earn on prices with tax.")
    pending_days = graphene.Int(description="Days before earned points can be spent.")
    expiry_months = graphene.Int(description="0 means points never expire.")
    expiry_reminder_days = graphene.Int(description="Days before expiry to queue a reminder; 0 = off.")
    negative_balance_policy = NegativeBalancePolicyEnum(description="What a reversal of spent points does.")
    timezone = graphene.String(description="IANA name; 'midnight' for expiry means this zone's.")
    is_active = graphene.Boolean(description="The club earns and redeems in this channel.")
    max_adjustment_points = graphene.Int(description="Most points one manual adjustment may move.")
    tier_basis = TierBasisEnum(
        description="What counts towards tiers: money spent, points earned or paid orders."
    )
    tier_window = TierWindowEnum(
        description="Lifetime, calendar year or rolling 12 months (program timezone)."
    )
    tier_grace_days = graphene.Int(description="Days below the retain threshold before a downgrade.")
    action_points_count_toward_tiers = graphene.Boolean(
        description="Points for actions that are not purchases count towards tiers measured in points."
    )
    cashback_percent = graphene.Decimal(
        description="Store credit per paid order in % of the accrual base; 0 = off."
    )
    redeem_min_points = graphene.Int(description="Fewest points one redemption takes.")
    redeem_step_points = graphene.Int(description="Redemptions are multiples of this.")
    redeem_max_share_percent = graphene.Decimal(
        description="Most of a checkout's total (%) points may cover."
    )


FIELDS = {
    "earn_rate",
    "include_tax",
    "pending_days",
    "expiry_months",
    "negative_balance_policy",
    "timezone",
    "is_active",
    "max_adjustment_points",
    "expiry_reminder_days",
    "tier_basis",
    "tier_window",
    "tier_grace_days",
    "action_points_count_toward_tiers",
    "cashback_percent",
    "redeem_min_points",
    "redeem_step_points",
    "redeem_max_share_percent",
}


class LoyaltyProgramUpdate(ClubMutation):
    program = graphene.Field(Program, description="The program as saved.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        input = LoyaltyProgramInput(required=True, description="What to change.")

    class Meta:
        description = "Change a channel's club settings. Requires MANAGE_SETTINGS."

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, input):
        program = program_for(info, channel)
        changes = {name: value for name, value in input.items() if name in FIELDS and value is not None}
        if input.get("point_value") is not None:
            changes["point_value"] = (input["point_value"]["amount"], input["point_value"]["currency"])
        return {"program": programs.update_program(program, **changes)}
