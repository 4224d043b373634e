"""Authenticating a club API request exactly as Saleor's API does (user JWT or app token)."""

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


def requestor_from_request(request) -> Requestor:
    """Authenticate exactly as Saleor's API does: a user JWT, or an app token.

    Raises `jwt.PyJWTError` for a present but invalid or expired user token.
    """
    from saleor.core.auth_backend import load_user_from_request
    from saleor.graphql.app.dataloaders.utils import get_app_promise

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
