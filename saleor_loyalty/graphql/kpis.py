"""Club KPIs for staff: the month series, the cohort table, liability and breakage, per channel.

MANAGE_USERS, as Saleor guards its customer data: these are numbers about the channel's customers and
members (members, buyers, cohorts, what they are owed). Every amount is in the channel's currency.
"""

import graphene
from django.utils import timezone

from saleor_loyalty.core.clock import add_months, local_date
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.money import MoneyType
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.insights import cohorts, kpis, liability
from saleor_loyalty.recovery import attribution
from saleor_loyalty.saleor_adapter import order_rollups

PERMISSION = "MANAGE_USERS"


def _money(amount, currency):
    return MoneyType.of(amount, currency) if amount is not None else None


def _rate(value):
    return float(value) if value is not None else None


class KpiMonth(graphene.ObjectType):
    """One local month of a channel."""

    month = graphene.Date(required=True, description="First day of the month.")
    orders = graphene.Int(required=True, description="Paid orders, less cancelled and wholly refunded ones.")
    member_orders = graphene.Int(required=True, description="Of them, by signed-up customers.")
    revenue = graphene.Field(MoneyType, required=True, description="Their gross total less refunds.")
    member_aov = graphene.Field(MoneyType, description="Average order value of members; null without orders.")
    guest_aov = graphene.Field(MoneyType, description="Average order value of guests; null without orders.")
    active_customers = graphene.Int(required=True, description="Buyers who ordered in the month.")
    active_members = graphene.Int(required=True, description="Of them, members.")
    new_customers = graphene.Int(required=True, description="Buyers whose first order fell in the month.")

    class Meta:
        name = "LoyaltyKpiMonth"


class PointsFlowType(graphene.ObjectType):
    """Points moved in a period."""

    issued = graphene.Int(required=True, description="Earned, birthday and added by staff.")
    reversed = graphene.Int(required=True, description="Taken back by refunds, cancellations and staff.")
    redeemed = graphene.Int(required=True, description="Turned into store credit.")
    expired = graphene.Int(required=True, description="Expired unused.")
    redemption_rate = graphene.Float(description="Redeemed ÷ (issued − reversed), 0-1.")

    class Meta:
        name = "LoyaltyPointsFlow"


class KpisType(graphene.ObjectType):
    """A channel's KPIs for a range of local months."""

    currency = graphene.String(required=True, description="The channel's currency; every amount is in it.")
    months = graphene.List(graphene.NonNull(KpiMonth), required=True, description="Month by month.")
    members_count = graphene.Int(required=True, description="Signed-up members of the channel's club now.")
    members_new = graphene.Int(required=True, description="Members who joined in the period.")
    members_active = graphene.Int(required=True, description="Members who ordered in the period.")
    customers_active = graphene.Int(required=True, description="Buyers (members and guests) in the period.")
    orders = graphene.Int(required=True, description="Counted orders in the period.")
    revenue = graphene.Field(MoneyType, required=True, description="Their net revenue.")
    member_aov = graphene.Field(MoneyType, description="Members' average order value in the period.")
    guest_aov = graphene.Field(MoneyType, description="Guests' average order value in the period.")
    repeat_purchase_rate = graphene.Float(
        description="Of buyers whose first order fell in the period, the share who ordered again, 0-1."
    )
    purchase_frequency = graphene.Float(description="Orders per buyer in the period.")
    points = graphene.Field(PointsFlowType, required=True, description="Points moved in the period.")
    recovery_rate = graphene.Float(description="Cart recovery: recovered ÷ abandoned outside the holdout.")
    referral_rate = graphene.Float(
        description="Referrals rewarded in the period ÷ members who ordered in it, 0-1; null without such members."
    )
    nps = graphene.Float(
        description="NPS of the surveys answered in the period, −100 to 100; null without answers."
    )

    class Meta:
        name = "LoyaltyKpis"


