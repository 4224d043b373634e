import graphene

from ... import redemption
from ...exceptions import LoyaltyError
from ...members import find_account
from ..errors import error_list, require_customer
from ..resolvers import checkout_token_from_id, program_for
from ..types import Member, MemberView, MoneyType
from .base import ClubMutation


class LoyaltyRedeemPoints(ClubMutation):
    requested_points = graphene.Int(description="What was asked for.")
    applied_points = graphene.Int(description="What was redeemed after the program's per-checkout cap.")
    value = graphene.Field(MoneyType, description="Credit put on the member's card and applied to the checkout.")
    clamped_by = graphene.String(description="Why fewer points were applied than asked ('max_share'), or null.")
    member = graphene.Field(Member)

    class Arguments:
        channel = graphene.String(required=True)
        checkout_id = graphene.ID(required=True)
        points = graphene.Int(required=True)
        request_key = graphene.String(
            required=True, description="Chosen by the storefront per attempt; repeating it redeems once.")

    class Meta:
        description = (
            "Redeem the signed-in customer's points on their checkout: the value goes on their personal "
            "store-credit gift card, which is applied to the checkout so Saleor charges less."
        )

    @classmethod
    def mutate(cls, _root, info, **data):
        """Customers only (no staff permission applies): the points and the checkout must be the caller's own."""
        try:
            require_customer(info.context.requestor)
            return cls(errors=[], **cls.perform(info, **data))
        except LoyaltyError as error:
            return cls(errors=error_list(error))

    @classmethod
    def perform(cls, info, channel, checkout_id, points, request_key):
        requestor = info.context.requestor
        program = program_for(info, channel)
        result = redemption.redeem(program, requestor.user_id, checkout_token_from_id(checkout_id), points,
                                   request_key, info.context.cards)
        return {
            "requested_points": result.requested, "applied_points": result.applied,
            "value": MoneyType.from_money(result.value), "clamped_by": result.clamped_by,
            "member": MemberView(program=program, account=find_account(program, user_id=requestor.user_id),
                                 user_id=requestor.user_id, email=requestor.email),
        }
