"""The club's own GraphQL schema (graphene 2), served by the plugin beside Saleor's API."""

import graphene

from .. import checkout_preview
from ..exceptions import CheckoutNotFound, LoyaltyError
from ..members import member_account
from .errors import query_error, require_customer, require_permission
from .early_access import EarlyAccessQueries
from .mutations.birthday_set import LoyaltyBirthdaySet
from .mutations.early_access_mark import LoyaltyEarlyAccessMark
from .mutations.early_access_unmark import LoyaltyEarlyAccessUnmark
from .mutations.points_adjust import LoyaltyPointsAdjust
from .mutations.program_update import LoyaltyProgramUpdate
from .mutations.tier_create import LoyaltyTierCreate
from .mutations.tier_delete import LoyaltyTierDelete
from .mutations.tier_override import LoyaltyTierOverride
from .mutations.tier_update import LoyaltyTierUpdate
from .mutations.redeem_points import LoyaltyRedeemPoints
from .mutations.consent_set import LoyaltyConsentSet
from .mutations.recovery_settings_update import LoyaltyRecoverySettingsUpdate
from .recovery import RecoveryQueries
from .resolvers import checkout_token_from_id, find_user, member_view, program_for
from .types import CheckoutPreviewType, Member, MemberView, Program

MANAGE_USERS = "MANAGE_USERS"
MANAGE_SETTINGS = "MANAGE_SETTINGS"


class Query(RecoveryQueries, EarlyAccessQueries, graphene.ObjectType):
    me = graphene.Field(
        Member, channel=graphene.String(required=True),
        description="The signed-in customer's membership in a channel's club.",
    )
    member = graphene.Field(
        Member, channel=graphene.String(required=True), email=graphene.String(), user_id=graphene.ID(),
        description="A customer's membership. Requires MANAGE_USERS.",
    )
    program = graphene.Field(
        Program, channel=graphene.String(required=True),
        description="A channel's club settings. Requires MANAGE_SETTINGS.",
    )

    checkout_preview = graphene.Field(
        CheckoutPreviewType, checkout_id=graphene.ID(required=True),
        description="What the signed-in customer's checkout earns and how many points it can take.",
    )

    @staticmethod
    def resolve_checkout_preview(_root, info, checkout_id):
        requestor = info.context.requestor
        try:
            require_customer(requestor)
            token = checkout_token_from_id(checkout_id)
            checkout = info.context.cards.checkout(token)
            if checkout is None:
                raise CheckoutNotFound("No open checkout with that id (it may be completed already).")
            program = program_for(info, checkout.channel_slug)
            preview = checkout_preview.preview(program, requestor.user_id, token, info.context.cards)
        except LoyaltyError as error:
            raise query_error(error) from None
        return CheckoutPreviewType.from_preview(preview)

    @staticmethod
    def resolve_me(_root, info, channel):
        requestor = info.context.requestor
        try:
            require_customer(requestor)
            account = member_account(channel, requestor.user_id)
            program = account.program if account else program_for(info, channel)
        except LoyaltyError as error:
            raise query_error(error) from None
        return MemberView(program=program, account=account, user_id=requestor.user_id, email=requestor.email)

    @staticmethod
    def resolve_member(_root, info, channel, email=None, user_id=None):
        try:
            require_permission(info.context.requestor, MANAGE_USERS)
            program = program_for(info, channel)
            return member_view(program, find_user(user_id, email))
        except LoyaltyError as error:
            raise query_error(error) from None

    @staticmethod
    def resolve_program(_root, info, channel):
        try:
            require_permission(info.context.requestor, MANAGE_SETTINGS)
            return program_for(info, channel)
        except LoyaltyError as error:
            raise query_error(error) from None


class Mutation(graphene.ObjectType):
    loyalty_consent_set = LoyaltyConsentSet.Field()
    loyalty_recovery_settings_update = LoyaltyRecoverySettingsUpdate.Field()
    loyalty_points_adjust = LoyaltyPointsAdjust.Field()
    loyalty_program_update = LoyaltyProgramUpdate.Field()
    loyalty_tier_create = LoyaltyTierCreate.Field()
    loyalty_tier_update = LoyaltyTierUpdate.Field()
    loyalty_tier_delete = LoyaltyTierDelete.Field()
    loyalty_tier_override = LoyaltyTierOverride.Field()
    loyalty_birthday_set = LoyaltyBirthdaySet.Field()
    loyalty_redeem_points = LoyaltyRedeemPoints.Field()
    loyalty_early_access_mark = LoyaltyEarlyAccessMark.Field()
    loyalty_early_access_unmark = LoyaltyEarlyAccessUnmark.Field()


schema = graphene.Schema(query=Query, mutation=Mutation, auto_camelcase=True)
