import graphene

from saleor_loyalty.engagement import referrals
from saleor_loyalty.exceptions import CheckoutNotFound
from saleor_loyalty.graphql.ids import uuid_pk
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.referrals import ReferralType
from saleor_loyalty.graphql.resolvers import program_for

MAX_CODE = 32


class LoyaltyReferralApply(ClubMutation):
    referral = graphene.Field(ReferralType, description="The checkout's referral.")
    voucher_code = graphene.String(
        description="The friend's single-use welcome voucher; null where the program gives points instead."
    )
    voucher_applied = graphene.Boolean(
        description="The welcome voucher is on the checkout now. False when the customer's own code is there "
        "(never replaced: offer them the choice) or Saleor does not accept it for this cart yet.",
    )

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        checkout_id = graphene.ID(
            required=True, description="The checkout's Saleor global ID or its token (for a guest checkout)."
        )
        code = graphene.String(
            required=True, description="The member's referral code, as typed (at most 32)."
        )

    class Meta:
        description = (
            "A friend arrives with a member's referral code: the checkout is recorded as referred and, where the "
            "program gives one, gets a single-use welcome voucher. Callable by the checkout's customer or, for a "
            "guest checkout, by anyone holding its token (as Saleor's checkout mutations are). Codes a first "
            "order cannot use (the member's own, an existing customer's, a loop) answer REFERRAL_NOT_ELIGIBLE."
        )

    @classmethod
    def authorize(cls, requestor, channel: str) -> None:
        """Ownership of the checkout is checked by the engine against the checkout itself."""

    @classmethod
    def perform(cls, info, channel, checkout_id, code):
        if len(code) > MAX_CODE:
            raise referrals.ReferralCodeNotFound("No such referral code in this shop.", "code")
        program = program_for(info, channel)
        token = uuid_pk(checkout_id, "Checkout", "checkout_id", CheckoutNotFound)
        referral, applied = referrals.apply_code(
            program, token, code, info.context.requestor, info.context.referrals
        )
        return {
            "referral": referral,
            "voucher_code": referral.voucher_code or None,
            "voucher_applied": applied,
        }
