"""The cohort table: buyers grouped by the month of their first counted order, followed month by month.

Retention of a cell is the share of the cohort that ordered in that month; LTV is the cohort's
cumulative net revenue per buyer (historic, not a prediction). Read from `CohortCell` only.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from saleor_loyalty.core.clock import add_months
from saleor_loyalty.insights.kpis import ZERO, check_period, ratio
from saleor_loyalty.models import CohortCell, LoyaltyProgram


@dataclass(frozen=True)
class CohortMonth:
    offset: int  # months after the cohort's first month (0 = the first month)
    month: date
    customers: int
    orders: int
    revenue: Decimal
    retention: Decimal | None
    ltv: Decimal | None  # cumulative revenue up to this month per buyer of the cohort


@dataclass(frozen=True)
class Cohort:
    month: date
    size: int
    member_size: int
    cells: list[CohortMonth]

    @property
    def ltv(self) -> Decimal | None:
        return self.cells[-1].ltv if self.cells else None


def cohort_table(
    program: LoyaltyProgram, since: date, until: date, horizon: date | None = None
) -> list[Cohort]:
    """Cohorts first seen in [since, until], each followed up to `horizon` (default `until`)."""
    months = check_period(since, until)
    last = (horizon or until).replace(day=1)
    rows = CohortCell.objects.filter(
        channel_slug=program.channel_slug,
        cohort_month__gte=months[0],
        cohort_month__lte=months[-1],
        month__lte=last,
    ).values_list("cohort_month", "month", "customers", "member_customers", "orders", "revenue")
    cells: dict[date, dict[date, tuple]] = {}
    for cohort, month, customers, members, orders, revenue in rows:
        cells.setdefault(cohort, {})[month] = (customers, members, orders, revenue)
    table = []
    for cohort in months:
        own = cells.get(cohort, {})
        size, member_size = own.get(cohort, (0, 0, 0, ZERO))[:2]
        cumulative, followed, month, offset = ZERO, [], cohort, 0
        while month <= last:
            customers, _members, orders, revenue = own.get(month, (0, 0, 0, ZERO))
            cumulative += revenue
            followed.append(
                CohortMonth(
                    offset=offset,
                    month=month,
                    customers=customers,
                    orders=orders,
                    revenue=revenue,
                    retention=ratio(customers, size),
                    ltv=ratio(cumulative, size, "0.01"),
                )
            )
            month, offset = add_months(month, 1), offset + 1
        table.append(Cohort(month=cohort, size=size, member_size=member_size, cells=followed))
    return table
