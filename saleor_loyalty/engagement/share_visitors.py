"""Who visited a share link, without keeping who they are: a visitor id (the signed-in account, or a random id
in a signed first-party cookie) and the IP, each kept only as an HMAC with the deployment's secret.

Invariant: a visit credits its sharer only when neither its visitor hash nor its IP hash was seen on that link
before, nor for that sharer within the share action's widest capped window, so clearing cookies (a new id
from the same address) or rotating addresses (the same cookie) earns nothing. The check runs under the
sharer's account lock; per link the database's unique constraints are the backstop.
"""

import hashlib
import hmac
import secrets
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.db.models import Q

from saleor_loyalty.core.clock import day_and_month_starts
from saleor_loyalty.models import ClubAction, ShareLink, ShareVisit

COOKIE = "loyalty_share_vid"
COOKIE_SALT = "saleor_loyalty.share.visitor"
COOKIE_PATH = "/plugins/global/saleor.loyalty/share/"
COOKIE_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie


def _keyed(text: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def cookie_id(request) -> tuple[str, bool]:
    """(the visitor's cookie id, whether it is new): a missing or tampered cookie gets a fresh random id."""
    raw = request.COOKIES.get(COOKIE, "")
    if raw:
        try:
            return signing.Signer(salt=COOKIE_SALT, algorithm="sha256").unsign(raw), False
        except signing.BadSignature:
            pass
    return secrets.token_urlsafe(18), True


def set_cookie(response, visitor_id: str, *, secure: bool) -> None:
    signed = signing.Signer(salt=COOKIE_SALT, algorithm="sha256").sign(visitor_id)
    response.set_cookie(
        COOKIE, signed, max_age=COOKIE_AGE, path=COOKIE_PATH, secure=secure, httponly=True, samesite="Lax"
    )


def visitor_key(user_id: int | None, visitor_id: str) -> str:
    """The signed-in account when there is one (a cookie is per browser, the account is the person), else
    the cookie's id; "" for neither (nothing to tell this visitor from the next: no credit)."""
    if user_id is not None:
        return _keyed(f"share-user:{user_id}")
    return _keyed(f"share-cookie:{visitor_id}") if visitor_id else ""


def window_start(action: ClubAction, now: datetime) -> datetime | None:
    """The widest window the share action caps: none (for ever) with a lifetime cap or no cap at all."""
    if action.cap_lifetime is not None or (action.cap_per_month is None and action.cap_per_day is None):
        return None
    starts = day_and_month_starts(now, action.program.timezone)
    return starts["month_from"] if action.cap_per_month is not None else starts["day_from"]


def seen(link: ShareLink, visitor: str, ip_hash: str, since: datetime | None) -> bool:
    """This visitor or address already credited this link, or this sharer since `since` (None: ever)."""
    same = Q(visitor_hash=visitor) | Q(ip_hash=ip_hash)
    scope = ShareVisit.objects.filter(sharer_id=link.account_id)
    if since is not None:
        scope = scope.filter(Q(link=link) | Q(created_at__gte=since))
    return scope.filter(same).exists()


def record(link: ShareLink, visitor: str, ip_hash: str, now: datetime) -> ShareVisit:
    return ShareVisit.objects.create(
        link=link, sharer_id=link.account_id, visitor_hash=visitor, ip_hash=ip_hash, created_at=now
    )