def build_kpis(result: kpis.Kpis, other: dict) -> KpisType:
    currency = result.currency
    guest_orders = result.orders - result.member_orders
    guest_revenue = result.revenue - result.member_revenue
    return KpisType(
        currency=currency,
        months=[
            KpiMonth(
                month=month.month,
                orders=month.orders,
                member_orders=month.member_orders,
                revenue=MoneyType.of(month.revenue, currency),
                member_aov=_money(month.member_aov, currency),
                guest_aov=_money(month.guest_aov, currency),
                active_customers=month.active_customers,
                active_members=month.active_members,
                new_customers=month.new_customers,
            )
            for month in result.months
        ],
        members_count=result.members_total,
        members_new=result.members_new,
        members_active=result.members_active,
        customers_active=result.customers_active,
        orders=result.orders,
        revenue=MoneyType.of(result.revenue, currency),
        member_aov=_money(
            result.member_revenue / result.member_orders if result.member_orders else None, currency
        ),
        guest_aov=_money(guest_revenue / guest_orders if guest_orders else None, currency),
        repeat_purchase_rate=_rate(result.repeat_purchase_rate),
        purchase_frequency=_rate(result.purchase_frequency),
        points=PointsFlowType(
            **{**result.points.__dict__, "redemption_rate": _rate(result.points.redemption_rate)}
        ),
        **{name: _rate(value) for name, value in other.items()},
    )


def other_rates(program, since, until, members_active: int) -> dict:
    """Rates measured by other parts of the club: cart recovery, referrals and NPS."""
    return {
        "recovery_rate": attribution.stats(program.channel_slug, since, until).recovery_rate,
        **kpis.engagement_rates(program, since, until, members_active),
    }


class CohortCellType(graphene.ObjectType):
    """One month of a cohort."""

    offset = graphene.Int(
        required=True, description="Months after the cohort's first month (0 = that month)."
    )
    month = graphene.Date(required=True, description="The month.")
    customers = graphene.Int(required=True, description="Buyers of the cohort who ordered in the month.")
    retention = graphene.Float(description="Their share of the cohort, 0-1.")
    revenue = graphene.Field(MoneyType, required=True, description="Their net revenue in the month.")
    ltv = graphene.Field(MoneyType, description="Cumulative net revenue per buyer of the cohort so far.")

    class Meta:
        name = "LoyaltyCohortCell"


class CohortType(graphene.ObjectType):
    """Buyers whose first order fell in one month, followed month by month."""

    month = graphene.Date(required=True, description="The month of the buyers' first order.")
    size = graphene.Int(required=True, description="Buyers in the cohort.")
    member_size = graphene.Int(required=True, description="Of them, members.")
    ltv = graphene.Field(MoneyType, description="Historic LTV: net revenue per buyer up to the last month.")
    cells = graphene.List(graphene.NonNull(CohortCellType), required=True, description="Month by month.")

    class Meta:
        name = "LoyaltyCohort"


class ExpiryBucketType(graphene.ObjectType):
    """Outstanding points expiring in one month."""

    month = graphene.Date(description="Month the points expire; null for points that never expire.")
    points = graphene.Int(required=True, description="Outstanding points expiring that month.")
    value = graphene.Field(MoneyType, required=True, description="What they are worth.")
    expected_breakage = graphene.Int(required=True, description="Of them, expected to expire unused.")

    class Meta:
        name = "LoyaltyExpiryBucket"


class BreakageType(graphene.ObjectType):
    """The share of points that expire unused, from history, and what that forecasts."""

    matured_points = graphene.Int(required=True, description="Points issued whose expiry month is over.")
    expired_points = graphene.Int(required=True, description="Of them, expired unused.")
    rate = graphene.Float(description="Expired ÷ matured, 0-1; null before any point matured.")
    forecast_points = graphene.Int(required=True, description="Outstanding points expected to expire.")
    forecast_value = graphene.Field(MoneyType, required=True, description="What they are worth.")

    class Meta:
        name = "LoyaltyBreakage"


