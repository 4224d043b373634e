"""Shared lookups: resolve a channel's program and a customer from API input, as typed errors."""

import uuid

import graphene
from django.contrib.auth import get_user_model

from saleor_loyalty.exceptions import CheckoutNotFound, LoyaltyError, MemberNotFound
from saleor_loyalty.graphql.types import MemberView
from saleor_loyalty.ledger import programs
from saleor_loyalty.members.summary import find_account


def program_for(info, channel: str):
    return programs.get_program(channel, info.context.channel_lookup)


def user_pk_from_global_id(user_id: str) -> int:
    try:
        type_name, pk = graphene.Node.from_global_id(user_id)
        if type_name == "User":
            return int(pk)
    except (ValueError, TypeError, UnicodeDecodeError):
        pass
    raise MemberNotFound(f"Couldn't resolve to a customer: {user_id}", "user_id")


def saleor_pk_from_global_id(global_id: str, type_name: str, field: str) -> int:
    """A Saleor object's numeric id from its global ID ("<Type>:<pk>"), or a typed error on that field."""
    try:
        found_type, pk = graphene.Node.from_global_id(global_id)
        if found_type == type_name:
            return int(pk)
    except (ValueError, TypeError, UnicodeDecodeError):
        pass
    raise LoyaltyError(f"Couldn't resolve to a {type_name}: {global_id}", field)


def checkout_token_from_id(checkout_id: str) -> uuid.UUID:
    """A checkout's token from Saleor's global ID ("Checkout:<token>") or from the bare token."""
    try:
        return uuid.UUID(checkout_id)
    except (ValueError, TypeError, AttributeError):
        pass
    try:
        type_name, token = graphene.Node.from_global_id(checkout_id)
        if type_name == "Checkout":
            return uuid.UUID(token)
    except (ValueError, TypeError, UnicodeDecodeError, AttributeError):
        pass
    raise CheckoutNotFound(f"Couldn't resolve to a checkout: {checkout_id}")


def find_user(user_id: str | None = None, email: str | None = None):
    """A Saleor customer by global ID or email; exactly one of the two."""
    if bool(user_id) == bool(email):
        raise LoyaltyError("Give exactly one of userId and email.", "user_id")
    users = get_user_model().objects
    if user_id:
        user = users.filter(pk=user_pk_from_global_id(user_id)).first()
        field = "userId"
    else:
        user = users.filter(email__iexact=email.strip()).first()
        field = "email"
    if user is None:
        raise MemberNotFound("No customer found.", field)
    return user


def member_view(program, user) -> MemberView:
    return MemberView(
        program=program, account=find_account(program, user_id=user.pk), user_id=user.pk, email=user.email
    )
