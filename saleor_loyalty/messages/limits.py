"""The per-person email gap shared by every marketing message (sending windows: `windows.py`).

Cart reminders and club news draw on the same budget, so a person never gets a reminder an hour
after a "you earned points" email. Callers serialise on the person before asking (recovery takes an
advisory lock), so two workers cannot both see "nothing sent yet".
"""

from datetime import datetime, timedelta

from django.db.models import Max
from django.db.models.functions import Coalesce

from saleor_loyalty.messages.config import marketing_email_gap_hours, marketing_sms_gap_hours
from saleor_loyalty.models import Medium, MessageLog, MessageStatus

# LOGGED counts as sent, so a deployment without an SMS provider paces messages as one with it would.
OUTGOING = (MessageStatus.CLAIMED, MessageStatus.SENT, MessageStatus.LOGGED)


def email_gap_until(
    address_hash: str, now: datetime, asking: MessageLog | None = None
) -> tuple[datetime, str] | None:
    """When the next marketing email to this person may go, if the gap since the last one is too short.

    The gap runs from when a message was sent (a retried or deferred one may go long after its row was
    made), else from its claim. `asking` is the caller's own claim row, which does not count against itself.
    """
    gap = timedelta(hours=marketing_email_gap_hours())
    earlier = (
        MessageLog.objects.filter(
            subject_hash=address_hash,
            medium=Medium.EMAIL,
            is_marketing=True,
            status__in=OUTGOING,
        )
        .annotate(moment=Coalesce("sent_at", "created_at"))
        .filter(moment__gt=now - gap)
    )
    if asking is not None:
        earlier = earlier.exclude(pk=asking.pk)
    last = earlier.order_by("-moment").values_list("moment", flat=True).first()
    if last is None:
        return None
    return last + gap, f"one marketing email per {marketing_email_gap_hours()} h"


def email_gaps_until(address_hashes, now: datetime) -> dict[str, tuple[datetime, str]]:
    """`email_gap_until` for many people in one query (a campaign batch): only those held are in the answer."""
    return _gaps_until(address_hashes, now, Medium.EMAIL, marketing_email_gap_hours(), "email")


def sms_gaps_until(address_hashes, now: datetime) -> dict[str, tuple[datetime, str]]:
    """The same cap for marketing SMS (LOYALTY_MARKETING_SMS_GAP_HOURS, 24): a number is not texted twice a
    day by campaigns, whatever their number."""
    return _gaps_until(address_hashes, now, Medium.SMS, marketing_sms_gap_hours(), "SMS")


def _gaps_until(address_hashes, now: datetime, medium: str, hours: int, noun: str):
    gap = timedelta(hours=hours)
    latest = (
        MessageLog.objects.filter(
            subject_hash__in=list(address_hashes),
            medium=medium,
            is_marketing=True,
            status__in=OUTGOING,
        )
        .annotate(moment=Coalesce("sent_at", "created_at"))
        .filter(moment__gt=now - gap)
        .values("subject_hash")
        .annotate(last=Max("moment"))
        .values_list("subject_hash", "last")
    )
    reason = f"one marketing {noun} per {hours} h"
    return {subject: (last + gap, reason) for subject, last in latest}
