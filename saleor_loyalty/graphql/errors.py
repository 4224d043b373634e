"""Errors in Saleor's style: mutations answer `errors { field message code }`, queries raise coded errors.

Every query resolver goes through `resolver(...)`: it checks the caller first (a Saleor permission in
the channel asked for, or a signed-in customer) and turns domain errors into coded GraphQL errors.
"""

import functools

import graphene
from graphene.utils.str_converters import to_camel_case
from graphql.error import GraphQLError

from saleor_loyalty.error_codes import LoyaltyErrorCode
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.graphql.enums import LoyaltyErrorCodeEnum


class LoyaltyErrorType(graphene.ObjectType):
    """A problem with a mutation's input."""

    field = graphene.String(description="The input field the error is about; null for the whole request.")
    message = graphene.String(required=True, description="What went wrong, for people.")
    code = LoyaltyErrorCodeEnum(required=True, description="What went wrong, for programs.")

    class Meta:
        name = "LoyaltyError"


def api_field(error: LoyaltyError) -> str | None:
    """The engine names fields in snake_case; the API names them as its arguments are named."""
    return to_camel_case(error.field) if error.field else None


def error_list(error: LoyaltyError) -> list[LoyaltyErrorType]:
    return [LoyaltyErrorType(field=api_field(error), message=error.message, code=error.code.value)]


def query_error(error: LoyaltyError) -> GraphQLError:
    return GraphQLError(
        error.message, extensions={"exception": {"code": error.code.name, "field": api_field(error)}}
    )


class PermissionDenied(LoyaltyError):
    """The caller lacks the Saleor permission this operation needs."""

    code = LoyaltyErrorCode.PERMISSION_DENIED


class Unauthenticated(LoyaltyError):
    """Only a signed-in customer has a membership to show."""

    code = LoyaltyErrorCode.UNAUTHENTICATED


def require_permission(requestor, permission: str, channel: str) -> None:
    """A Saleor permission, in a channel the caller's permission groups reach (Saleor's channel restriction)."""
    if requestor.is_anonymous or not requestor.has_perm(permission):
        raise PermissionDenied(f"You need the {permission} permission.")
    if not requestor.reaches_channel(channel):
        raise PermissionDenied(f"Your permission groups don't reach channel '{channel}'.")


def require_customer(requestor) -> None:
    if requestor.user_id is None:
        raise Unauthenticated("Sign in to see your club membership.")


def resolver(permission: str = "", customer: bool = False):
    """A query resolver that authorizes its caller before anything else and answers domain errors coded."""

    def wrap(resolve):
        @functools.wraps(resolve)
        def resolved(root, info, **args):
            try:
                if permission:
                    require_permission(info.context.requestor, permission, args["channel"])
                if customer:
                    require_customer(info.context.requestor)
                return resolve(root, info, **args)
            except LoyaltyError as error:
                raise query_error(error) from None

        return resolved

    return wrap
