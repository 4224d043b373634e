import graphene

from saleor_loyalty import ledger
from saleor_loyalty.graphql.member_types import LoyaltyTransaction, Member
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import find_user, member_view, program_for


class LoyaltyPointsAdjust(ClubMutation):
    member = graphene.Field(Member, description="The member after the adjustment.")
    transaction = graphene.Field(LoyaltyTransaction, description="The ledger row the adjustment wrote.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        user_id = graphene.ID(required=True, description="Saleor global ID of the customer.")
        points = graphene.Int(required=True, description="Positive to add, negative to deduct.")
        reason = graphene.String(
            required=True, description="Why (kept on the ledger row as an audit record)."
        )
        idempotency_key = graphene.String(description="Retrying with the same key adjusts once.")

    class Meta:
        description = "Add or deduct a member's points with a reason. Requires MANAGE_USERS."

    permission = "MANAGE_USERS"

    @classmethod
    def perform(cls, info, channel, user_id, points, reason, idempotency_key=None):
        program = program_for(info, channel)
        user = find_user(user_id=user_id)
        account = ledger.account_for(program, user.pk, user.email)
        entry = ledger.adjust_points(
            account, points, reason, info.context.requestor.as_actor(), idempotency_key
        )
        return {"member": member_view(program, user), "transaction": entry}
