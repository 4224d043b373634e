"""A campaign's numbers per variant and for its holdout, with intervals and a winner only when significant.

Per variant: enrolled, sent (the provider accepted it, or the log-only backend wrote it), opened and
clicked (distinct messages with a pixel load / tracked click), converted and revenue (orders credited
to the last clicked message, `tracking.attribute_order`; revenue less what was refunded of them since),
ordered (any order within the window after the message: the like-for-like measure against the
holdout), unsubscribed (a suppression after the message, on the campaign's medium), complaints and bounces
(hard and soft, as the provider reported them: `feedback`). An SMS has no opens: they are None. Rates are per message sent with 95 % Wilson intervals. The winner is the
variant whose rate on the campaign's metric beats every other with p < 0.05 (two-proportion z-test),
else none. Lift = ordered rate of all sent messages − ordered rate of the holdout.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least

from saleor_loyalty.insights.stats import Rate, two_proportion_p, wilson, winner
from saleor_loyalty.models import (
    CampaignConversion,
    LoyaltyProgram,
    Medium,
    MessageStatus,
    OrderRollup,
    Suppression,
    TrackingEvent,
    TrackingKind,
    WinnerMetric,
)

DELIVERED = (MessageStatus.SENT, MessageStatus.LOGGED)


def _net_amount():
    """A conversion's order total less what was refunded of it since (the KPI roll-up keeps each order's
    refunds current, whatever order its events came in), never below nothing."""
    refunded = Subquery(OrderRollup.objects.filter(order_id=OuterRef("order_id")).values("refunded")[:1])
    return Greatest(
        F("amount") - Least(Coalesce(refunded, Value(Decimal(0))), F("amount")), Value(Decimal(0))
    )


@dataclass(frozen=True)
class GroupResult:
    key: str
    recipients: int
    sent: int
    opened: int | None
    clicked: int
    converted: int
    revenue: Decimal
    ordered: int
    unsubscribed: int
    complaints: int
    bounces: int
    soft_bounces: int
    open_rate: Rate
    click_rate: Rate
    conversion_rate: Rate
    ordered_rate: Rate


@dataclass(frozen=True)
class CampaignResults:
    currency: str
    metric: str
    variants: list[GroupResult]
    holdout: GroupResult
    winner: str | None
    winner_p_value: float | None
    treated_ordered_rate: Rate
    lift: float | None
    lift_p_value: float | None


def _distinct_messages(campaign, kind: str) -> dict:
    return dict(
        TrackingEvent.objects.filter(campaign_id=campaign.pk, kind=kind)
        .values("variant_id")
        .annotate(n=Count("message_id", distinct=True))
        .values_list("variant_id", "n")
    )


def results(campaign) -> CampaignResults:
    unsubscribed_after = Exists(
        Suppression.objects.filter(
            subject_hash=OuterRef("message__subject_hash"),
            medium=campaign.medium,
            suppressed_at__gte=OuterRef("message__created_at"),
        )
    )
    per_group = {
        row["variant_id"]: row
        for row in campaign.recipients.annotate(unsubscribed_after=unsubscribed_after)
        .values("variant_id")
        .annotate(
            recipients=Count("pk"),
            sent=Count("pk", filter=Q(message__status__in=DELIVERED)),
            ordered=Count("pk", filter=Q(ordered_order_id__isnull=False)),
            unsubscribed=Count("pk", filter=Q(message__status__in=DELIVERED, unsubscribed_after=True)),
        )
    }
    opened = _distinct_messages(campaign, TrackingKind.OPEN)
    clicked = _distinct_messages(campaign, TrackingKind.CLICK)
    complaints = _distinct_messages(campaign, TrackingKind.COMPLAINT)
    bounces = _distinct_messages(campaign, TrackingKind.BOUNCE)
    soft_bounces = _distinct_messages(campaign, TrackingKind.SOFT_BOUNCE)
    opens = campaign.medium == Medium.EMAIL
    conversions = {
        row["variant_id"]: row
        for row in CampaignConversion.objects.filter(campaign=campaign)
        .values("variant_id")
        .annotate(n=Count("recipient", distinct=True), revenue=Sum(_net_amount()))
    }

    def group(key: str, variant_id) -> GroupResult:
        row = per_group.get(variant_id, {})
        sent, converted = row.get("sent", 0), conversions.get(variant_id, {}).get("n", 0)
        reached = row.get("recipients", 0) if variant_id is None else sent
        return GroupResult(
            key=key,
            recipients=row.get("recipients", 0),
            sent=sent,
            opened=opened.get(variant_id, 0) if opens else None,
            clicked=clicked.get(variant_id, 0),
            converted=converted,
            revenue=conversions.get(variant_id, {}).get("revenue") or Decimal(0),
            ordered=row.get("ordered", 0),
            unsubscribed=row.get("unsubscribed", 0),
            complaints=complaints.get(variant_id, 0),
            bounces=bounces.get(variant_id, 0),
            soft_bounces=soft_bounces.get(variant_id, 0),
            open_rate=wilson(opened.get(variant_id, 0), sent if opens else 0),
            click_rate=wilson(clicked.get(variant_id, 0), sent),
            conversion_rate=wilson(converted, sent),
            ordered_rate=wilson(row.get("ordered", 0), reached),
        )

    variants = [group(variant.key, variant.pk) for variant in campaign.variants.order_by("key")]
    holdout = group("holdout", None)
    metric = {
        WinnerMetric.OPEN: lambda g: g.opened,
        WinnerMetric.CLICK: lambda g: g.clicked,
        WinnerMetric.CONVERSION: lambda g: g.converted,
    }[campaign.winner_metric]
    best, p_value = winner({g.key: (metric(g), g.sent) for g in variants})
    treated_sent = sum(g.sent for g in variants)
    treated_ordered = sum(g.ordered for g in variants)
    treated = wilson(treated_ordered, treated_sent)
    lift = (
        treated.value - holdout.ordered_rate.value
        if treated.value is not None and holdout.ordered_rate.value is not None
        else None
    )
    currency = (
        LoyaltyProgram.objects.filter(channel_slug=campaign.channel_slug)
        .values_list("currency", flat=True)
        .first()
        or ""
    )
    return CampaignResults(
        currency=currency,
        metric=campaign.winner_metric,
        variants=variants,
        holdout=holdout,
        winner=best,
        winner_p_value=p_value,
        treated_ordered_rate=treated,
        lift=lift,
        lift_p_value=two_proportion_p(treated_ordered, treated_sent, holdout.ordered, holdout.recipients),
    )
