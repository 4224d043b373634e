"""The club's own GraphQL schema (graphene 2), served by the plugin beside Saleor's API."""

import graphene

from ..exceptions import LoyaltyError
from ..members import find_account
from .errors import query_error, require_customer, require_permission
from .mutations.consent_set import LoyaltyConsentSet
from .mutations.points_adjust import LoyaltyPointsAdjust
from .mutations.program_update import LoyaltyProgramUpdate
from .mutations.recovery_settings_update import LoyaltyRecoverySettingsUpdate
from .recovery import RecoveryQueries
from .resolvers import find_user, member_view, program_for
from .types import Member, MemberView, Program

MANAGE_USERS = "MANAGE_USERS"
MANAGE_SETTINGS = "MANAGE_SETTINGS"


class Query(RecoveryQueries, graphene.ObjectType):
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

    @staticmethod
    def resolve_me(_root, info, channel):
        requestor = info.context.requestor
        try:
            require_customer(requestor)
            program = program_for(info, channel)
        except LoyaltyError as error:
            raise query_error(error) from None
        return MemberView(program=program, account=find_account(program, user_id=requestor.user_id),
                          user_id=requestor.user_id, email=requestor.email)

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


schema = graphene.Schema(query=Query, mutation=Mutation, auto_camelcase=True)
