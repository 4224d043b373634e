"""Open and click tracking, and conversions: every hit is one signed token and one INSERT.

A tracking URL carries its ids in clear and an HMAC-SHA256 tag over them (keyed by SECRET_KEY): the
pixel names (message, campaign, variant); a click link adds (language, link index), and the redirect
goes to that link of the variant's own content, frozen when the campaign was scheduled. No URL ever
comes from the request, so the endpoint cannot be used as an open redirect; a tampered or foreign
token is 404 before the database is asked. Opens and clicks on GET only (HEAD, as link scanners send,
records nothing). An SMS click link is short, since every character of a text costs: the same ids in base
36 and a 48-bit tag (`/t/s/<message>.<campaign>.<variant>.<lang>.<link>.<tag>`), answered like an email click.
Complaints and bounces come from the provider (`feedback`).
"""

import base64
import hmac
from datetime import datetime, timedelta
from functools import lru_cache

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotFound, HttpResponseRedirect
from django.utils import timezone

from saleor_loyalty.core.facts import OrderRef
from saleor_loyalty.core.hmacs import salted_sha256
from saleor_loyalty.insights import merge_fields
from saleor_loyalty.ledger.accounts import append_entry, effective_account, lock_account, normalize_email
from saleor_loyalty.messages.config import public_url
from saleor_loyalty.models import (
    CampaignConversion,
    CampaignRecipient,
    CampaignVariant,
    EntryKind,
    LoyaltyProgram,
    MessageStatus,
    RecipientStatus,
    TrackingEvent,
    TrackingKind,
)

PATH_PREFIX = "/t/"
URL_PREFIX = "/plugins/global/saleor.loyalty/t/"
MAX_WINDOW = timedelta(days=90)
SHORT_TAG = 12  # 48 bits: a guessed link is a 404 long before it is a click
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
_INSERT = (
    f"INSERT INTO {TrackingEvent._meta.db_table} "
    "(message_id, campaign_id, variant_id, kind, link_index, occurred_at) VALUES (%s, %s, %s, %s, %s, %s)"
)


def _tag(payload: str) -> str:
    return salted_sha256("saleor_loyalty.tracking", payload).hexdigest()[:32]


def open_url(message_id: int, campaign_id: int, variant_id: int) -> str:
    payload = f"{message_id}.{campaign_id}.{variant_id}"
    return f"{public_url()}{URL_PREFIX}o/{payload}.{_tag(payload)}.gif"


def click_url(message_id: int, campaign_id: int, variant_id: int, language: str, index: int) -> str:
    payload = f"{message_id}.{campaign_id}.{variant_id}.{language}.{index}"
    return f"{public_url()}{URL_PREFIX}c/{payload}.{_tag(payload)}/"


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
        if not number:
            return text


def sms_click_url(message_id: int, campaign_id: int, variant_id: int, language: str, index: int) -> str:
    payload = f"{_b36(message_id)}.{_b36(campaign_id)}.{_b36(variant_id)}.{language}.{_b36(index)}"
    return f"{public_url()}{URL_PREFIX}s/{payload}.{_tag(payload)[:SHORT_TAG]}"


def _verified(token: str, parts: int, tag_length: int = 32) -> list[str] | None:
    pieces = token.split(".")
    if len(pieces) != parts + 1:
        return None
    if not hmac.compare_digest(_tag(".".join(pieces[:-1]))[:tag_length], pieces[-1]):
        return None
    return pieces[:-1]


@lru_cache(maxsize=4096)
def _links(campaign_id: int, variant_id: int, language: str) -> tuple[str, ...]:
    """A frozen variant's links (content never changes once scheduled, so the cache never goes stale)."""
    content = (
        CampaignVariant.objects.filter(pk=variant_id, campaign_id=campaign_id)
        .values_list("content", flat=True)
        .first()
    )
    return tuple(merge_fields.links(((content or {}).get(language) or {}).get("body", "")))


def record_event(
    kind: str, message_id: int, campaign_id: int, variant_id: int, index: int | None, now
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [message_id, campaign_id, variant_id, kind, index, now])


def handle(request, path: str, now: datetime | None = None) -> HttpResponse:
    """`path` follows the plugin id: /t/o/<token>.gif (pixel) or /t/c/<token>/ (click)."""
    now = now or timezone.now()
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    rest = path[len(PATH_PREFIX) :]
    if rest.startswith("o/") and rest.endswith(".gif"):
        ids = _verified(rest[2:-4], 3)
        if ids is None or not all(part.isdigit() for part in ids):
            return HttpResponseNotFound()
        if request.method == "GET":
            record_event(TrackingKind.OPEN, int(ids[0]), int(ids[1]), int(ids[2]), None, now)
        response = HttpResponse(PIXEL, content_type="image/gif")
        response["Cache-Control"] = "no-store, private"
        return response
    if rest.startswith("c/"):
        ids = _verified(rest[2:].strip("/"), 5)
        if ids is None:
            return HttpResponseNotFound()
        message, campaign, variant, language, index = ids
        if not all(part.isdigit() for part in (message, campaign, variant, index)):
            return HttpResponseBadRequest()
        links = _links(int(campaign), int(variant), language)
        if int(index) >= len(links):
            return HttpResponseNotFound()
        if request.method == "GET":
            record_event(TrackingKind.CLICK, int(message), int(campaign), int(variant), int(index), now)
        return HttpResponseRedirect(links[int(index)])
    if rest.startswith("s/"):
        return _sms_click(request, rest[2:].strip("/"), now)
    return HttpResponseNotFound()


