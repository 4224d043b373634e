"""Time in the channel's timezone: 'midnight' and 'end of day' always mean the channel's local time."""

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def end_of_local_day(day: date, tz_name: str) -> datetime:
    """The last instant of `day` in the zone, DST-safe (the next local midnight minus 1 µs)."""
    tz = ZoneInfo(tz_name)
    next_midnight = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return next_midnight - timedelta(microseconds=1)


def local_date(moment: datetime, tz_name: str) -> date:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the club only works with timezone-aware times")
    return moment.astimezone(ZoneInfo(tz_name)).date()


def lot_expiry(earned_at: datetime, months: int, tz_name: str) -> datetime | None:
    """Earned points expire at the end of the local day `months` after they were earned; 0 = never."""
    if months == 0:
        return None
    return end_of_local_day(add_months(local_date(earned_at, tz_name), months), tz_name)
