"""Recovery attribution and the dashboard's numbers.

An order recovers an abandoned checkout when it completes the same checkout token after a
reminder, or when the same person orders within the channel's attribution window (default 5 days)
after a reminder. Either way the order stops every open sequence of that person. Holdout carts get
no reminders; their conversions are recorded the same way, so lift = reminded rate − holdout rate.
Recording is idempotent: a row keeps the first order that recovered it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Q, Sum

from saleor_loyalty.core.facts import OrderRef
from saleor_loyalty.messages.config import CART_REMINDER
from saleor_loyalty.messages.consent import subject_hash
from saleor_loyalty.models import (
    AbandonedCheckout,
    Medium,
    MessageLog,
    MessageStatus,
    MessagingSettings,
    RecoveryState,
    Suppression,
)

OPEN = (RecoveryState.ACTIVE, RecoveryState.FINISHED, RecoveryState.STOPPED)


def _window(channel_slug: str) -> timedelta:
    config = MessagingSettings.objects.filter(channel_slug=channel_slug).first()
    return timedelta(days=config.attribution_days if config else 5)


def _mark_recovered(row: AbandonedCheckout, order: OrderRef, keep_state: bool = False) -> None:
    row.recovered_order_id, row.recovered_revenue, row.recovered_at = (
        order.order_id,
        order.total_gross,
        order.created_at,
    )
    if not keep_state:
        row.state, row.state_reason, row.next_action_at = RecoveryState.RECOVERED, "", None
    row.save()


def _last_sent(row: AbandonedCheckout, before: datetime) -> datetime | None:
    """When the cart's last reminder really went out (a claim cancelled at send time does not count)."""
    return MessageLog.objects.filter(
        checkout_token=row.checkout_token, status=MessageStatus.SENT, sent_at__lte=before
    ).aggregate(last=Max("sent_at"))["last"]


def record_order(order: OrderRef, now: datetime) -> None:
    """Stop the person's reminders and attribute the order to at most one abandoned checkout."""
    email_hash = subject_hash(Medium.EMAIL, order.email) if order.email else None
    person = Q(checkout_token=order.checkout_token) if order.checkout_token else Q(pk__in=[])
    if email_hash:
        person |= Q(email_hash=email_hash)
    if order.user_id is not None:
        person |= Q(user_id=order.user_id)
    window = _window(order.channel_slug)
    with transaction.atomic():
        rows = list(
            AbandonedCheckout.objects.select_for_update()
            .filter(
                person,
                channel_slug=order.channel_slug,
                checkout_changed_at__lte=order.created_at,
            )
            .order_by("-last_reminded_at", "-pk")
        )
        if any(row.recovered_order_id == order.order_id for row in rows):
            return
        credited = None
        for row in rows:
            if row.recovered_order_id is not None or credited is not None:
                continue
            same_cart = str(row.checkout_token) == str(order.checkout_token)
            if (
                row.state == RecoveryState.HOLDOUT
                and row.detected_at <= order.created_at
                and (same_cart or order.created_at - row.detected_at <= window)
            ):
                _mark_recovered(row, order, keep_state=True)
                credited = row
            elif (
                row.state in OPEN
                and (reminded := _last_sent(row, order.created_at)) is not None
                and (same_cart or order.created_at - reminded <= window)
            ):
                _mark_recovered(row, order)
                credited = row
        for row in rows:
            if row is not credited and row.state == RecoveryState.ACTIVE:
                row.state, row.state_reason, row.next_action_at = RecoveryState.PURCHASED, "ordered", None
                row.save(update_fields=["state", "state_reason", "next_action_at", "updated_at"])


@dataclass(frozen=True)
class RecoveryStats:
    abandoned_count: int
    abandoned_value: Decimal
    reminded_count: int
    reminders_sent: int
    recovered_count: int
    recovered_revenue: Decimal
    recovery_rate: Decimal | None
    holdout_count: int
    holdout_recovery_rate: Decimal | None
    lift: Decimal | None
    unsubscribes: int


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


def stats(channel_slug: str, since: datetime, until: datetime) -> RecoveryStats:
    """Carts abandoned in [since, until) and what became of them; unsubscribes in the same period (all channels)."""
    rows = AbandonedCheckout.objects.filter(
        channel_slug=channel_slug, detected_at__gte=since, detected_at__lt=until
    )
    treated = ~Q(state=RecoveryState.HOLDOUT)
    totals = rows.aggregate(
        count=Count("pk"),
        value=Sum("total_gross"),
        reminded=Count("pk", filter=treated & Q(reminders_sent__gt=0)),
        recovered=Count("pk", filter=Q(state=RecoveryState.RECOVERED)),
        revenue=Sum("recovered_revenue", filter=Q(state=RecoveryState.RECOVERED)),
        holdout=Count("pk", filter=Q(state=RecoveryState.HOLDOUT)),
        holdout_converted=Count(
            "pk", filter=Q(state=RecoveryState.HOLDOUT, recovered_order_id__isnull=False)
        ),
    )
    sent = MessageLog.objects.filter(
        channel_slug=channel_slug,
        category=CART_REMINDER,
        status=MessageStatus.SENT,
        sent_at__gte=since,
        sent_at__lt=until,
    ).count()
    treated_count = totals["count"] - totals["holdout"]
    rate = _rate(totals["recovered"], treated_count)
    holdout_rate = _rate(totals["holdout_converted"], totals["holdout"])
    return RecoveryStats(
        abandoned_count=totals["count"],
        abandoned_value=totals["value"] or Decimal(0),
        reminded_count=totals["reminded"],
        reminders_sent=sent,
        recovered_count=totals["recovered"],
        recovered_revenue=totals["revenue"] or Decimal(0),
        recovery_rate=rate,
        holdout_count=totals["holdout"],
        holdout_recovery_rate=holdout_rate,
        lift=(rate - holdout_rate) if rate is not None and holdout_rate is not None else None,
        unsubscribes=Suppression.objects.filter(suppressed_at__gte=since, suppressed_at__lt=until).count(),
    )
