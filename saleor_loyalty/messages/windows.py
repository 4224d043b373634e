"""When a marketing message may go out: SMS hours, Shabbat and Israeli holidays, in channel time.

A message outside its window is deferred to the window's next opening, never dropped. Shabbat runs
from Friday afternoon to Saturday night (default 14:00 → 21:00, later than sunset and nightfall all
year in Israel); a holiday from 14:00 on its eve to 21:00 on the day (`QuietDay` rows per country).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from saleor_loyalty.models import Medium, QuietDay

FRIDAY, SATURDAY = 4, 5
MAX_MOVES = 30


def sms_window() -> tuple[int, int]:
    """Local hours [start, end) in which marketing SMS may go out (LOYALTY_SMS_HOURS)."""
    return tuple(getattr(settings, "LOYALTY_SMS_HOURS", (9, 20)))


def shabbat_window() -> tuple[int, int]:
    """Friday hour from which, and Saturday hour until which, nothing goes out; covers sunset all year
    (LOYALTY_SHABBAT_HOURS)."""
    return tuple(getattr(settings, "LOYALTY_SHABBAT_HOURS", (14, 21)))


def quiet_days(country: str, start: date, days: int = 40) -> set[date]:
    return set(
        QuietDay.objects.filter(
            country=country, day__gte=start, day__lte=start + timedelta(days=days)
        ).values_list("day", flat=True)
    )


def _at(day: date, hour: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz)


def _blocked_until(
    local: datetime, medium: str, observe_shabbat: bool, holidays: set[date]
) -> datetime | None:
    """The local time the block covering `local` ends, or None when `local` is allowed."""
    tz, day, hour = local.tzinfo, local.date(), local.hour
    eve_from, night_at = shabbat_window()
    if observe_shabbat:
        if day.weekday() == FRIDAY and hour >= eve_from:
            return _at(day + timedelta(days=1), night_at, tz)
        if day.weekday() == SATURDAY and hour < night_at:
            return _at(day, night_at, tz)
    if day in holidays and hour < night_at:
        return _at(day, night_at, tz)
    if day + timedelta(days=1) in holidays and hour >= eve_from:
        return _at(day + timedelta(days=1), night_at, tz)
    if medium == Medium.SMS:
        start, end = sms_window()
        if hour < start:
            return _at(day, start, tz)
        if hour >= end:
            return _at(day + timedelta(days=1), start, tz)
    return None


def next_allowed(
    moment: datetime, medium: str, tz_name: str, observe_shabbat: bool, holidays: set[date]
) -> datetime:
    """`moment` itself when sending is allowed then, else the first allowed instant after it."""
    local = moment.astimezone(ZoneInfo(tz_name))
    for _ in range(MAX_MOVES):
        until = _blocked_until(local, medium, observe_shabbat, holidays)
        if until is None:
            return local
        local = until
    return local


def window_until(now: datetime, medium: str, config) -> datetime:
    """`now` when the channel's quiet hours, Shabbat and holidays allow sending, else the next opening."""
    local_day = now.astimezone(ZoneInfo(config.timezone)).date()
    holidays = quiet_days(config.country, local_day - timedelta(days=1))
    return next_allowed(now, medium, config.timezone, config.observe_shabbat, holidays)
