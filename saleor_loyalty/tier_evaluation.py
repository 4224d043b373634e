"""The nightly tier evaluation: the only place a member moves down.

Resumable and safe on several workers at once without any coordinator:
- the claim is the account row itself: `tier_evaluated_on` is set to the program's local date in
  the same transaction that evaluates the account, so a restarted or repeated run skips members
  already done today, and a run after local midnight starts the next day's pass;
- batches are a keyset over the account primary key, locked with `FOR UPDATE SKIP LOCKED`, so
  two workers take different members and neither waits on an order being accrued (a member whose
  row is locked is simply left for the next run);
- one qualification query per batch, a bulk claim update, and per-member writes only for members
  whose tier or grace state changes.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone

from .clock import local_date
from .models import LoyaltyAccount, LoyaltyProgram, Tier, TierCause
from .tiers import grace_end, highest_entered, highest_retained, ladder, move_to, qualifying_amounts, record_event

DEFAULT_BATCH_SIZE = 5000

_ACCOUNTS = LoyaltyAccount._meta.db_table
CLAIM_SQL = f"""
SELECT id, tier_id, tier_floor_id, tier_downgrade_due_on FROM {_ACCOUNTS}
WHERE program_id = %(program)s AND id > %(after)s AND merged_into_id IS NULL
  AND (tier_evaluated_on IS NULL OR tier_evaluated_on < %(today)s)
ORDER BY id LIMIT %(limit)s
FOR UPDATE SKIP LOCKED
"""
MARK_SQL = f"UPDATE {_ACCOUNTS} SET tier_evaluated_on = %(today)s WHERE id = ANY(%(ids)s)"


@dataclass
class EvaluationReport:
    evaluated: int = 0
    upgraded: int = 0
    downgraded: int = 0
    grace_started: int = 0
    batches: int = 0
    finished: bool = False


@dataclass(frozen=True)
class _Claimed:
    id: int
    tier_id: int | None
    floor_id: int | None
    due_on: date | None


def _decide(member: _Claimed, amount, tiers: list[Tier], today: date, program: LoyaltyProgram):
    """(cause, target tier, new due date) for one member, or None when nothing changes."""
    by_id = {tier.pk: tier for tier in tiers}
    current = by_id.get(member.tier_id, tiers[0])
    floor = by_id.get(member.floor_id, tiers[0])
    entered = highest_entered(tiers, amount) or tiers[0]
    if entered.position > current.position:
        return TierCause.EVALUATION_UPGRADE, entered, None
    kept = highest_retained(tiers, amount) or tiers[0]
    deserved = max(kept, floor, key=lambda tier: tier.position)
    if deserved.position >= current.position:
        return (TierCause.GRACE_CLEARED, current, None) if member.due_on else None
    due = member.due_on or grace_end(program, today)
    if today >= due:
        return TierCause.EVALUATION_DOWNGRADE, deserved, None
    return (TierCause.GRACE_STARTED, current, due) if member.due_on is None else None


def evaluate_batch(program: LoyaltyProgram, tiers: list[Tier], today: date, now: datetime, after_id: int,
                   batch_size: int, report: EvaluationReport) -> int | None:
    """Claim, evaluate and mark one batch in one transaction; the last id, or None when none are left."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL, {"program": program.pk, "after": after_id, "today": today, "limit": batch_size})
        claimed = [_Claimed(*row) for row in cursor.fetchall()]
        if not claimed:
            return None
        ids = [member.id for member in claimed]
        amounts = qualifying_amounts(program, ids, now)
        for member in claimed:
            decision = _decide(member, amounts[member.id], tiers, today, program)
            if decision is not None:
                _apply(member, decision, amounts[member.id], now, report)
        cursor.execute(MARK_SQL, {"today": today, "ids": ids})
    report.evaluated += len(claimed)
    report.batches += 1
    return claimed[-1].id


def _apply(member: _Claimed, decision, amount, now: datetime, report: EvaluationReport) -> None:
    cause, target, due = decision
    account = LoyaltyAccount(pk=member.id, tier_id=member.tier_id)
    if cause in (TierCause.EVALUATION_UPGRADE, TierCause.EVALUATION_DOWNGRADE):
        move_to(account, target, cause, now, amount=amount)
        report.upgraded += cause == TierCause.EVALUATION_UPGRADE
        report.downgraded += cause == TierCause.EVALUATION_DOWNGRADE
    else:
        LoyaltyAccount.objects.filter(pk=member.id).update(tier_downgrade_due_on=due, updated_at=now)
        record_event(account, cause, target, target, amount=amount,
                     reason=f"Downgrade due on {due.isoformat()}" if due else "")
        report.grace_started += cause == TierCause.GRACE_STARTED


def evaluate_program(program: LoyaltyProgram, now: datetime | None = None, batch_size: int = DEFAULT_BATCH_SIZE,
                     max_batches: int | None = None) -> EvaluationReport:
    """Evaluate the program's members not yet evaluated on today's local date, up to `max_batches`."""
    now = now or timezone.now()
    report = EvaluationReport()
    tiers = ladder(program)
    if not tiers:
        report.finished = True
        return report
    today = local_date(now, program.timezone)
    after_id = 0
    while max_batches is None or report.batches < max_batches:
        after_id = evaluate_batch(program, tiers, today, now, after_id, batch_size, report)
        if after_id is None:
            report.finished = True
            break
    return report


def evaluate_all(now: datetime | None = None, batch_size: int = DEFAULT_BATCH_SIZE,
                 max_batches: int | None = None) -> dict[str, EvaluationReport]:
    return {
        program.channel_slug: evaluate_program(program, now, batch_size, max_batches)
        for program in LoyaltyProgram.objects.filter(is_active=True).order_by("pk")
    }
