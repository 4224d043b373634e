"""Where a member's paid terms sit in time, and which plan is in force: pure functions over term rows.

- Each plan has its own chain: its terms run one after another in payment order (a term starts when it
  was paid or when the plan's previous term ends, whichever is later), so two orders of one plan on one
  day stack. Terms of different plans run side by side: buying a yearly plan while a monthly one runs
  throws no paid time away, and a refund moves only its own plan's later terms.
- A term runs to the end of the same local day one term later (`term_end`), in the program's timezone,
  so DST never moves an end by an hour.
- The plan in force is the best one running: the highest tier it grants, then the longest remaining,
  then the plan made first (a stable tie-break). When none runs, the one whose chain ended last.
"""

from datetime import datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from saleor_loyalty.core.clock import add_months
from saleor_loyalty.models import TERM_MONTHS, MembershipPlan, MembershipTermRow


def term_end(start: datetime, months: int, tz_name: str) -> datetime:
    """Where one term from `start` ends: the local midnight that closes the same day `months` later.

    A term starting at a local midnight (the next term of a chain) ends at a midnight again, so a
    chain of terms never gains or loses a day or an hour, whatever DST did in between.
    """
    tz = ZoneInfo(tz_name)
    local = start.astimezone(tz)
    day = add_months(local.date(), months)
    if local.time() != time.min:
        day += timedelta(days=1)
    return datetime.combine(day, time.min, tzinfo=tz)


def _after_units(start: datetime, units: int, months: int, tz_name: str) -> datetime:
    end = start
    for _ in range(units):
        end = term_end(end, months, tz_name)
    return end


def _payment_order(term: MembershipTermRow):
    return term.paid_at, term.order_line_id  # both facts: saved or not, a term always lands in one place


def rechain(terms: list[MembershipTermRow], tz_name: str) -> dict[int, datetime]:
    """Place every term on its plan's chain; {plan id: where that plan's chain ends}."""
    ends = {}
    by_plan = sorted(terms, key=lambda t: (t.plan_id, *_payment_order(t)))
    for plan_id, chain in groupby(by_plan, key=lambda t: t.plan_id):
        cursor = None
        for term in chain:
            months = TERM_MONTHS[term.plan.term]
            start = term.paid_at if cursor is None or cursor < term.paid_at else cursor
            full_end = _after_units(start, term.quantity, months, tz_name)
            end = _after_units(start, term.quantity - term.refunded_quantity, months, tz_name)
            if term.refunded_quantity and term.refunded_at is not None:
                used = min(max(term.refunded_at, start), full_end)  # what was used stays used
                end = max(end, used)
            term.starts_at, term.ends_at = start, end
            cursor = end
        ends[plan_id] = cursor
    return ends


def placed_ends(terms: list[MembershipTermRow]) -> dict[int, datetime]:
    """{plan id: chain end} of terms already placed (read back from their rows)."""
    ends: dict[int, datetime] = {}
    for term in terms:
        ends[term.plan_id] = max(ends.get(term.plan_id, term.ends_at), term.ends_at)
    return ends


def plan_in_force(
    terms: list[MembershipTermRow], ends: dict[int, datetime], now: datetime
) -> tuple[MembershipPlan, datetime]:
    """(the plan in force at `now`, where its chain ends); terms need `plan.tier` loaded."""
    plans = {term.plan_id: term.plan for term in terms}
    running = {t.plan_id for t in terms if t.starts_at <= now < t.ends_at}
    if running:
        best = max(running, key=lambda pk: (plans[pk].tier.position, ends[pk], -pk))
    else:
        best = max(plans, key=lambda pk: (ends[pk], -pk))
    return plans[best], ends[best]
