"""Open and click tracking, complaints, and conversions: every hit is one signed token and one INSERT.

A tracking URL carries its ids in clear and an HMAC-SHA256 tag over them (keyed by SECRET_KEY): the
pixel names (message, campaign, variant); a click link adds (language, link index), and the redirect
goes to that link of the variant's own content, frozen when the campaign was scheduled. No URL ever
comes from the request, so the endpoint cannot be used as an open redirect; a tampered or foreign
token is 404 before the database is asked. Opens and clicks on GET only (HEAD, as link scanners send,
records nothing).
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
from saleor_loyalty.messages import consent
from saleor_loyalty.messages.config import public_url
from saleor_loyalty.models import (
    CampaignConversion,
    CampaignRecipient,
    CampaignVariant,
    EntryKind,
    LoyaltyProgram,
    Medium,
    MessageStatus,
    RecipientStatus,
    TrackingEvent,
    TrackingKind,
)

PATH_PREFIX = "/t/"
URL_PREFIX = "/plugins/global/saleor.loyalty/t/"
MAX_WINDOW = timedelta(days=90)
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


def _verified(token: str, parts: int) -> list[str] | None:
    pieces = token.split(".")
    if len(pieces) != parts + 1:
        return None
    if not hmac.compare_digest(_tag(".".join(pieces[:-1])), pieces[-1]):
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


def _record(kind: str, message_id: int, campaign_id: int, variant_id: int, index: int | None, now) -> None:
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
            _record(TrackingKind.OPEN, int(ids[0]), int(ids[1]), int(ids[2]), None, now)
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
            _record(TrackingKind.CLICK, int(message), int(campaign), int(variant), int(index), now)
        return HttpResponseRedirect(links[int(index)])
    return HttpResponseNotFound()


def record_complaint(message_id: int, now: datetime | None = None) -> bool:
    """A spam complaint from a provider's feedback loop: counted for the campaign, and the person is
    suppressed on email everywhere (a complaint is the strongest refusal). False for an unknown message."""
    recipient = CampaignRecipient.objects.filter(message_id=message_id).select_related("message").first()
    if recipient is None:
        return False
    now = now or timezone.now()
    _record(TrackingKind.COMPLAINT, message_id, recipient.campaign_id, recipient.variant_id, None, now)
    if recipient.message.subject_hash:
        consent.suppress_hash(recipient.message.subject_hash, Medium.EMAIL, reason="complaint", at=now)
    return True


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
