"""Share links: a member's signed link to a storefront page, whose first visits by other people credit them.

Invariants: a link redirects only under the program's configured storefront base, to the path it was made
for (the token names a stored link, it carries no URL, so nothing a visitor changes can send anyone
elsewhere: a tampered token is a 404). The sharer's own visits never count: signed in, they are known by
account from any address; the keyed hashes of where they asked for the link from (or visited it signed in)
are kept on it, and an anonymous visit from one of them credits nothing. Anyone else is a visitor id (their
account, or a random id in a signed first-party cookie) and an IP, both kept only as keyed hashes; a visit
credits only when neither was seen (per link ever, per sharer within the share action's widest capped
window: `share_visitors`), within the action's caps.
"""

import hashlib
import hmac
import re
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.http import HttpResponseNotFound, HttpResponseRedirect
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.engagement import actions, share_visitors
from saleor_loyalty.engagement.catalogue import find_action
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.messages.config import public_url
from saleor_loyalty.models import ActionSettings, BuiltinAction, LoyaltyAccount, ShareLink

SALT = "saleor_loyalty.share"
PATH_PREFIX = "/share/"
URL_PREFIX = "/plugins/global/saleor.loyalty/share/"
MAX_TARGET = 500
MAX_OWNER_HASHES = 20
# Link previews and crawlers fetch shared links by themselves; they are nobody's friend.
ROBOTS = re.compile(r"bot|crawl|spider|preview|facebookexternalhit|whatsapp|slurp|curl|wget", re.IGNORECASE)


class InvalidShareTarget(LoyaltyError):
    """The page to share must be a path on the program's storefront."""


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, algorithm="sha256")


def visitor_hash(ip: str) -> str:
    """Keyed with the deployment's secret: the same visitor maps to the same value, the address is not kept."""
    return hmac.new(settings.SECRET_KEY.encode(), f"share-visitor:{ip}".encode(), hashlib.sha256).hexdigest()


def clean_target(target) -> str:
    """A path on the storefront: one leading '/', no scheme or host, no backslash or control characters."""
    if not isinstance(target, str) or not 0 < len(target) <= MAX_TARGET:
        raise InvalidShareTarget(f"A path of 1-{MAX_TARGET} characters.", "target")
    parts = urlsplit(target)
    if (
        not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or parts.scheme
        or parts.netloc
        or any(ord(char) < 33 or ord(char) == 127 for char in target)
    ):
        raise InvalidShareTarget("Give a path on the storefront, such as /products/blue-shirt/.", "target")
    return target


def storefront_base(program) -> str:
    base = (
        ActionSettings.objects.filter(program=program).values_list("storefront_url", flat=True).first() or ""
    )
    parts = urlsplit(base)
    return base.rstrip("/") if parts.scheme in ("http", "https") and parts.netloc else ""


def share_link(account: LoyaltyAccount, target: str, ip: str) -> tuple[ShareLink, str]:
    """The member's link to `target` (made once per target) and its URL; remembers where they asked from."""
    target = clean_target(target)
    if not storefront_base(account.program):
        raise InvalidShareTarget("This club has no storefront address set for share links.", "target")
    ShareLink.objects.get_or_create(
        account=account, target=target, defaults={"key": secrets.token_urlsafe(12)}
    )
    with transaction.atomic():
        link = ShareLink.objects.select_for_update().get(account=account, target=target)
        mine = visitor_hash(ip) if ip else ""
        if mine and mine not in link.owner_hashes:
            link.owner_hashes = [*link.owner_hashes, mine][-MAX_OWNER_HASHES:]
            link.save(update_fields=["owner_hashes"])
    return link, f"{public_url()}{URL_PREFIX}{_signer().sign(link.key)}/"


def _remember_owner_address(link: ShareLink, ip_hash: str) -> None:
    """The owner visited signed in: their address is theirs, so their anonymous visits from it never count."""
    with transaction.atomic():
        link = ShareLink.objects.select_for_update().get(pk=link.pk)
        if ip_hash not in link.owner_hashes:
            link.owner_hashes = [*link.owner_hashes, ip_hash][-MAX_OWNER_HASHES:]
            link.save(update_fields=["owner_hashes"])


def visit(
    token: str, ip: str, user_agent: str = "", *, visitor_id: str = "", user_id: int | None = None
) -> str | None:
    """Where the visitor goes (the storefront page), or None for a token this server never issued.

    The visit credits the owner when it comes from someone else (`user_id` when signed in, else the cookie's
    `visitor_id`) from an address and as a visitor not seen before, within the caps.
    """
    try:
        key = _signer().unsign(token)
    except signing.BadSignature:
        return None
    link = ShareLink.objects.filter(key=key).select_related("account__program").first()
    if link is None:
        return None
    base = storefront_base(link.account.program)
    if not base:
        return None
    ShareLink.objects.filter(pk=link.pk).update(visits=F("visits") + 1)
    ip_hash = visitor_hash(ip) if ip else ""
    if user_id is not None and user_id == link.account.user_id:
        if ip_hash:
            _remember_owner_address(link, ip_hash)
        return base + link.target
    visitor = share_visitors.visitor_key(user_id, visitor_id)
    if visitor and ip_hash and ip_hash not in link.owner_hashes and not ROBOTS.search(user_agent or ""):
        _credit(link, visitor, ip_hash)
    return base + link.target


def _credit(link: ShareLink, visitor: str, ip_hash: str) -> None:
    """Under the sharer's account lock: both hashes unseen, then the award and the visit that earned it."""
    program = link.account.program
    if not program.gives_value():
        return
    now = timezone.now()
    try:
        action = find_action(program, BuiltinAction.SOCIAL_SHARE)
        with transaction.atomic():
            ledger.lock_account(link.account)
            if share_visitors.seen(link, visitor, ip_hash, share_visitors.window_start(action, now)):
                return
            result = actions.award(
                action, link.account, object_id=f"link-{link.pk}", occurrence=visitor, now=now
            )
            if result.awarded:
                share_visitors.record(link, visitor, ip_hash, now)
    except LoyaltyError:
        return
    if result.awarded:
        ShareLink.objects.filter(pk=link.pk).update(credited_visits=F("credited_visits") + 1)


def handle(request, path: str, identify=None):
    """`GET /plugins/global/saleor.loyalty/share/<token>/`: a redirect, or 404 for a link we never made.

    `identify(request)` is the signed-in visitor's user id or None (the plugin passes Saleor's own token
    check); a visitor without a valid cookie id gets a new one with the redirect."""
    token = path[len(PATH_PREFIX) :].strip("/")
    if request.method not in ("GET", "HEAD") or not token or "/" in token:
        return HttpResponseNotFound("No such link.")
    visitor_id, fresh = share_visitors.cookie_id(request)
    destination = visit(
        token,
        request.META.get("REMOTE_ADDR", ""),
        request.META.get("HTTP_USER_AGENT", ""),
        visitor_id=visitor_id,
        user_id=identify(request) if identify is not None else None,
    )
    if destination is None:
        return HttpResponseNotFound("No such link.")
    response = HttpResponseRedirect(destination)
    if fresh:
        share_visitors.set_cookie(response, visitor_id, secure=request.is_secure())
    return response
