import graphene

from saleor_loyalty import ledger
from saleor_loyalty.graphql.member_types import Member
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.mutations.tier_input import tier_pk
from saleor_loyalty.graphql.resolvers import find_user, member_view, program_for
from saleor_loyalty.tiers import settings as tier_settings


class LoyaltyTierOverride(ClubMutation):
    member = graphene.Field(Member, description="The member with the floor set.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        user_id = graphene.ID(required=True, description="Saleor global ID of the customer.")
        tier_id = graphene.ID(description="The floor tier; null removes the floor.")
        reason = graphene.String(required=True, description="Why (kept in the tier history).")

    class Meta:
        description = "Set a member's manual floor tier (raised at once, never downgraded below it). Requires MANAGE_USERS."

    permission = "MANAGE_USERS"

    @classmethod
    def perform(cls, info, channel, user_id, reason, tier_id=None):
        program = program_for(info, channel)
        user = find_user(user_id=user_id)
        pk = tier_pk(tier_id, "tier_id")
        tier = tier_settings.tier_in_program(program, pk, "tier_id") if pk is not None else None
        account = ledger.account_for(program, user.pk, user.email)
        tier_settings.set_floor(account, tier, reason, info.context.requestor.as_actor())
        return {"member": member_view(program, user)}
