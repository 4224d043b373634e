"""Stand-in tokens shaped like Saleor's: `thirdparty` for the app (with `app` and `permissions` claims),
`access` for a shopper. HS256 with this process's secret instead of Saleor's RS256 key; the check is the
same rule the plugin applies in `saleor_adapter.auth`: a `thirdparty` token counts only for the club's app,
and then only with the permissions it carries."""

import time

import graphene
import jwt
from django.conf import settings
from django.contrib.auth import get_user_model

from saleor_loyalty.core.facts import Requestor

CLUB_APP_ID = graphene.Node.to_global_id("App", 1)
OTHER_APP_ID = graphene.Node.to_global_id("App", 2)
TTL_SECONDS = 300  # Saleor's JWT_TTL_APP_ACCESS


def mint_app_token(user, permissions: list[str], app_id: str = CLUB_APP_ID) -> str:
    now = int(time.time())
    claims = {
        "iat": now,
        "exp": now + TTL_SECONDS,
        "iss": "standalone",
        "owner": "saleor",
        "type": "thirdparty",
        "email": user.email,
        "user_id": graphene.Node.to_global_id("User", user.pk),
        "is_staff": True,
        "app": app_id,
        "permissions": permissions,
        "user_permissions": permissions,
    }
    return jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256")


def mint_customer_token(user) -> str:
    now = int(time.time())
    claims = {
        "iat": now,
        "exp": now + TTL_SECONDS,
        "owner": "saleor",
        "type": "access",
        "email": user.email,
        "user_id": graphene.Node.to_global_id("User", user.pk),
    }
    return jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256")


def requestor_from_request(request) -> Requestor:
    """Raises PermissionError (the endpoint's 401) for a bad token or another app's token."""
    header = request.META.get("HTTP_AUTHORIZATION", "").split(maxsplit=1)
    if len(header) != 2 or header[0].lower() not in ("bearer", "jwt"):
        return Requestor()
    try:
        claims = jwt.decode(header[1], settings.SECRET_KEY, algorithms=["HS256"])
    except jwt.PyJWTError as error:
        raise PermissionError(f"Invalid token: {error}") from None
    _type, pk = graphene.Node.from_global_id(claims["user_id"])
    user = get_user_model().objects.filter(pk=int(pk), email=claims["email"]).first()
    if user is None:
        raise PermissionError("Invalid token: no such user.")
    if claims.get("type") == "thirdparty":
        if claims.get("app") != CLUB_APP_ID:
            raise PermissionError("Invalid token: This token was issued for another app.")
        return Requestor(
            user_id=user.pk,
            email=user.email,
            is_staff=True,
            permissions=frozenset(claims.get("permissions") or ()),
        )
    if claims.get("type") == "access":
        return Requestor(user_id=user.pk, email=user.email)
    raise PermissionError("Invalid token: unknown type.")
