"""The membership-anniversary gift: points and/or store credit once a year, on the local date the member
joined (29 February joiners on 28 February in common years).

Invariant: each gift is keyed `anniversary:<account>:<year>` (a ledger row for points, a credit row for
credit), so a job run twice, on two workers, or restarted gives each once. The job walks each program's
members of the day by id from a cursor (`JobCursor` per program, holding the local date it is on), so a
run resumes where the last stopped and a day with nothing due costs one query per program.
"""

import calendar
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.core.clock import local_date, lot_expiry
from saleor_loyalty.core.jobs import JobRun, claim_cursor
from saleor_loyalty.core.money import quantize_money
from saleor_loyalty.exceptions import StoreCreditUnavailable
from saleor_loyalty.ledger.accounts import append_entry  # the one writer path (under lock_account)
from saleor_loyalty.models import (
    ActionSettings,
    CreditEntry,
    CreditKind,
    EntryKind,
    LoyaltyAccount,
    LoyaltyProgram,
)
from saleor_loyalty.rewards import store_credit
from saleor_loyalty.rewards.store_credit import StoreCreditCards

logger = logging.getLogger(__name__)
BATCH_SIZE = 500


def anniversary_source_key(account_id: int, year: int) -> str:
    return f"anniversary:{account_id}:{year}"


def _joined_on(today, tz_name: str):
    zone = ZoneInfo(tz_name)
    accounts = LoyaltyAccount.objects.annotate(
        joined_month=ExtractMonth("created_at", tzinfo=zone),
        joined_day=ExtractDay("created_at", tzinfo=zone),
        joined_year=ExtractYear("created_at", tzinfo=zone),
    )
    same_day = Q(joined_month=today.month, joined_day=today.day)
    if (today.month, today.day) == (2, 28) and not calendar.isleap(today.year):
        same_day |= Q(joined_month=2, joined_day=29)
    return accounts.filter(same_day, joined_year__lt=today.year)


def give_points(account: LoyaltyAccount, points: int, year: int, now: datetime):
    program = account.program
    with transaction.atomic():
        locked = ledger.lock_account(account)
        return append_entry(
            locked,
            kind=EntryKind.ANNIVERSARY,
            points=points,
            source_key=anniversary_source_key(account.pk, year),
            reason=f"A year in the club ({year})",
            detail={"year": year},
            occurred_at=now,
            expires_at=lot_expiry(now, program.expiry_months, program.timezone),
        )


def give_credit(account: LoyaltyAccount, amount, year: int, cards: StoreCreditCards, now: datetime):
    """Checked under the account lock before the card moves, so a repeat never touches the card."""
    key = anniversary_source_key(account.pk, year)
    with transaction.atomic():
        locked = ledger.lock_account(account)
        locked.program = account.program
        if CreditEntry.objects.filter(kind=CreditKind.ANNIVERSARY_GIFT, source_key=key).exists():
            return None
        amount = quantize_money(amount, locked.program.currency).amount
        return store_credit.move_card_and_record(
            locked,
            store_credit.card_for(locked, cards),
            cards,
            delta=amount,
            note=f"A year in the club ({year})",
            kind=CreditKind.ANNIVERSARY_GIFT,
            amount=amount,
            source_key=key,
            available_at=now,
            detail={"year": year},
        )


def give_anniversary_gifts(
    program: LoyaltyProgram,
    gift: ActionSettings,
    cards: StoreCreditCards,
    now: datetime | None = None,
    max_batches: int = 20,
    batch_size: int = BATCH_SIZE,
) -> JobRun:
    now = now or timezone.now()
    run = JobRun()
    if not program.gives_value():
        return run
    today = local_date(now, program.timezone)
    due = (
        _joined_on(today, program.timezone)
        .filter(program=program, user__isnull=False, merged_into__isnull=True)
        .select_related("program")
        .order_by("pk")
    )
    while run.batches < max_batches:
        with transaction.atomic():
            cursor = claim_cursor(f"anniversary:{program.pk}")
            if cursor is None:
                return run  # another worker is on it
            if cursor.last_key != today.isoformat():
                cursor.last_key, cursor.last_id = today.isoformat(), 0
            batch = list(due.filter(pk__gt=cursor.last_id)[:batch_size])
            run.batches += 1
            for account in batch:
                run.seen += 1
                if gift.anniversary_points and give_points(account, gift.anniversary_points, today.year, now):
                    run.written += 1
                    run.points += gift.anniversary_points
                if gift.anniversary_credit > 0:
                    try:
                        give_credit(account, gift.anniversary_credit, today.year, cards, now)
                    except StoreCreditUnavailable:
                        logger.warning(
                            "Anniversary credit skipped in %s: no store credit", program.channel_slug
                        )
            if batch:
                cursor.last_id = batch[-1].pk
            cursor.save(update_fields=["last_key", "last_id", "updated_at"])
            if len(batch) < batch_size:
                return run
    return run


def give_all_anniversary_gifts(cards: StoreCreditCards, now: datetime | None = None) -> dict[str, JobRun]:
    gifts = ActionSettings.objects.filter(
        Q(anniversary_points__gt=0) | Q(anniversary_credit__gt=0)
    ).select_related("program")
    return {
        gift.program.channel_slug: give_anniversary_gifts(gift.program, gift, cards, now)
        for gift in gifts.order_by("program_id")
    }
