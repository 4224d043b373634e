"""Birthdays: the member sets day and month (rarely), and the tier's gift arrives once a year on the day.

"On the birthday" means the program's local date. A 29 February birthday is celebrated on
28 February in years without one. The gift is points (a ledger row) and/or store credit on the
member's card (a credit row written with the card's move), each keyed by account and year, so a
job that runs twice, on two workers, or is restarted after a crash gives each once.
"""

import calendar
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.core.clock import local_date
from saleor_loyalty.core.lock_objects import account_qs_select_for_update
from saleor_loyalty.core.money import quantize_money
from saleor_loyalty.exceptions import BirthdayChangeLimited, InvalidBirthday, StoreCreditUnavailable
from saleor_loyalty.models import CreditEntry, CreditKind, LoyaltyAccount, LoyaltyProgram, Tier
from saleor_loyalty.rewards import store_credit
from saleor_loyalty.rewards.store_credit import StoreCreditCards
from saleor_loyalty.tiers.ladder import current_tier, ladder

logger = logging.getLogger(__name__)

CHANGE_INTERVAL = timedelta(days=365)
BATCH_SIZE = 1000
LEAP_DAY = (2, 29)


def validate_birthday(month: int, day: int) -> None:
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise InvalidBirthday("month must be 1-12.", "month")
    if (
        isinstance(day, bool)
        or not isinstance(day, int)
        or not 1 <= day <= calendar.monthrange(2000, month)[1]
    ):
        raise InvalidBirthday("That month has no such day.", "day")


def set_birthday(
    account: LoyaltyAccount, month: int, day: int, now: datetime | None = None
) -> LoyaltyAccount:
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


def give_birthday_credit(
    account: LoyaltyAccount, tier: Tier, year: int, cards: StoreCreditCards, now: datetime
) -> CreditEntry | None:
    """The tier's birthday credit for one year, onto the member's card; None when that year's was given.

    Checked under the account lock before the card moves, so a repeat never touches the card; the
    (kind, source_key) constraint refuses a second row, and the card move with it, whatever happens.
    """
    key = ledger.birthday_source_key(account.pk, year)
    with transaction.atomic():
        locked = ledger.lock_account(account)
        locked.program = account.program
        if CreditEntry.objects.filter(kind=CreditKind.BIRTHDAY_GIFT, source_key=key).exists():
            return None
        amount = quantize_money(tier.birthday_credit, locked.program.currency).amount
        card = store_credit.card_for(locked, cards)
        return store_credit.move_card_and_record(
            locked,
            card,
            cards,
            delta=amount,
            note=f"Birthday gift {year} ({tier.name})",
            kind=CreditKind.BIRTHDAY_GIFT,
            amount=amount,
            source_key=key,
            available_at=now,
            detail={"year": year, "tier": tier.name},
        )


@dataclass
class BirthdayReport:
    gifted: int = 0
    already_gifted: int = 0
    credited: int = 0
    already_credited: int = 0
    credit_unavailable: int = 0


def give_birthday_gifts(
    program: LoyaltyProgram,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    *,
    cards: StoreCreditCards,
) -> BirthdayReport:
    """Give today's birthday gifts in one program, batch by batch (keyset on the account id).

    Points and credit are separate rows in separate transactions: a Saleor that cannot hold store
    credit (3.22 answers StoreCreditUnavailable, before any card is made or moved) still lets the
    points through; the credit is skipped, counted and logged once per run.
    """
    now = now or timezone.now()
    report = BirthdayReport()
    if not program.gives_value():
        return report  # switched off: no gift; the day is not made up for later
    today = local_date(now, program.timezone)
    tiers = ladder(program)
    if not tiers:
        return report
    members = (
        LoyaltyAccount.objects.filter(
            celebrated_today(today),
            program=program,
            merged_into__isnull=True,
            user__isnull=False,
        )
        .select_related("program")
        .order_by("pk")
    )
    after_id = 0
    while True:
        batch = list(members.filter(pk__gt=after_id)[:batch_size])
        if not batch:
            if report.credit_unavailable:
                logger.warning(
                    "%s birthday credits in %s skipped: this Saleor cannot hold store credit",
                    report.credit_unavailable,
                    program.channel_slug,
                )
            return report
        for account in batch:
            tier = current_tier(account, tiers)
            entry = ledger.award_birthday_points(account, tier.birthday_points, today.year, tier.name)
            if entry is not None:
                report.gifted += 1
            elif tier.birthday_points > 0:
                report.already_gifted += 1
            if tier.birthday_credit > 0:
                _credit(report, account, tier, today.year, cards, now)
        after_id = batch[-1].pk


def _credit(
    report: BirthdayReport,
    account: LoyaltyAccount,
    tier: Tier,
    year: int,
    cards: StoreCreditCards,
    now: datetime,
) -> None:
    try:
        credit = give_birthday_credit(account, tier, year, cards, now)
    except StoreCreditUnavailable:
        report.credit_unavailable += 1
        return
    if credit is not None:
        report.credited += 1
    else:
        report.already_credited += 1


def give_all_birthday_gifts(
    now: datetime | None = None, *, cards: StoreCreditCards
) -> dict[str, BirthdayReport]:
    return {
        program.channel_slug: give_birthday_gifts(program, now, cards=cards)
        for program in LoyaltyProgram.objects.order_by("pk")
        if program.gives_value()
    }