def _sms_click(request, token: str, now: datetime) -> HttpResponse:
    ids = _verified(token, 5, SHORT_TAG)
    numbers = [ids[i] for i in (0, 1, 2, 4)] if ids else []
    if ids is None or not all(part.isascii() and part.isalnum() and len(part) <= 13 for part in numbers):
        return HttpResponseNotFound()
    message, campaign, variant, index = (int(part, 36) for part in numbers)
    links = _links(campaign, variant, ids[3])
    if index >= len(links):
        return HttpResponseNotFound()
    if request.method == "GET":
        record_event(TrackingKind.CLICK, message, campaign, variant, index, now)
    return HttpResponseRedirect(links[index])


def _started(recipient: CampaignRecipient) -> datetime | None:
    """When the recipient's treatment began: their message went out, or (holdout) they were enrolled."""
    if recipient.status == RecipientStatus.HOLDOUT:
        return recipient.enrolled_at
    message = recipient.message
    if message is None or message.status not in (MessageStatus.SENT, MessageStatus.LOGGED):
        return None
    return message.sent_at or message.created_at


def _mark_ordered(recipients: list[CampaignRecipient], order: OrderRef) -> None:
    """The first order within the window after treatment, for every group alike (the holdout comparison)."""
    for recipient in recipients:
        start = _started(recipient)
        window = timedelta(days=recipient.campaign.attribution_days)
        if recipient.ordered_order_id is None and start and start <= order.created_at <= start + window:
            CampaignRecipient.objects.filter(pk=recipient.pk, ordered_order_id__isnull=True).update(
                ordered_order_id=order.order_id, ordered_at=order.created_at, order_total=order.total_gross
            )


def attribute_order(order: OrderRef, now: datetime | None = None) -> CampaignConversion | None:
    """Credit an order to the last campaign message its buyer clicked within that campaign's window.

    Only campaigns of the order's channel count (one currency per channel, so revenue never mixes
    currencies); a member with accounts in two channels is two recipients, each credited in its own.
    Idempotent: an order converts once (`order_id` unique), whatever replays.
    """
    earlier = CampaignConversion.objects.filter(order_id=order.order_id).first()
    if earlier is not None or (order.user_id is None and not order.email):
        return earlier
    person = Q(account__user_id=order.user_id) if order.user_id is not None else Q(pk__in=[])
    if order.email:
        person |= Q(account__email=normalize_email(order.email))
    recipients = list(
        CampaignRecipient.objects.filter(
            person, campaign__channel_slug=order.channel_slug, enrolled_at__lte=order.created_at
        ).select_related("campaign", "message", "variant", "account")
    )
    _mark_ordered(recipients, order)
    by_message = {r.message_id: r for r in recipients if r.message_id is not None}
    clicks = (
        TrackingEvent.objects.filter(
            kind=TrackingKind.CLICK,
            message_id__in=list(by_message),
            occurred_at__lte=order.created_at,
            occurred_at__gte=order.created_at - MAX_WINDOW,
        )
        .order_by("-occurred_at", "-id")
        .values_list("message_id", "occurred_at")[:50]
    )
    for message_id, clicked_at in clicks:
        recipient = by_message[message_id]
        if clicked_at >= order.created_at - timedelta(days=recipient.campaign.attribution_days):
            return _convert(recipient, order, clicked_at, now or timezone.now())
    return None


def _convert(recipient, order: OrderRef, clicked_at: datetime, now: datetime) -> CampaignConversion | None:
    program = LoyaltyProgram.objects.get(channel_slug=order.channel_slug)
    try:
        with transaction.atomic():
            conversion = CampaignConversion.objects.create(
                order_id=order.order_id,
                campaign=recipient.campaign,
                recipient=recipient,
                variant=recipient.variant,
                amount=order.total_gross,
                currency=program.currency,
                clicked_at=clicked_at,
                ordered_at=order.created_at,
            )
            bonus = recipient.variant.incentive_points if recipient.variant else 0
            if bonus and program.gives_value(order.created_at):
                locked = lock_account(effective_account(recipient.account))
                append_entry(
                    locked,
                    kind=EntryKind.CAMPAIGN_BONUS,
                    points=bonus,
                    source_key=f"campaign-bonus:{order.order_id}",
                    order_id=order.order_id,
                    reason=f"Campaign bonus: {recipient.campaign.name}"[:1000],
                    detail={"campaign": recipient.campaign_id, "variant": recipient.variant.key},
                    available_at=now,
                    occurred_at=order.created_at,
                )
    except IntegrityError:  # a concurrent delivery of the same order recorded it first
        return CampaignConversion.objects.filter(order_id=order.order_id).first()
    return conversion
