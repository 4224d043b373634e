"""Birthdays: the member sets day and month (rarely), and the tier's gift arrives once a year on the day.

"On the birthday" means the program's local date. A 29 February birthday is celebrated on
28 February in years without one. The gift is a ledger row keyed by account and year, so a job
that runs twice, on two workers, or is restarted after a crash gives it once.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import ledger
from .clock import local_date
from .exceptions import BirthdayChangeLimited, InvalidBirthday
from .lock_objects import account_qs_select_for_update
from .models import LoyaltyAccount, LoyaltyProgram
from .tiers import current_tier, ladder

CHANGE_INTERVAL = timedelta(days=365)
BATCH_SIZE = 1000
LEAP_DAY = (2, 29)


def validate_birthday(month: int, day: int) -> None:
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise InvalidBirthday("month must be 1-12.", "month")
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= calendar.monthrange(2000, month)[1]:
        raise InvalidBirthday("That month has no such day.", "day")


def set_birthday(account: LoyaltyAccount, month: int, day: int, now: datetime | None = None) -> LoyaltyAccount:
    """Set once; changing it again is allowed only a year after the last change (no gift farming)."""
    now = now or timezone.now()
    validate_birthday(month, day)
    with transaction.atomic():
        locked = account_qs_select_for_update().get(pk=account.pk)
        if (locked.birthday_month, locked.birthday_day) == (month, day):
            return locked
        if locked.birthday_set_at is not None and now - locked.birthday_set_at < CHANGE_INTERVAL:
            next_change = (locked.birthday_set_at + CHANGE_INTERVAL).date()
            raise BirthdayChangeLimited(f"The birthday can be changed again from {next_change.isoformat()}.")
        locked.birthday_month, locked.birthday_day, locked.birthday_set_at = month, day, now
        locked.save(update_fields=["birthday_month", "birthday_day", "birthday_set_at", "updated_at"])
    return locked


def celebrated_today(today: date) -> Q:
    """Members whose birthday is `today`, with 29 February moved to 28 February in common years."""
    matches = Q(birthday_month=today.month, birthday_day=today.day)
    if (today.month, today.day) == (2, 28) and not calendar.isleap(today.year):
        matches |= Q(birthday_month=LEAP_DAY[0], birthday_day=LEAP_DAY[1])
    return matches


@dataclass
class BirthdayReport:
    gifted: int = 0
    already_gifted: int = 0


def give_birthday_gifts(program: LoyaltyProgram, now: datetime | None = None,
                        batch_size: int = BATCH_SIZE) -> BirthdayReport:
    """Give today's birthday gifts in one program, batch by batch (keyset on the account id)."""
    now = now or timezone.now()
    today = local_date(now, program.timezone)
    tiers = ladder(program)
    report = BirthdayReport()
    if not tiers:
        return report
    members = LoyaltyAccount.objects.filter(
        celebrated_today(today), program=program, merged_into__isnull=True, user__isnull=False,
    ).order_by("pk")
    after_id = 0
    while True:
        batch = list(members.filter(pk__gt=after_id)[:batch_size])
        if not batch:
            return report
        for account in batch:
            tier = current_tier(account, tiers)
            entry = ledger.award_birthday_points(account, tier.birthday_points, today.year, tier.name)
            if entry is not None:
                report.gifted += 1
            elif tier.birthday_points > 0:
                report.already_gifted += 1
        after_id = batch[-1].pk


def give_all_birthday_gifts(now: datetime | None = None) -> dict[str, BirthdayReport]:
    return {
        program.channel_slug: give_birthday_gifts(program, now)
        for program in LoyaltyProgram.objects.filter(is_active=True).order_by("pk")
    }
