"""Shared lookups: resolve a channel's program and a customer from API input, as typed errors."""

from django.contrib.auth import get_user_model

from saleor_loyalty.exceptions import LoyaltyError, MemberNotFound
from saleor_loyalty.graphql.ids import int_pk
from saleor_loyalty.graphql.member_types import MemberView
from saleor_loyalty.ledger import programs
from saleor_loyalty.members.summary import find_account


def program_for(info, channel: str):
    return programs.get_program(channel, info.context.channel_lookup)


def find_user(user_id: str | None = None, email: str | None = None):
    """A Saleor customer by global ID or email; exactly one of the two."""
    if bool(user_id) == bool(email):
        raise LoyaltyError("Give exactly one of userId and email.", "user_id")
    users = get_user_model().objects
    if user_id:
        user = users.filter(pk=int_pk(user_id, "User", "user_id", MemberNotFound)).first()
        field = "user_id"
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
