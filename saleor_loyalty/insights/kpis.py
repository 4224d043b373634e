"""The club's KPIs for one channel and a range of months, read from the roll-ups only.

Every number is per channel, so in that channel's currency: two channels are never added together.
Months are the program's local months. Orders count when paid and not cancelled or wholly refunded;
revenue is what Saleor charged less refunds. Members are signed-up customers, guests everyone else.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from saleor_loyalty.core.clock import add_months
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.insights import nps_report
from saleor_loyalty.models import (
    ChannelDayRollup,
    CohortCell,
    EntryKind,
    LoyaltyAccount,
    LoyaltyProgram,
    PointsDayRollup,
    Referral,
    ReferralStatus,
    ReturnCell,
)

ZERO = Decimal(0)
MAX_MONTHS = 36
ISSUING_KINDS = (EntryKind.EARN, EntryKind.BIRTHDAY, EntryKind.ADJUSTMENT)


def ratio(part, whole, places: str = "0.0001") -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places)) if whole else None


def months_between(since: date, until: date) -> list[date]:
    months, month = [], since
    while month <= until:
        months.append(month)
        month = add_months(month, 1)
    return months


def local_start(program: LoyaltyProgram, day: date) -> datetime:
    """Local midnight starting `day` in the program's timezone."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(program.timezone))


def check_period(since: date, until: date) -> list[date]:
    """The months of the period, first days; a period is 1 to 36 whole months."""
    since, until = since.replace(day=1), until.replace(day=1)
    if since > until:
        raise LoyaltyError("The period starts after it ends.", "since")
    months = months_between(since, until)
    if len(months) > MAX_MONTHS:
        raise LoyaltyError(f"A period is at most {MAX_MONTHS} months.", "until")
    return months


@dataclass(frozen=True)
class MonthKpis:
    month: date
    orders: int
    member_orders: int
    revenue: Decimal
    member_revenue: Decimal
    active_customers: int
    active_members: int
    new_customers: int

    @property
    def guest_orders(self) -> int:
        return self.orders - self.member_orders

    @property
    def guest_revenue(self) -> Decimal:
        return self.revenue - self.member_revenue

    @property
    def member_aov(self) -> Decimal | None:
        return self.member_revenue / self.member_orders if self.member_orders else None

    @property
    def guest_aov(self) -> Decimal | None:
        return self.guest_revenue / self.guest_orders if self.guest_orders else None


@dataclass(frozen=True)
class PointsFlow:
    issued: int
    reversed: int
    redeemed: int
    expired: int

    @property
    def redemption_rate(self) -> Decimal | None:
        """Redeemed ÷ issued net of reversals."""
        return ratio(self.redeemed, self.issued - self.reversed)


@dataclass(frozen=True)
class Kpis:
    channel_slug: str
    currency: str
    months: list[MonthKpis]
    members_total: int
    members_new: int
    members_active: int
    customers_active: int
    repeat_purchase_rate: Decimal | None
    points: PointsFlow
    # Rates measured by other parts of the club (`engagement_rates`, cart recovery): name → rate or None.
    other: dict = field(default_factory=dict)

    @property
    def orders(self) -> int:
        return sum(month.orders for month in self.months)

    @property
    def member_orders(self) -> int:
        return sum(month.member_orders for month in self.months)

    @property
    def revenue(self) -> Decimal:
        return sum((month.revenue for month in self.months), ZERO)

    @property
    def member_revenue(self) -> Decimal:
        return sum((month.member_revenue for month in self.months), ZERO)

    @property
    def purchase_frequency(self) -> Decimal | None:
        """Orders per buyer who ordered in the period."""
        return ratio(self.orders, self.customers_active, "0.01")


def _month_rows(program: LoyaltyProgram, months: list[date]) -> dict[date, dict]:
    start, end = months[0], add_months(months[-1], 1)
    sums = {
        month: {"orders": 0, "member_orders": 0, "revenue": ZERO, "member_revenue": ZERO} for month in months
    }
    days = ChannelDayRollup.objects.filter(channel_slug=program.channel_slug, day__gte=start, day__lt=end)
    for row in days.values("day", "orders", "member_orders", "revenue", "member_revenue"):
        bucket = sums[row["day"].replace(day=1)]
        for name in ("orders", "member_orders", "revenue", "member_revenue"):
            bucket[name] += row[name]
    cells = (
        CohortCell.objects.filter(channel_slug=program.channel_slug, month__gte=start, month__lt=end)
        .values("month")
        .annotate(
            active=Sum("customers"),
            members=Sum("member_customers"),
            new=Sum("customers", filter=Q(cohort_month=F("month"))),  # a buyer is new in their cohort's month
        )
    )
    for row in cells:
        sums[row["month"]].update(active=row["active"], members=row["members"], new=row["new"])
    return sums


