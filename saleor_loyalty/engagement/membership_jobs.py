"""The paid membership's periodic jobs: end memberships whose chain ran out, tell members before and
after, and give the plans' monthly gifts.

Each is resumable and safe on several workers: the work left is a predicate on the rows themselves
(running and past its end; reminder not sent for this end; gift row missing for this month), so a
crashed run leaves exactly what the next one picks up, and every write is keyed or locked:
- expiry re-checks each membership under the account and membership locks (an extension that
  landed meanwhile wins);
- a notice is claimed in the transaction that records it was sent for this `ends_at` (SKIP LOCKED),
  and delivered after commit through the consent-aware pipeline;
- the monthly gift is a ledger row (points) and a credit row with the card move (store credit), both
  keyed `membership_gift:<membership>:<yyyy-mm>` (the program's local month), written under the
  account lock, so a second run, a second worker or a replay gives nothing twice.
Each run walks at most `max_batches` batches by id (keyset) and the next run carries on.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import (
    CharField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.core.clock import local_date
from saleor_loyalty.core.jobs import JobRun, single_runner
from saleor_loyalty.core.money import quantize_money
from saleor_loyalty.engagement import membership_news
from saleor_loyalty.engagement.membership import end_if_due
from saleor_loyalty.exceptions import StoreCreditUnavailable
from saleor_loyalty.ledger.accounts import append_entry
from saleor_loyalty.models import (
    CreditEntry,
    CreditKind,
    EntryKind,
    LedgerEntry,
    LoyaltyProgram,
    Membership,
    MembershipStatus,
)
from saleor_loyalty.rewards import store_credit

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


def gift_source_key(membership_id: int, month: str) -> str:
    return f"membership_gift:{membership_id}:{month}"


def expire_due(now: datetime | None = None, batch_size: int = BATCH_SIZE, max_batches: int = 20) -> JobRun:
    """Running memberships whose plan in force ended by `now`: the next plan takes over, or they end
    (falling their members back)."""
    now = now or timezone.now()
    run = JobRun()
    with single_runner("membership-expiry") as mine:
        while mine and run.batches < max_batches:
            due = list(
                Membership.objects.filter(status=MembershipStatus.ACTIVE, plan_ends_at__lte=now)
                .order_by("plan_ends_at", "id")
                .values_list("id", flat=True)[:batch_size]
            )
            if not due:
                break
            run.batches += 1
            run.seen += len(due)
            run.written += sum(end_if_due(membership_id, now) is not None for membership_id in due)
    return run


def _notify(rows, build, mark_field: str, now: datetime, limit: int) -> int:
    """Claim one notice per row and record it for the row's `ends_at`, in one transaction per row."""
    handed = 0
    for _ in range(limit):
        claimed = None
        with transaction.atomic():
            membership = (
                rows.select_for_update(skip_locked=True, of=("self",))
                .select_related("plan", "plan__tier", "program", "account")
                .order_by("ends_at", "id")
                .first()
            )
            if membership is None:
                break
            if membership_news.club_news_on(membership.program) and membership.account.email:
                message = build(membership)
                claimed = (message, membership_news.claim(message, now))
                handed += 1
            setattr(membership, mark_field, membership.ends_at)
            membership.save(update_fields=[mark_field, "updated_at"])
        if claimed is not None:
            membership_news.deliver(*claimed, now)
    return handed


def send_reminders(now: datetime | None = None, limit: int = 200) -> int:
    """ "Ending soon" for running memberships within their plan's reminder days of the end, once per end
    (an extension moves the end and earns a new reminder). Paused programs' reminders wait for the switch."""
    now = now or timezone.now()
    remind_at = ExpressionWrapper(
        F("ends_at")
        - ExpressionWrapper(
            F("plan__reminder_days") * Value(timedelta(days=1)), output_field=DurationField()
        ),
        output_field=DateTimeField(),
    )
    rows = (
        Membership.objects.alias(remind_at=remind_at)
        .filter(
            status=MembershipStatus.ACTIVE, ends_at__gt=now, remind_at__lte=now, plan__reminder_days__gt=0
        )
        .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("ends_at")))
        .exclude(program__channel_slug__in=LoyaltyProgram.paused_channels())
    )
    return _notify(rows, membership_news.ending_soon, "reminded_for", now, limit)


