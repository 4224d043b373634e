"""Members on the API: the customer's own membership (`me`) and, for staff, one member or the member list."""

from dataclasses import replace

import graphene
from django.utils import timezone
from graphql.language import ast

from saleor_loyalty.exceptions import TierNotFound
from saleor_loyalty.graphql import member_insights
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.ids import int_pk
from saleor_loyalty.graphql.member_page import MemberPage
from saleor_loyalty.graphql.member_types import Member, MemberView
from saleor_loyalty.graphql.membership_types import MembershipFilterEnum
from saleor_loyalty.graphql.pagination import connection, connection_types, keyset_page
from saleor_loyalty.graphql.resolvers import find_user, program_for
from saleor_loyalty.graphql.segment_types import NamedSegmentEnum
from saleor_loyalty.members import listing as member_list
from saleor_loyalty.members.snapshot import member_with_totals, program_with_ladder, with_totals

MANAGE_USERS = "MANAGE_USERS"
TIER_COUNTS = "member_counts_by_tier"  # a request's lists filtered by tier alone share one count per tier

LoyaltyMemberConnection, LoyaltyMemberEdge = connection_types("LoyaltyMember", Member)


class LoyaltyMemberFilterInput(graphene.InputObjectType):
    """Filters of the member list; all given filters apply."""

    tier_id = graphene.ID(description="Members currently in this tier.")
    balance_min = graphene.Int(description="Available-plus-pending balance at least this.")
    balance_max = graphene.Int(description="Available-plus-pending balance at most this.")
    last_order_from = graphene.DateTime(description="Last paid order at or after (timezone required).")
    last_order_to = graphene.DateTime(description="Last paid order before or at (timezone required).")
    search = graphene.String(description="Part of the member's email.")
    membership = MembershipFilterEnum(description="Paid members running now, ended ones, or never paid.")
    segment = NamedSegmentEnum(description="Members currently in this named segment.")


class MemberQueries(graphene.ObjectType):
    me = graphene.Field(
        Member,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        description="The signed-in customer's membership in a channel's club.",
    )
    member = graphene.Field(
        Member,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        email=graphene.String(description="The customer's email (or give userId)."),
        user_id=graphene.ID(description="The customer's Saleor global ID (or give email)."),
        description="A customer's membership. Requires MANAGE_USERS.",
    )
    members = graphene.Field(
        LoyaltyMemberConnection,
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        filter=graphene.Argument(LoyaltyMemberFilterInput, description="Narrow the list."),
        first=graphene.Int(default_value=20, description="How many rows, 1 to 100."),
        after=graphene.String(description="`pageInfo.endCursor` of the previous page."),
        description="The channel's members, newest first, with filters; cursor pages. Requires MANAGE_USERS.",
    )

    @staticmethod
    @resolver(customer=True)
    def resolve_me(_root, info, channel):
        """Three queries with a history page: program with ladder and names, account with totals, page."""
        requestor = info.context.requestor
        return _member(info, _program(info, channel), requestor.user_id, requestor.email)

    @staticmethod
    @resolver(permission=MANAGE_USERS)
    def resolve_member(_root, info, channel, email=None, user_id=None):
        program = _program(info, channel)
        user = find_user(user_id, email)
        return _member(info, program, user.pk, user.email)

    @staticmethod
    @resolver(permission=MANAGE_USERS)
    def resolve_members(_root, info, channel, filter=None, first=20, after=None):
        filter = filter or {}
        program = _program(info, channel)
        tier_id = filter.get("tier_id")
        wanted = member_list.MemberFilter(
            tier_id=int_pk(tier_id, "LoyaltyTier", "filter", TierNotFound) if tier_id else None,
            balance_min=filter.get("balance_min"),
            balance_max=filter.get("balance_max"),
            last_order_from=filter.get("last_order_from"),
            last_order_to=filter.get("last_order_to"),
            search=filter.get("search") or "",
            membership=filter.get("membership"),
            segment=filter.get("segment") or "",
        )
        accounts = member_list.members(program, wanted)
        counted = info.context.loaders.setdefault(TIER_COUNTS, {})
        total = member_list.tier_filtered_count(program, wanted, counted)
        rows = with_totals(accounts, program, timezone.now())
        page = keyset_page(rows, first, after, "member", count=total is None)
        if total is not None:
            page = replace(page, total_count=total)
        members = MemberPage(program, page.rows)
        member_insights.remember_page(info, page.rows)
        return connection(
            LoyaltyMemberConnection,
            LoyaltyMemberEdge,
            page,
            node=lambda account: MemberView(
                program=program, account=account, user_id=account.user_id, email=account.email, page=members
            ),
        )


def _selected(info) -> set[str]:
    """Names of the fields asked for directly under this one, through fragments."""
    names, seen, pending = set(), set(), [info.field_asts[0].selection_set]
    while pending:
        selection_set = pending.pop()
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, ast.Field):
                names.add(selection.name.value)
            elif isinstance(selection, ast.FragmentSpread):
                if selection.name.value not in seen and selection.name.value in info.fragments:
                    seen.add(selection.name.value)
                    pending.append(info.fragments[selection.name.value].selection_set)
            else:
                pending.append(selection.selection_set)
    return names


def _program(info, channel: str):
    """The program with its ladder and tier names in one query (created the ordinary way when new)."""
    return program_with_ladder(channel) or program_for(info, channel)


def _member(info, program, user_id: int, email: str) -> MemberView:
    """A customer's membership; their history's size and tier progress ride along when asked for."""
    wanted = _selected(info)
    account = member_with_totals(
        program,
        user_id,
        timezone.now(),
        history="transactions" in wanted,
        qualification=bool(wanted & {"progress", "retainBy"}),
    )
    return MemberView(program=program, account=account, user_id=user_id, email=email)
