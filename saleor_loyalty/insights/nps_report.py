"""NPS numbers for staff: overall, by tier (held when answering), by month (program time), and detractors.

NPS = % promoters (9-10) − % detractors (0-6) of the answers, from −100 to 100; None without answers.
By named segment: the answers of the people in each segment now (membership as the nightly run left it,
not as it was when they answered), one aggregate per segment; segments without answers are left out.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from saleor_loyalty.models import LoyaltyProgram, NamedSegment, NpsSurvey, SegmentMembership

PROMOTER, DETRACTOR = 9, 6


@dataclass(frozen=True)
class NpsBreakdown:
    key: str
    responses: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None


@dataclass(frozen=True)
class NpsReport:
    overall: NpsBreakdown
    by_tier: list[NpsBreakdown]
    by_month: list[NpsBreakdown]
    by_segment: list[NpsBreakdown]


COUNTS = {
    "responses": Count("pk"),
    "promoters": Count("pk", filter=Q(score__gte=PROMOTER)),
    "detractors": Count("pk", filter=Q(score__lte=DETRACTOR)),
}


def breakdown(key: str, row: dict) -> NpsBreakdown:
    n, p, d = row["responses"], row["promoters"], row["detractors"]
    return NpsBreakdown(
        key=key,
        responses=n,
        promoters=p,
        passives=n - p - d,
        detractors=d,
        nps=round(100 * (p - d) / n, 1) if n else None,
    )


def answered(channel_slug: str, since: datetime, until: datetime):
    return NpsSurvey.objects.filter(
        channel_slug=channel_slug, answered_at__gte=since, answered_at__lt=until, score__isnull=False
    )


def _by_segment(rows, channel_slug: str) -> list[NpsBreakdown]:
    found = []
    for segment in NamedSegment.values:
        members = SegmentMembership.objects.filter(program__channel_slug=channel_slug, segment=segment)
        person = Q(user_id__in=members.filter(account__user__isnull=False).values("account__user_id")) | Q(
            user_id__isnull=True, email__in=members.values("account__email")
        )
        counted = rows.filter(person).aggregate(**COUNTS)
        if counted["responses"]:
            found.append(breakdown(segment, counted))
    return found


def report(channel_slug: str, since: datetime, until: datetime) -> NpsReport:
    rows = answered(channel_slug, since, until)
    tz = LoyaltyProgram.objects.filter(channel_slug=channel_slug).values_list("timezone", flat=True).first()
    months = (
        rows.annotate(month=TruncMonth("answered_at", tzinfo=ZoneInfo(tz or "UTC")))
        .values("month")
        .annotate(**COUNTS)
        .order_by("month")
    )
    return NpsReport(
        overall=breakdown("all", rows.aggregate(**COUNTS)),
        by_tier=[
            breakdown(row["tier_name"] or "-", row)
            for row in rows.values("tier_name").annotate(**COUNTS).order_by("tier_name")
        ],
        by_month=[breakdown(row["month"].strftime("%Y-%m"), row) for row in months],
        by_segment=_by_segment(rows, channel_slug),
    )


def detractors(channel_slug: str):
    """Detractors to follow up, newest first (the API pages them)."""
    return NpsSurvey.objects.filter(channel_slug=channel_slug, score__lte=DETRACTOR)