class LiabilityType(graphene.ObjectType):
    """What the club owes members in one channel, in its currency."""

    outstanding_points = graphene.Int(required=True, description="Members' positive balances, exact.")
    points_value = graphene.Field(MoneyType, required=True, description="Outstanding points × point value.")
    pending_credit = graphene.Field(MoneyType, required=True, description="Cashback not on a card yet.")
    credit_on_cards = graphene.Field(
        MoneyType, description="Left on the club's Saleor store-credit cards in this currency (shared by "
        "channels with the same currency); null when Saleor was not read."
    )  # fmt: skip
    total = graphene.Field(MoneyType, required=True, description="Points value + pending credit + cards.")
    buckets = graphene.List(
        graphene.NonNull(ExpiryBucketType), required=True, description="Outstanding points by expiry month."
    )
    breakage = graphene.Field(BreakageType, required=True, description="Expired share and forecast.")

    class Meta:
        name = "LoyaltyLiability"


def build_liability(result: liability.Liability) -> LiabilityType:
    currency = result.currency
    return LiabilityType(
        outstanding_points=result.outstanding_points,
        points_value=MoneyType.of(result.points_value, currency),
        pending_credit=MoneyType.of(result.pending_credit, currency),
        credit_on_cards=_money(result.credit_on_cards, currency),
        total=MoneyType.of(result.total, currency),
        buckets=[
            ExpiryBucketType(
                month=bucket.month,
                points=bucket.points,
                value=MoneyType.of(bucket.value, currency),
                expected_breakage=bucket.expected_breakage,
            )
            for bucket in result.buckets
        ],
        breakage=BreakageType(
            matured_points=result.breakage.matured_points,
            expired_points=result.breakage.expired_points,
            rate=_rate(result.breakage.rate),
            forecast_points=result.breakage.forecast_points,
            forecast_value=MoneyType.of(result.breakage.forecast_value, currency),
        ),
    )


def _period(channel_help="The Saleor channel's slug."):
    return {
        "channel": graphene.String(required=True, description=channel_help),
        "since": graphene.Date(required=True, description="First month (any day in it)."),
        "until": graphene.Date(
            required=True, description="Last month (any day in it); at most 36 months on."
        ),
    }


class KpiQueries(graphene.ObjectType):
    kpis = graphene.Field(
        KpisType, **_period(), description="A channel's KPIs by local month. Requires MANAGE_USERS."
    )
    kpi_cohorts = graphene.List(
        graphene.NonNull(CohortType),
        required=True,
        **_period(),
        description="The cohort table (retention, LTV) of buyers first seen in the months. Requires MANAGE_USERS.",
    )
    liability = graphene.Field(
        LiabilityType,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        description="What the club owes members now, by expiry month, with breakage. Requires MANAGE_USERS.",
    )

    @staticmethod
    @resolver(permission=PERMISSION)
    def resolve_kpis(_root, info, channel, since, until):
        program = program_for(info, channel)
        result = kpis.kpis(program, since, until)
        start = kpis.local_start(program, result.months[0].month)
        end = kpis.local_start(program, add_months(result.months[-1].month, 1))
        return build_kpis(result, other_rates(program, start, end, result.members_active))

    @staticmethod
    @resolver(permission=PERMISSION)
    def resolve_kpi_cohorts(_root, info, channel, since, until):
        program = program_for(info, channel)
        horizon = local_date(timezone.now(), program.timezone)
        table = cohorts.cohort_table(program, since, until, horizon=max(horizon, until))
        return [
            CohortType(
                month=cohort.month,
                size=cohort.size,
                member_size=cohort.member_size,
                ltv=_money(cohort.ltv, program.currency),
                cells=[
                    CohortCellType(
                        offset=cell.offset,
                        month=cell.month,
                        customers=cell.customers,
                        retention=_rate(cell.retention),
                        revenue=MoneyType.of(cell.revenue, program.currency),
                        ltv=_money(cell.ltv, program.currency),
                    )
                    for cell in cohort.cells
                ],
            )
            for cohort in table
        ]

    @staticmethod
    @resolver(permission=PERMISSION)
    def resolve_liability(_root, info, channel):
        program = program_for(info, channel)
        today = local_date(timezone.now(), program.timezone)
        cards_total = None
        if info.context.shop is not None:  # Saleor is behind this request: read its card balances
            cards_total = order_rollups.store_credit_on_cards
        return build_liability(liability.liability(program, today, cards_total))
