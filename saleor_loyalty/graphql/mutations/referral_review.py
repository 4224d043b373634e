import graphene

from saleor_loyalty.engagement import referral_rewards
from saleor_loyalty.graphql.ids import int_pk
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.referrals import StaffReferralType
from saleor_loyalty.graphql.resolvers import program_for


class LoyaltyReferralReview(ClubMutation):
    referral = graphene.Field(StaffReferralType, description="The referral after the review.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        id = graphene.ID(required=True, description="Global ID of a referral held for review.")
        approve = graphene.Boolean(required=True, description="True counts it; false rejects it.")
        reason = graphene.String(description="Why (required to reject; at most 500 characters).")

    class Meta:
        description = (
            "Approve or reject a referral held for review. Approved, it is rewarded when its pending period is "
            "over (at once if it already is); rejected, the reason is recorded. Requires MANAGE_USERS."
        )

    permission = "MANAGE_USERS"

    @classmethod
    def perform(cls, info, channel, id, approve, reason=None):
        referral_id = int_pk(id, "LoyaltyReferral", "id", referral_rewards.ReferralNotFound)
        referral = referral_rewards.review(
            program_for(info, channel),
            referral_id,
            approve,
            reason or "",
            info.context.requestor.as_actor(),
            cards=info.context.cards,
        )
        return {"referral": referral}
