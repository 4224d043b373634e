"""Saleor's `User` and `Order` as the club extends them when it serves as a federation subgraph.

Invariant: a representation is only a key and reveals nothing by itself. `User.loyalty` answers for
the token's own user, or staff and apps with MANAGE_USERS reaching the channel (exactly as `me` and
`member`); `Order.loyalty` for the order's customer, or MANAGE_ORDERS reaching the order's channel.
Anyone else gets null and a coded error, and nothing is read about the member before that check.
"""

from dataclasses import dataclass
from uuid import UUID

import graphene
from django.contrib.auth import get_user_model

from saleor_loyalty.error_codes import LoyaltyErrorCode
from saleor_loyalty.exceptions import LoyaltyError, MemberNotFound
from saleor_loyalty.graphql.errors import PermissionDenied, Unauthenticated, require_permission, resolver
from saleor_loyalty.graphql.federation import EntityRegistry, federation_queries
from saleor_loyalty.graphql.ids import int_pk, to_global_id, uuid_pk
from saleor_loyalty.graphql.member_types import Member, MemberView
from saleor_loyalty.graphql.money import MoneyType
from saleor_loyalty.graphql.resolvers import member_view, program_for
from saleor_loyalty.members.order_rewards import order_rewards
from saleor_loyalty.members.summary import member_account

MANAGE_USERS = "MANAGE_USERS"
MANAGE_ORDERS = "MANAGE_ORDERS"


class OrderNotFound(LoyaltyError):
    """Staff asked about an order Saleor does not have."""

    code = LoyaltyErrorCode.NOT_FOUND


@dataclass(frozen=True)
class UserReference:
    pk: int


@dataclass(frozen=True)
class OrderReference:
    order_id: UUID


club_entities = EntityRegistry()


def user_reference(key: dict) -> UserReference:
    return UserReference(int_pk(key["id"], "User", "representations"))


def order_reference(key: dict) -> OrderReference:
    return OrderReference(uuid_pk(key["id"], "Order", "representations"))


class OrderRewardsType(graphene.ObjectType):
    """What one order brought its customer, from the club's own records of it."""

    points_earned = graphene.Int(required=True, description="Points the order earned when it was paid.")
    points_reversed = graphene.Int(
        required=True, description="Earned points taken back by refunds or a cancellation of the order."
    )
    points_redeemed = graphene.Int(
        required=True, description="Points the customer redeemed on the checkout this order came from."
    )
    cashback_earned = graphene.Field(
        MoneyType, required=True, description="Cashback the order earned (pending until credited)."
    )
    cashback_reversed = graphene.Field(
        MoneyType, required=True, description="Cashback taken back by refunds or a cancellation."
    )
    credit_redeemed = graphene.Field(
        MoneyType, required=True, description="Store credit the redeemed points became on that checkout."
    )

    class Meta:
        name = "LoyaltyOrderRewards"


@club_entities.entity("id", UserReference, user_reference)
class UserEntity(graphene.ObjectType):
    """A Saleor user (Saleor's API owns it); the club adds the user's membership in a channel's club."""

    id = graphene.ID(required=True, description="Saleor's global ID of the user.")
    loyalty = graphene.Field(
        Member,
        channel=graphene.String(required=True, description="Slug of the channel whose club to show."),
        description="The user's club membership, as `me` shows it: the user themselves, or staff "
        "and apps with MANAGE_USERS in that channel.",
    )

    class Meta:
        name = "User"

    @staticmethod
    def resolve_id(root: UserReference, _info):
        return to_global_id("User", root.pk)

    @staticmethod
    @resolver()
    def resolve_loyalty(root: UserReference, info, channel):
        requestor = info.context.requestor
        if requestor.is_anonymous:
            raise Unauthenticated("Sign in to see a club membership.")
        if requestor.user_id == root.pk:
            account = member_account(channel, root.pk)
            program = account.program if account else program_for(info, channel)
            return MemberView(program=program, account=account, user_id=root.pk, email=requestor.email)
        require_permission(requestor, MANAGE_USERS, channel)
        user = get_user_model().objects.filter(pk=root.pk).first()
        if user is None:
            raise MemberNotFound("No customer found.", "representations")
        return member_view(program_for(info, channel), user)


@club_entities.entity("id", OrderReference, order_reference)
class OrderEntity(graphene.ObjectType):
    """A Saleor order (Saleor's API owns it); the club adds the points and cashback it brought."""

    id = graphene.ID(required=True, description="Saleor's global ID of the order.")
    loyalty = graphene.Field(
        OrderRewardsType,
        description="Points and cashback of this order: its customer, or staff and apps with "
        "MANAGE_ORDERS in the order's channel.",
    )

    class Meta:
        name = "Order"

    @staticmethod
    def resolve_id(root: OrderReference, _info):
        return to_global_id("Order", root.order_id)

    @staticmethod
    @resolver()
    def resolve_loyalty(root: OrderReference, info):
        requestor = info.context.requestor
        if requestor.is_anonymous:
            raise Unauthenticated("Sign in to see an order's points.")
        lookup = info.context.orders
        owner = lookup(root.order_id) if lookup else None
        is_customer = owner is not None and owner.user_id is not None and owner.user_id == requestor.user_id
        if not is_customer:
            if not requestor.has_perm(MANAGE_ORDERS):
                # the same answer whether the order is missing or someone else's
                raise PermissionDenied(f"You need the {MANAGE_ORDERS} permission.")
            if owner is None:
                raise OrderNotFound("No order found.", "representations")
            require_permission(requestor, MANAGE_ORDERS, owner.channel_slug)
        rewards = order_rewards(root.order_id, owner.checkout_token, owner.currency)
        return OrderRewardsType(
            points_earned=rewards.points_earned,
            points_reversed=rewards.points_reversed,
            points_redeemed=rewards.points_redeemed,
            cashback_earned=MoneyType.of(rewards.cashback_earned, rewards.currency),
            cashback_reversed=MoneyType.of(rewards.cashback_reversed, rewards.currency),
            credit_redeemed=MoneyType.of(rewards.credit_redeemed, rewards.currency),
        )


# Saleor's API owns the root `me` (a User); through a gateway the club's membership is `me { loyalty }`.
FederationQueries = federation_queries(club_entities, left_to_other_subgraphs=("me",))
