"""Club API for NPS: the score by tier and month, and the detractors staff follow up (MANAGE_USERS:
answers name customers and their orders)."""

import graphene

from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.ids import to_global_id
from saleor_loyalty.graphql.mutations.nps_settings_update import NpsSettingsType
from saleor_loyalty.graphql.pagination import connection, connection_types, keyset_page
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.insights import nps, nps_report

MANAGE_USERS = "MANAGE_USERS"
MANAGE_SETTINGS = "MANAGE_SETTINGS"


class NpsBreakdownType(graphene.ObjectType):
    """NPS of a group of answers: % promoters (9-10) minus % detractors (0-6)."""

    key = graphene.String(required=True, description="The tier's name, the month (YYYY-MM) or `all`.")
    responses = graphene.Int(required=True, description="Answers.")
    promoters = graphene.Int(required=True, description="Scores 9-10.")
    passives = graphene.Int(required=True, description="Scores 7-8.")
    detractors = graphene.Int(required=True, description="Scores 0-6.")
    nps = graphene.Float(description="From -100 to 100; null without answers.")

    class Meta:
        name = "LoyaltyNpsBreakdown"


class NpsReportType(graphene.ObjectType):
    """NPS over a period."""

    overall = graphene.Field(NpsBreakdownType, required=True, description="All answers.")
    by_tier = graphene.List(
        graphene.NonNull(NpsBreakdownType), required=True, description="By the tier held when answering."
    )
    by_month = graphene.List(
        graphene.NonNull(NpsBreakdownType), required=True, description="By month, in the program's timezone."
    )
    by_segment = graphene.List(
        graphene.NonNull(NpsBreakdownType),
        required=True,
        description="By named segment the person is in now (key: new, one_time, repeat, loyal, at_risk, lapsed).",
    )

    class Meta:
        name = "LoyaltyNpsReport"


class NpsAnswerType(graphene.ObjectType):
    """One answered survey."""

    id = graphene.ID(required=True, description="Global ID of the survey.")
    order_id = graphene.ID(required=True, description="Saleor global ID of the order.")
    order_number = graphene.String(required=True, description="The order's number.")
    email = graphene.String(required=True, description="Who answered.")
    score = graphene.Int(required=True, description="0-10 (the latest answer).")
    comment = graphene.String(required=True, description="Their comment; empty when none.")
    tier = graphene.String(required=True, description="Their tier when answering.")
    answered_at = graphene.DateTime(required=True, description="When (the latest answer).")

    class Meta:
        name = "LoyaltyNpsResponse"

    @staticmethod
    def build(survey):
        return NpsAnswerType(
            id=to_global_id("LoyaltyNpsSurvey", survey.pk),
            order_id=to_global_id("Order", survey.order_id),
            order_number=survey.order_number,
            email=survey.email,
            score=survey.score,
            comment=survey.comment,
            tier=survey.tier_name,
            answered_at=survey.answered_at,
        )


LoyaltyNpsResponseConnection, LoyaltyNpsResponseEdge = connection_types("LoyaltyNpsResponse", NpsAnswerType)


def _breakdown(row) -> NpsBreakdownType:
    return NpsBreakdownType(**row.__dict__)


class NpsQueries(graphene.ObjectType):
    nps_report = graphene.Field(
        NpsReportType,
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        since=graphene.DateTime(required=True, description="Start of the period (timezone required)."),
        until=graphene.DateTime(required=True, description="End of the period (timezone required)."),
        description="NPS of a period, by tier, month and named segment. Requires MANAGE_USERS.",
    )
    nps_detractors = graphene.Field(
        LoyaltyNpsResponseConnection,
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        first=graphene.Int(default_value=20, description="How many rows, 1 to 100."),
        after=graphene.String(description="`pageInfo.endCursor` of the previous page."),
        description="Answers scoring 0-6, newest first, for follow-up. Requires MANAGE_USERS.",
    )
    nps_settings = graphene.Field(
        NpsSettingsType,
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        description="Whether an NPS survey follows the channel's orders, and when. Requires MANAGE_SETTINGS.",
    )

    @staticmethod
    @resolver(permission=MANAGE_USERS)
    def resolve_nps_report(_root, info, channel, since, until):
        program_for(info, channel)
        if since.tzinfo is None or until.tzinfo is None or since >= until:
            raise LoyaltyError("Give a period with timezones, `since` before `until`.", "since")
        found = nps_report.report(channel, since, until)
        return NpsReportType(
            overall=_breakdown(found.overall),
            by_tier=[_breakdown(row) for row in found.by_tier],
            by_month=[_breakdown(row) for row in found.by_month],
            by_segment=[_breakdown(row) for row in found.by_segment],
        )

    @staticmethod
    @resolver(permission=MANAGE_USERS)
    def resolve_nps_detractors(_root, info, channel, first=20, after=None):
        program_for(info, channel)
        page = keyset_page(nps_report.detractors(channel), first, after, "nps")
        return connection(LoyaltyNpsResponseConnection, LoyaltyNpsResponseEdge, page, NpsAnswerType.build)

    @staticmethod
    @resolver(permission=MANAGE_SETTINGS)
    def resolve_nps_settings(_root, info, channel):
        program_for(info, channel)
        saved = nps.settings_of(channel)
        return NpsSettingsType(enabled=saved.enabled, days_after_order=saved.days_after_order)