def send_ended_notices(now: datetime | None = None, limit: int = 200) -> int:
    """ "Ended" once per ended membership (by expiry or by a refund); none is made up for a paused program."""
    now = now or timezone.now()
    rows = Membership.objects.filter(status=MembershipStatus.ENDED).filter(
        Q(ended_notice_for__isnull=True) | ~Q(ended_notice_for=F("ends_at"))
    )
    return _notify(rows, membership_news.ended, "ended_notice_for", now, limit)


@dataclass
class GiftReport:
    points: int = 0
    credited: int = 0
    credit_unavailable: int = 0
    batches: int = 0


def _missing_gifts(program: LoyaltyProgram, month: str, now: datetime):
    key = Concat(Value("membership_gift:"), Cast(OuterRef("id"), CharField()), Value(f":{month}"))
    points_given = LedgerEntry.objects.filter(kind=EntryKind.MEMBERSHIP_GIFT, source_key=key)
    credit_given = CreditEntry.objects.filter(kind=CreditKind.MEMBERSHIP_GIFT, source_key=key)
    return (
        Membership.objects.alias(has_points=Exists(points_given), has_credit=Exists(credit_given))
        .filter(program=program, status=MembershipStatus.ACTIVE, started_at__lte=now, ends_at__gt=now)
        .filter(
            Q(plan__monthly_gift_points__gt=0, has_points=False)
            | Q(plan__monthly_gift_credit__gt=0, has_credit=False, account__user__isnull=False)
        )
        .select_related("plan", "account")
        .order_by("id")
    )


def _give(
    membership: Membership, program: LoyaltyProgram, month: str, cards, now, report: GiftReport
) -> None:
    plan, key = membership.plan, gift_source_key(membership.pk, month)
    with transaction.atomic():
        account = ledger.lock_account(membership.account)
        account.program = program
        if plan.monthly_gift_points > 0 and append_entry(
            account,
            kind=EntryKind.MEMBERSHIP_GIFT,
            points=plan.monthly_gift_points,
            source_key=key,
            reason=f"Monthly gift {month} ({plan.name})",
            detail={"month": month, "plan": plan.name, "membership": membership.pk},
        ):
            report.points += 1
    if plan.monthly_gift_credit <= 0 or account.user_id is None:
        return
    try:
        with transaction.atomic():
            account = ledger.lock_account(membership.account)
            account.program = program
            if CreditEntry.objects.filter(kind=CreditKind.MEMBERSHIP_GIFT, source_key=key).exists():
                return  # seen under the lock: the card is never moved twice
            amount = quantize_money(plan.monthly_gift_credit, program.currency).amount
            card = store_credit.card_for(account, cards)
            if store_credit.move_card_and_record(
                account,
                card,
                cards,
                delta=amount,
                note=f"Membership gift {month} ({plan.name})",
                kind=CreditKind.MEMBERSHIP_GIFT,
                amount=amount,
                source_key=key,
                available_at=now,
                detail={"month": month, "plan": plan.name, "membership": membership.pk},
            ):
                report.credited += 1
    except StoreCreditUnavailable:
        report.credit_unavailable += 1


def give_monthly_gifts(
    program: LoyaltyProgram,
    now: datetime | None = None,
    *,
    cards,
    batch_size: int = BATCH_SIZE,
    max_batches: int = 20,
) -> GiftReport:
    """This local month's gift for every running membership of the program that has not had it."""
    now = now or timezone.now()
    report = GiftReport()
    if not program.gives_value():
        return report  # switched off: no gift, and the month is not made up for later
    month = local_date(now, program.timezone).strftime("%Y-%m")
    after_id = 0
    while report.batches < max_batches:
        batch = list(_missing_gifts(program, month, now).filter(id__gt=after_id)[:batch_size])
        if not batch:
            break
        report.batches += 1
        for membership in batch:
            _give(membership, program, month, cards, now, report)
        after_id = batch[-1].pk
    if report.credit_unavailable:
        logger.warning(
            "%s membership credits skipped: this Saleor cannot hold store credit", report.credit_unavailable
        )
    return report


def give_all_monthly_gifts(now: datetime | None = None, *, cards) -> dict[str, GiftReport]:
    with single_runner("membership-gifts") as mine:
        if not mine:
            return {}
        return {
            program.channel_slug: give_monthly_gifts(program, now, cards=cards)
            for program in LoyaltyProgram.objects.filter(is_active=True, membership_plans__isnull=False)
            .distinct()
            .order_by("pk")
        }
