"""Club API for segments and flows: settings, sizes over time, saved segments and their members, flow stats."""

from datetime import timedelta

import graphene

from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.graphql import member_insights
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.ids import int_pk
from saleor_loyalty.graphql.member_types import MemberView
from saleor_loyalty.graphql.members import LoyaltyMemberConnection, LoyaltyMemberEdge
from saleor_loyalty.graphql.money import MoneyType
from saleor_loyalty.graphql.pagination import connection, keyset_page
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.graphql.segment_types import (
    FlowKindEnum,
    FlowStatsType,
    FlowType,
    SavedSegmentType,
    SegmentSettingsType,
    SegmentSizeType,
)
from saleor_loyalty.insights import flow_stats, rfm, saved_segments
from saleor_loyalty.models import Flow, FlowKind, SavedSegment, SegmentSnapshot

MANAGE_USERS, MANAGE_SETTINGS = "MANAGE_USERS", "MANAGE_SETTINGS"
MAX_DAYS = 366


def saved_segment_pk(global_id) -> int:
    return int_pk(global_id, "LoyaltySavedSegment", "id", saved_segments.SavedSegmentNotFound)


def settings_type(settings) -> SegmentSettingsType:
    return SegmentSettingsType(
        new_days=settings.new_days,
        default_interval_days=settings.default_interval_days,
        min_interval_days=settings.min_interval_days,
        at_risk_factor=float(settings.at_risk_factor),
        lapsed_factor=float(settings.lapsed_factor),
        loyal_min_orders=settings.loyal_min_orders,
    )


def _period(since, until, span: timedelta) -> None:
    if since >= until:
        raise LoyaltyError("`since` must be before `until`.", "since")
    if until - since > span:
        raise LoyaltyError(f"Ask for at most {span.days} days at a time.", "until")


def _rate(value):
    return float(value) if value is not None else None


class SegmentQueries(graphene.ObjectType):
    segment_settings = graphene.Field(
        SegmentSettingsType,
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        description="Where the channel's named segments begin. Requires MANAGE_SETTINGS.",
    )
    segment_sizes = graphene.List(
        graphene.NonNull(SegmentSizeType),
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        since=graphene.Date(required=True, description="First local day."),
        until=graphene.Date(required=True, description="Last local day (at most 366 days after `since`)."),
        description="Segment sizes per night, oldest first. Requires MANAGE_USERS.",
    )
    saved_segments = graphene.List(
        graphene.NonNull(SavedSegmentType),
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        description="The channel's saved segments (at most 100), by name. Requires MANAGE_USERS.",
    )
    saved_segment_members = graphene.Field(
        LoyaltyMemberConnection,
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        id=graphene.ID(required=True, description="The saved segment's global ID."),
        first=graphene.Int(default_value=20, description="How many rows, 1 to 100."),
        after=graphene.String(description="`pageInfo.endCursor` of the previous page."),
        description="Members a saved segment matches now (`totalCount` is its size). Requires MANAGE_USERS.",
    )
    flows = graphene.List(
        graphene.NonNull(FlowType),
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        description="The channel's win-back and greeting flows, one per kind. Requires MANAGE_USERS.",
    )
    flow_stats = graphene.Field(
        FlowStatsType,
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        kind=FlowKindEnum(required=True, description="Which flow."),
        since=graphene.DateTime(required=True, description="Runs started at or after (timezone required)."),
        until=graphene.DateTime(required=True, description="Runs started before (at most 366 days later)."),
        description="Sent, converted, revenue and the holdout comparison of a flow. Requires MANAGE_USERS.",
    )

    @staticmethod
    @resolver(permission=MANAGE_SETTINGS)
    def resolve_segment_settings(_root, info, channel):
        return settings_type(rfm.settings_for(program_for(info, channel)))

    @staticmethod
    @resolver(permission=MANAGE_USERS)
    def resolve_segment_sizes(_root, info, channel, since, until):
        _period(since, until + timedelta(days=1), timedelta(days=MAX_DAYS + 1))
        rows = SegmentSnapshot.objects.filter(
            program=program_for(info, channel), day__gte=since, day__lte=until
        ).order_by("day", "segment")
        return [SegmentSizeType(day=row.day, segment=row.segment, size=row.size) for row in rows]

    @staticmethod
    @resolver(permission=MANAGE_USERS)
    def resolve_saved_segments(_root, info, channel):
        rows = SavedSegment.objects.filter(program=program_for(info, channel)).order_by("name")
        return [SavedSegmentType.build(row) for row in rows[: saved_segments.MAX_PER_PROGRAM]]

    @staticmethod
    @resolver(permission=MANAGE_USERS)
    def resolve_saved_segment_members(_root, info, channel, id, first=20, after=None):
        program = program_for(info, channel)
        saved = saved_segments.get(program, saved_segment_pk(id))
        accounts = saved_segments.members(program, saved.filters)
        page = keyset_page(accounts.select_related("program"), first, after, "member")
        member_insights.remember_page(info, page.rows)
        return connection(
            LoyaltyMemberConnection,
            LoyaltyMemberEdge,
            page,
            node=lambda account: MemberView(
                program=program, account=account, user_id=account.user_id, email=account.email
            ),
        )

    @staticmethod
    @resolver(permission=MANAGE_USERS)
    def resolve_flows(_root, info, channel):
        program = program_for(info, channel)
        saved = {flow.kind: flow for flow in Flow.objects.filter(program=program)}
        return [
            FlowType.build(saved.get(kind) or Flow(program=program, kind=kind)) for kind in FlowKind.values
        ]

    @staticmethod
    @resolver(permission=MANAGE_USERS)
    def resolve_flow_stats(_root, info, channel, kind, since, until):
        for field, moment in (("since", since), ("until", until)):
            if moment.tzinfo is None:
                raise LoyaltyError("Dates need a timezone (e.g. 2026-11-01T00:00:00+02:00).", field)
        _period(since, until, timedelta(days=MAX_DAYS))
        program = program_for(info, channel)
        flow = Flow.objects.filter(program=program, kind=kind).first() or Flow(program=program, kind=kind)
        found = flow_stats.stats(flow, since, until) if flow.pk else flow_stats.EMPTY
        return FlowStatsType(
            started=found.started,
            messaged=found.messaged,
            messages_sent=found.messages_sent,
            converted=found.converted,
            revenue=MoneyType.of(found.revenue, program.currency),
            conversion_rate=_rate(found.conversion_rate),
            holdout=found.holdout,
            holdout_converted=found.holdout_converted,
            holdout_rate=_rate(found.holdout_rate),
            lift=_rate(found.lift),
        )
