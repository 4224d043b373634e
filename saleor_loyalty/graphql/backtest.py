"""Rule backtest for staff: a proposed program replayed over recorded orders, beside the current one.

A query, because it writes nothing. MANAGE_SETTINGS, like changing the program it previews.
"""

from decimal import Decimal

import graphene
from django.utils import timezone

from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.money import MoneyType
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.insights import backtest

PERMISSION = "MANAGE_SETTINGS"


class BacktestTierInput(graphene.InputObjectType):
    """One tier of a proposed ladder."""

    name = graphene.String(required=True, description="Tier name, up to 64 characters.")
    entry_threshold = graphene.Decimal(required=True, description="Spend or points to enter; the first is 0.")
    earn_multiplier = graphene.Decimal(description="Multiplies the earn rate; default 1.")
    cashback_percent = graphene.Decimal(description="The tier's cashback rate; null uses the program's.")

    class Meta:
        name = "LoyaltyBacktestTierInput"


class BacktestInput(graphene.InputObjectType):
    """A proposed program; what is left out stays as it is now."""

    earn_rate = graphene.Decimal(description="Points per unit of currency; default the current rate.")
    point_value = graphene.Decimal(description="What a point is worth; default the current value.")
    cashback_percent = graphene.Decimal(description="Cashback in % of the accrual base; default the current.")
    tiers = graphene.List(
        graphene.NonNull(BacktestTierInput),
        description="The proposed ladder, lowest first (1-10); default the current.",
    )

    class Meta:
        name = "LoyaltyBacktestInput"


class TierCountType(graphene.ObjectType):
    """How many members a tier holds."""

    tier = graphene.String(required=True, description="Tier name.")
    members = graphene.Int(required=True, description="Members in it at the end of the replay.")

    class Meta:
        name = "LoyaltyTierCount"


class ScenarioType(graphene.ObjectType):
    """One program replayed over the recorded orders."""

    orders = graphene.Int(required=True, description="Orders replayed.")
    points_issued = graphene.Int(required=True, description="Points the orders earn.")
    points_reversed = graphene.Int(
        required=True, description="Points their refunds and cancellations take back."
    )
    net_points = graphene.Int(required=True, description="Issued less reversed.")
    points_value = graphene.Field(MoneyType, required=True, description="Net points × point value.")
    cashback = graphene.Field(MoneyType, required=True, description="Store credit given as cashback.")
    liability_change = graphene.Field(MoneyType, required=True, description="What the club comes to owe.")
    expected_cost = graphene.Field(
        MoneyType, required=True, description="Liability change less the points history says will expire."
    )
    tier_distribution = graphene.List(
        graphene.NonNull(TierCountType), required=True, description="Members per tier at the end."
    )

    class Meta:
        name = "LoyaltyBacktestScenario"

    @staticmethod
    def build(scenario: backtest.Scenario, currency: str) -> "ScenarioType":
        return ScenarioType(
            orders=scenario.orders,
            points_issued=scenario.points_issued,
            points_reversed=scenario.points_reversed,
            net_points=scenario.net_points,
            points_value=MoneyType.of(scenario.points_value, currency),
            cashback=MoneyType.of(scenario.cashback, currency),
            liability_change=MoneyType.of(scenario.liability_change, currency),
            expected_cost=MoneyType.of(scenario.expected_cost, currency),
            tier_distribution=[
                TierCountType(tier=name, members=n) for name, n in scenario.tier_distribution.items()
            ],
        )


class BacktestType(graphene.ObjectType):
    """The current and the proposed program over the same recorded orders."""

    currency = graphene.String(required=True, description="The channel's currency.")
    since = graphene.DateTime(required=True, description="Start of the replayed period.")
    until = graphene.DateTime(required=True, description="End of the replayed period (now).")
    breakage_rate = graphene.Float(description="Historic share of points expiring unused, used for the cost.")
    recorded_points = graphene.Int(
        required=True, description="Net points the ledger recorded for these orders."
    )
    current = graphene.Field(ScenarioType, required=True, description="The current program replayed.")
    proposed = graphene.Field(ScenarioType, required=True, description="The proposal replayed.")

    class Meta:
        name = "LoyaltyBacktest"


def proposal_from(program, data) -> backtest.Proposal:
    tiers = data.get("tiers")
    if tiers is not None and len(tiers) > backtest.MAX_TIERS:
        raise backtest.BacktestInputError(f"Give 1 to {backtest.MAX_TIERS} tiers.", "tiers")

    def given(name, default):
        value = data.get(name)
        return default if value is None else value

    return backtest.Proposal(
        earn_rate=given("earn_rate", program.earn_rate),
        point_value=given("point_value", program.point_value),
        cashback_percent=given("cashback_percent", program.cashback_percent),
        tiers=None
        if tiers is None
        else tuple(
            backtest.ProposedTier(
                name=tier["name"],
                entry_threshold=tier["entry_threshold"],
                earn_multiplier=Decimal(1)
                if tier.get("earn_multiplier") is None
                else tier["earn_multiplier"],
                cashback_percent=tier.get("cashback_percent"),
            )
            for tier in tiers
        ),
    )


class BacktestQueries(graphene.ObjectType):
    rule_backtest = graphene.Field(
        BacktestType,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        months=graphene.Int(default_value=12, description="Months to replay, 1 to 24."),
        input=graphene.Argument(BacktestInput, required=True, description="The proposed program."),
        description="Replay recorded orders under a proposed program beside the current one; writes nothing. "
        "Requires MANAGE_SETTINGS.",
    )

    @staticmethod
    @resolver(permission=PERMISSION)
    def resolve_rule_backtest(_root, info, channel, input, months=12):
        program = program_for(info, channel)
        result = backtest.backtest(program, proposal_from(program, input), months, timezone.now())
        return BacktestType(
            currency=result.currency,
            since=result.since,
            until=result.until,
            breakage_rate=float(result.breakage_rate) if result.breakage_rate is not None else None,
            recorded_points=result.recorded_points,
            current=ScenarioType.build(result.current, result.currency),
            proposed=ScenarioType.build(result.proposed, result.currency),
        )
