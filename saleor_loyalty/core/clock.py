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


def day_and_month_starts(now: datetime, tz_name: str) -> dict[str, datetime]:
    """Today and this month in the zone as half-open instants (local midnights): where daily and monthly
    caps count from and to."""
    today = local_date(now, tz_name)
    first = today.replace(day=1)
    return {
        "day_from": _local_midnight(today, tz_name),
        "day_to": _local_midnight(today + timedelta(days=1), tz_name),
        "month_from": _local_midnight(first, tz_name),
        "month_to": _local_midnight(add_months(first, 1), tz_name),
    }


def _local_midnight(day: date, tz_name: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz_name))
