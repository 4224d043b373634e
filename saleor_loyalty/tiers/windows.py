"""The window a tier is measured over, in the program's timezone: a calendar year, the last 12 months, or
a lifetime; its bounds are local midnights, so DST never moves them."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from saleor_loyalty.core.clock import add_months, local_date
from saleor_loyalty.models import LoyaltyProgram, TierWindow


def _local_midnight(day: date, tz_name: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz_name))


def window_start(program: LoyaltyProgram, now: datetime) -> datetime | None:
    """First instant that counts: local 1 January, local midnight 12 months ago, or None for lifetime."""
    today = local_date(now, program.timezone)
    if program.tier_window == TierWindow.CALENDAR_YEAR:
        return _local_midnight(date(today.year, 1, 1), program.timezone)
    if program.tier_window == TierWindow.ROLLING_12_MONTHS:
        return _local_midnight(add_months(today, -12), program.timezone)
    return None


def window_end_date(program: LoyaltyProgram, now: datetime) -> date | None:
    """The local date the current window closes on (calendar year only; the others slide or never end)."""
    if program.tier_window == TierWindow.CALENDAR_YEAR:
        return date(local_date(now, program.timezone).year, 12, 31)
    return None