def _returns(program: LoyaltyProgram, months: list[date]) -> dict:
    """Distinct buyers and member buyers active in the period, and its new buyers and the repeaters among
    them, from the return cells: a buyer counts once, in the first month of the period they ordered in
    (the cell whose previous month is before the period, or the buyer's first month)."""
    start, end = months[0], add_months(months[-1], 1)
    first_in_period = Q(previous_month__lt=start) | Q(previous_month=F("month"))
    return ReturnCell.objects.filter(
        first_in_period, channel_slug=program.channel_slug, month__gte=start, month__lt=end
    ).aggregate(
        active=Coalesce(Sum("customers"), 0),
        members=Coalesce(Sum("member_customers"), 0),
        new=Coalesce(Sum("customers", filter=Q(previous_month=F("month"))), 0),
        repeat=Coalesce(Sum("repeat_customers"), 0),
    )


def points_flow(program: LoyaltyProgram, start: date, end: date) -> PointsFlow:
    """Points issued, reversed, redeemed and expired on local days in [start, end)."""
    rows = PointsDayRollup.objects.filter(channel_slug=program.channel_slug, day__gte=start, day__lt=end)
    sums = {
        row["kind"]: row
        for row in rows.values("kind").annotate(positive=Sum("positive"), negative=Sum("negative"))
    }

    def part(kind, sign):
        row = sums.get(kind)
        return int(row[sign]) if row else 0

    return PointsFlow(
        issued=sum(part(kind, "positive") for kind in ISSUING_KINDS),
        reversed=-part(EntryKind.EARN_REVERSAL, "negative") - part(EntryKind.ADJUSTMENT, "negative"),
        redeemed=-part(EntryKind.REDEMPTION, "negative"),
        expired=-part(EntryKind.EXPIRE, "negative"),
    )


def kpis(program: LoyaltyProgram, since: date, until: date) -> Kpis:
    months = check_period(since, until)
    start, end = months[0], add_months(months[-1], 1)
    sums = _month_rows(program, months)
    series = [
        MonthKpis(
            month=month,
            orders=sums[month]["orders"],
            member_orders=sums[month]["member_orders"],
            revenue=sums[month]["revenue"],
            member_revenue=sums[month]["member_revenue"],
            active_customers=sums[month].get("active") or 0,
            active_members=sums[month].get("members") or 0,
            new_customers=sums[month].get("new") or 0,
        )
        for month in months
    ]
    buyers = _returns(program, months)
    members = LoyaltyAccount.objects.filter(program=program, user__isnull=False, merged_into__isnull=True)
    counts = members.aggregate(  # counts of indexed columns, not of id: the member-join index alone answers
        total=Count("*"),
        new=Count(
            "created_at",
            filter=Q(created_at__gte=local_start(program, start), created_at__lt=local_start(program, end)),
        ),
    )
    return Kpis(
        channel_slug=program.channel_slug,
        currency=program.currency,
        months=series,
        members_total=counts["total"],
        members_new=counts["new"],
        members_active=buyers["members"],
        customers_active=buyers["active"],
        repeat_purchase_rate=ratio(buyers["repeat"], buyers["new"]),
        points=points_flow(program, start, end),
    )


def engagement_rates(program: LoyaltyProgram, since, until, members_active: int) -> dict:
    """Referral rate and NPS over [since, until).

    Referral rate: referrals rewarded in the period (rewarded_at in it, not reversed since) per member
    active (who ordered) in the period, 0-1; None without active members. NPS: −100 to 100 over the
    surveys answered in the period (insights/nps_report.py); None without answers."""
    rewarded = Referral.objects.filter(
        program=program, status=ReferralStatus.REWARDED, rewarded_at__gte=since, rewarded_at__lt=until
    ).count()
    answers = nps_report.answered(program.channel_slug, since, until).aggregate(**nps_report.COUNTS)
    return {
        "referral_rate": ratio(rewarded, members_active),
        "nps": nps_report.breakdown("all", answers).nps,
    }
