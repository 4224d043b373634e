import graphene
from django.contrib.auth import get_user_model

from saleor_loyalty import ledger
from saleor_loyalty.engagement import bulk_grants
from saleor_loyalty.exceptions import MemberNotFound, TierNotFound
from saleor_loyalty.graphql.actions import BulkGrantType
from saleor_loyalty.graphql.ids import int_pk
from saleor_loyalty.graphql.members import LoyaltyMemberFilterInput
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.members.listing import MemberFilter


def _accounts(program, user_ids):
    if len(user_ids) > bulk_grants.MAX_LISTED:
        raise MemberNotFound(f"List at most {bulk_grants.MAX_LISTED} customers.", "user_ids")
    pks = {int_pk(user_id, "User", "user_ids", MemberNotFound) for user_id in user_ids}
    users = list(get_user_model().objects.filter(pk__in=pks).only("pk", "email"))
    if len(users) != len(pks):
        raise MemberNotFound("Some of the customers do not exist.", "user_ids")
    return [ledger.account_for(program, user.pk, user.email) for user in users]


def _filter(member_filter) -> MemberFilter:
    tier_id = member_filter.get("tier_id")
    return MemberFilter(
        tier_id=int_pk(tier_id, "LoyaltyTier", "filter", TierNotFound) if tier_id else None,
        balance_min=member_filter.get("balance_min"),
        balance_max=member_filter.get("balance_max"),
        last_order_from=member_filter.get("last_order_from"),
        last_order_to=member_filter.get("last_order_to"),
        search=member_filter.get("search") or "",
    )


class LoyaltyBulkGrantCreate(ClubMutation):
    grant = graphene.Field(BulkGrantType, description="The grant: its audit record and progress.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        points = graphene.Int(required=True, description="Points each member gets.")
        reason = graphene.String(required=True, description="Why (1-1000 characters; on every member's row).")
        idempotency_key = graphene.String(
            required=True, description="Retrying with the same key grants once."
        )
        user_ids = graphene.List(
            graphene.NonNull(graphene.ID),
            description=f"Saleor global IDs of the customers (at most {bulk_grants.MAX_LISTED}); or give filter.",
        )
        filter = graphene.Argument(
            LoyaltyMemberFilterInput,
            description="Everyone the member list shows with this filter; or give userIds.",
        )

    class Meta:
        description = (
            "Give points to many members at once with one reason and one audit record (a large filter is "
            "finished by a batch job). Requires MANAGE_USERS."
        )

    permission = "MANAGE_USERS"

    @classmethod
    def perform(cls, info, channel, points, reason, idempotency_key, user_ids=None, filter=None):
        program = program_for(info, channel)
        grant = bulk_grants.start_grant(
            program,
            points,
            reason,
            idempotency_key,
            info.context.requestor.as_actor(),
            accounts=_accounts(program, user_ids) if user_ids is not None else None,
            wanted=_filter(filter) if filter is not None else None,
        )
        return {"grant": grant}
