"""The club's own GraphQL schema (graphene 2), served by the plugin beside Saleor's API."""

import graphene

from saleor_loyalty.benefits import checkout as checkout_benefits
from saleor_loyalty.exceptions import CheckoutNotFound, LoyaltyError
from saleor_loyalty.graphql.early_access import EarlyAccessQueries
from saleor_loyalty.graphql.errors import query_error, require_customer, require_permission
from saleor_loyalty.graphql.mutations.birthday_set import LoyaltyBirthdaySet
from saleor_loyalty.graphql.mutations.club_shipping_set import LoyaltyClubShippingMethodsSet
from saleor_loyalty.graphql.mutations.consent_set import LoyaltyConsentSet
from saleor_loyalty.graphql.mutations.early_access_mark import LoyaltyEarlyAccessMark
from saleor_loyalty.graphql.mutations.early_access_unmark import LoyaltyEarlyAccessUnmark
from saleor_loyalty.graphql.mutations.points_adjust import LoyaltyPointsAdjust
from saleor_loyalty.graphql.mutations.program_update import LoyaltyProgramUpdate
from saleor_loyalty.graphql.mutations.recovery_settings_update import LoyaltyRecoverySettingsUpdate
from saleor_loyalty.graphql.mutations.redeem_points import LoyaltyRedeemPoints
from saleor_loyalty.graphql.mutations.tier_create import LoyaltyTierCreate
from saleor_loyalty.graphql.mutations.tier_delete import LoyaltyTierDelete
from saleor_loyalty.graphql.mutations.tier_input import tier_pk
from saleor_loyalty.graphql.mutations.tier_override import LoyaltyTierOverride
from saleor_loyalty.graphql.mutations.tier_update import LoyaltyTierUpdate
from saleor_loyalty.graphql.recovery import RecoveryQueries
from saleor_loyalty.graphql.resolvers import checkout_token_from_id, find_user, member_view, program_for
from saleor_loyalty.graphql.types import (
    CheckoutPreviewType,
    LoyaltyMemberConnection,
    Member,
    MemberView,
    Program,
    members_page,
)
from saleor_loyalty.members import listing as member_list
from saleor_loyalty.members.summary import member_account
from saleor_loyalty.rewards import checkout_preview


class LoyaltyMemberFilterInput(graphene.InputObjectType):
    tier_id = graphene.ID(description="Members currently in this tier.")
    balance_min = graphene.Int(description="Available-plus-pending balance at least this.")
    balance_max = graphene.Int()
    last_order_from = graphene.DateTime(description="Last paid order at or after (timezone required).")
    last_order_to = graphene.DateTime()
    search = graphene.String(description="Part of the member's email.")


MANAGE_USERS = "MANAGE_USERS"
MANAGE_SETTINGS = "MANAGE_SETTINGS"


class Query(RecoveryQueries, EarlyAccessQueries, graphene.ObjectType):
    me = graphene.Field(
        Member,
        channel=graphene.String(required=True),
        description="The signed-in customer's membership in a channel's club.",
    )
    member = graphene.Field(
        Member,
        channel=graphene.String(required=True),
        email=graphene.String(),
        user_id=graphene.ID(),
        description="A customer's membership. Requires MANAGE_USERS.",
    )
    members = graphene.Field(
        LoyaltyMemberConnection,
        required=True,
        channel=graphene.String(required=True),
        filter=graphene.Argument(LoyaltyMemberFilterInput),
        first=graphene.Int(default_value=20),
        after=graphene.String(),
        description="The channel's members, newest first, with filters; cursor pages. Requires MANAGE_USERS.",
    )
    program = graphene.Field(
        Program,
        channel=graphene.String(required=True),
        description="A channel's club settings. Requires MANAGE_SETTINGS.",
    )

    club_shipping_method_ids = graphene.List(
        graphene.NonNull(graphene.ID),
        required=True,
        channel=graphene.String(required=True),
        description="Saleor shipping methods only free-shipping tiers may complete an order with: a storefront "
        "shows them only to members whose tier has freeShipping. Public.",
    )
    checkout_preview = graphene.Field(
        CheckoutPreviewType,
        checkout_id=graphene.ID(required=True),
        description="What the signed-in customer's checkout earns and how many points it can take.",
    )

    @staticmethod
    def resolve_club_shipping_method_ids(_root, info, channel):
        try:
            program = program_for(info, channel)
        except LoyaltyError as error:
            raise query_error(error) from None
        return [
            graphene.Node.to_global_id("ShippingMethod", pk)
            for pk in checkout_benefits.club_shipping_method_ids(program)
        ]

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
    def resolve_members(_root, info, channel, filter=None, first=20, after=None):
        filter = filter or {}
        try:
            require_permission(info.context.requestor, MANAGE_USERS, channel)
            program = program_for(info, channel)
            accounts = member_list.members(
                program,
                member_list.MemberFilter(
                    tier_id=tier_pk(filter.get("tier_id"), "filter"),
                    balance_min=filter.get("balance_min"),
                    balance_max=filter.get("balance_max"),
                    last_order_from=filter.get("last_order_from"),
                    last_order_to=filter.get("last_order_to"),
                    search=filter.get("search") or "",
                ),
            )
            return members_page(program, accounts, first, after)
        except ValueError as error:
            raise query_error(LoyaltyError(str(error), "after")) from None
        except LoyaltyError as error:
            raise query_error(error) from None

    @staticmethod
    def resolve_member(_root, info, channel, email=None, user_id=None):
        try:
            require_permission(info.context.requestor, MANAGE_USERS, channel)
            program = program_for(info, channel)
            return member_view(program, find_user(user_id, email))
        except LoyaltyError as error:
            raise query_error(error) from None

    @staticmethod
    def resolve_program(_root, info, channel):
        try:
            require_permission(info.context.requestor, MANAGE_SETTINGS, channel)
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
    loyalty_club_shipping_methods_set = LoyaltyClubShippingMethodsSet.Field()
    loyalty_early_access_mark = LoyaltyEarlyAccessMark.Field()
    loyalty_early_access_unmark = LoyaltyEarlyAccessUnmark.Field()


schema = graphene.Schema(query=Query, mutation=Mutation, auto_camelcase=True)
