"""Authenticating a club API request exactly as Saleor's API does (user JWT or app token), and the
Dashboard app's tokens: a Saleor-signed `thirdparty` JWT counts only when minted for the club's app."""

import graphene
import jwt

from saleor_loyalty.core.facts import Requestor


def _staff_channel_slugs(user) -> frozenset[str] | None:
    """Saleor's channel restriction: any permission group without it reaches every channel, otherwise the
    restricted groups' channels. Superusers, and staff whose permissions were granted directly rather than
    through a group (Saleor's Dashboard never does that), are not restricted (None)."""
    if user.is_superuser:
        return None
    groups = list(user.groups.prefetch_related("channels"))
    if not groups or any(not group.restricted_access_to_channels for group in groups):
        return None
    return frozenset(channel.slug for group in groups for channel in group.channels.all())


def check_third_party_token(request, club_app_identifier: str | None) -> None:
    """A `thirdparty` token (what the Dashboard hands an app, its page, widget or popup) is Saleor-signed
    for one app: the `app` claim must be the club's own app, installed and active. Saleor's generic
    backend would take any app's token as its user; a token minted for another app is refused here.

    Raises `jwt.PyJWTError`; other tokens pass untouched (Saleor's own check follows).
    """
    from saleor.app.models import App
    from saleor.core.auth import get_token_from_request
    from saleor.core.jwt import JWT_THIRDPARTY_ACCESS_TYPE, is_saleor_token, jwt_decode

    token = get_token_from_request(request)
    if not token or not is_saleor_token(token):
        return
    payload = jwt_decode(token)
    if payload.get("type") != JWT_THIRDPARTY_ACCESS_TYPE:
        return
    app = (
        App.objects.not_removed().filter(identifier=club_app_identifier, is_active=True).only("pk").first()
        if club_app_identifier
        else None
    )
    if app is None or payload.get("app") != graphene.Node.to_global_id("App", app.pk):
        raise jwt.InvalidTokenError("This token was issued for another app.")


def requestor_from_request(request, club_app_identifier: str | None = None) -> Requestor:
    """Authenticate exactly as Saleor's API does: a user JWT, or an app token; a `thirdparty` JWT only
    when issued for the club's app (`club_app_identifier`, the manifest id), with its `permissions`.

    Raises `jwt.PyJWTError` for a present but invalid or expired user token.
    """
    from saleor.core.auth_backend import load_user_from_request
    from saleor.graphql.app.dataloaders.utils import get_app_promise

    check_third_party_token(request, club_app_identifier)
    user = load_user_from_request(request)
    if user is not None:
        if not user.is_staff:
            return Requestor(user_id=user.pk, email=user.email)
        return Requestor(
            user_id=user.pk,
            email=user.email,
            is_staff=True,
            permissions=frozenset(p.codename.upper() for p in user.effective_permissions),
            channel_slugs=_staff_channel_slugs(user),
        )
    app = get_app_promise(request).get()
    if app is not None:
        permissions = frozenset(name.split(".", 1)[1].upper() for name in app.get_permissions())
        return Requestor(app_id=app.pk, app_name=app.name, permissions=permissions)
    return Requestor()


def signed_in_user_id(request) -> int | None:
    """The customer a request is signed in as (Saleor's user JWT), or None: anonymous, an app, or a token that
    does not check out (a share link visit is then simply anonymous)."""
    from saleor.core.auth_backend import load_user_from_request

    try:
        user = load_user_from_request(request)
    except jwt.PyJWTError:
        return None
    return user.pk if user is not None else None
