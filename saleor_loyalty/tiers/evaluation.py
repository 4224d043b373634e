"""The nightly tier evaluation: the only place a member moves down.

Resumable and safe on several workers at once:
- each program has one run per local day (`TierEvaluationRun`, unique per program and day) holding a
  keyset cursor over account ids; each batch locks the run row, evaluates the next accounts, writes
  their changes and moves the cursor in ONE transaction, so a crash loses nothing and repeats nothing;
- a second worker finds the run row locked (`FOR UPDATE SKIP LOCKED`) and leaves at once instead of
  evaluating the same members twice; the next scheduled run picks up whatever is left;
- per batch: one claim query, one qualification query, set-based writes for the members whose tier
  or grace state changes. Quiet members cost no write at all;
- a running paid membership is a floor like a staff floor: its plan's tier is never left (the claim
  query reads it with the account).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone

from saleor_loyalty.core.clock import local_date
from saleor_loyalty.models import (
    LoyaltyAccount,
    LoyaltyProgram,
    Membership,
    MembershipPlan,
    Tier,
    TierCause,
    TierEvaluationRun,
    TierEvent,
)
from saleor_loyalty.tiers.ladder import (
    grace_end,
    highest_entered,
    highest_retained,
    ladder,
    qualifying_amounts,
)

DEFAULT_BATCH_SIZE = 5000

_ACCOUNTS = LoyaltyAccount._meta.db_table
_PAID_TIER = f"""(SELECT p.tier_id FROM {Membership._meta.db_table} m
    JOIN {MembershipPlan._meta.db_table} p ON p.id = m.plan_id
    WHERE m.account_id = a.id AND m.status = 'active' AND m.ends_at > %(now)s)"""
CLAIM_SQL = f"""
SELECT id, tier_id, tier_floor_id, tier_downgrade_due_on, {_PAID_TIER} FROM {_ACCOUNTS} a
WHERE program_id = %(program)s AND id > %(after)s AND merged_into_id IS NULL
ORDER BY id LIMIT %(limit)s
FOR UPDATE
"""
MOVE_SQL = f"""
UPDATE {_ACCOUNTS} a SET tier_id = v.tier_id, tier_since = %(now)s, tier_downgrade_due_on = NULL, updated_at = %(now)s
FROM unnest(%(ids)s::bigint[], %(tiers)s::bigint[]) AS v(id, tier_id) WHERE a.id = v.id
"""
GRACE_SQL = f"""
UPDATE {_ACCOUNTS} a SET tier_downgrade_due_on = v.due, updated_at = %(now)s
FROM unnest(%(ids)s::bigint[], %(dues)s::date[]) AS v(id, due) WHERE a.id = v.id
"""


@dataclass
class EvaluationReport:
    evaluated: int = 0
    upgraded: int = 0
    downgraded: int = 0
    grace_started: int = 0
    batches: int = 0
    finished: bool = False
    busy: bool = False


@dataclass(frozen=True)
class _Claimed:
    id: int
    tier_id: int | None
    floor_id: int | None
    due_on: date | None
    paid_tier_id: int | None = None


def _decide(member: _Claimed, amount, tiers: list[Tier], today: date, program: LoyaltyProgram):
    """(cause, target tier, new due date) for one member, or None when nothing changes."""
    by_id = {tier.pk: tier for tier in tiers}
    current = by_id.get(member.tier_id, tiers[0])
    floor = max(
        by_id.get(member.floor_id, tiers[0]),
        by_id.get(member.paid_tier_id, tiers[0]),
        key=lambda tier: tier.position,
    )
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


def evaluate_batch(
    program: LoyaltyProgram,
    tiers: list[Tier],
    today: date,
    now: datetime,
    batch_size: int,
    report: EvaluationReport,
) -> bool:
    """Evaluate the next batch of today's run in one transaction; False when the run is done or busy.

    Accounts are locked (waiting briefly for an order being accrued, never skipped: the cursor
    must not pass a member it did not evaluate). Writes are set-based, so a night with many
    changes costs about as much as a quiet one.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        run = (
            TierEvaluationRun.objects.select_for_update(skip_locked=True)
            .filter(program=program, day=today)
            .first()
        )
        if run is None:
            report.busy = True
            return False
        if run.finished_at is not None:
            report.finished = True
            return False
        cursor.execute(
            CLAIM_SQL, {"program": program.pk, "after": run.last_account_id, "limit": batch_size, "now": now}
        )
        claimed = [_Claimed(*row) for row in cursor.fetchall()]
        if not claimed:
            run.finished_at = now
            run.save(update_fields=["finished_at"])
            report.finished = True
            return False
        ids = [member.id for member in claimed]
        amounts = qualifying_amounts(program, ids, now)
        by_id = {tier.pk: tier for tier in tiers}
        moves, graces, events = [], [], []
        for member in claimed:
            decision = _decide(member, amounts[member.id], tiers, today, program)
            if decision is None:
                continue
            cause, target, due = decision
            current = by_id.get(member.tier_id, tiers[0])
            if cause in (TierCause.EVALUATION_UPGRADE, TierCause.EVALUATION_DOWNGRADE):
                moves.append((member.id, target.pk))
                report.upgraded += cause == TierCause.EVALUATION_UPGRADE
                report.downgraded += cause == TierCause.EVALUATION_DOWNGRADE
            else:
                graces.append((member.id, due))
                report.grace_started += cause == TierCause.GRACE_STARTED
            events.append(
                TierEvent(
                    account_id=member.id,
                    cause=cause,
                    from_tier_id=current.pk,
                    to_tier_id=target.pk,
                    from_tier_name=current.name,
                    to_tier_name=target.name,
                    qualifying_amount=amounts[member.id],
                    reason=f"Downgrade due on {due.isoformat()}" if due else "",
                    actor_label="system",
                )
            )
        if moves:
            cursor.execute(
                MOVE_SQL, {"ids": [m[0] for m in moves], "tiers": [m[1] for m in moves], "now": now}
            )
        if graces:
            cursor.execute(
                GRACE_SQL, {"ids": [g[0] for g in graces], "dues": [g[1] for g in graces], "now": now}
            )
        TierEvent.objects.bulk_create(events)
        run.last_account_id, run.evaluated = ids[-1], run.evaluated + len(ids)
        run.save(update_fields=["last_account_id", "evaluated"])
    report.evaluated += len(claimed)
    report.batches += 1
    return True


def evaluate_program(
    program: LoyaltyProgram,
    now: datetime | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_batches: int | None = None,
) -> EvaluationReport:
    """Continue (or start) today's local-date run for the program, for at most `max_batches` batches."""
    now = now or timezone.now()
    report = EvaluationReport()
    tiers = ladder(program)
    if not tiers:
        report.finished = True
        return report
    today = local_date(now, program.timezone)
    TierEvaluationRun.objects.get_or_create(program=program, day=today)
    while max_batches is None or report.batches < max_batches:
        if not evaluate_batch(program, tiers, today, now, batch_size, report):
            break
    return report


def evaluate_all(
    now: datetime | None = None, batch_size: int = DEFAULT_BATCH_SIZE, max_batches: int | None = None
) -> dict[str, EvaluationReport]:
    return {
        program.channel_slug: evaluate_program(program, now, batch_size, max_batches)
        for program in LoyaltyProgram.objects.filter(is_active=True).order_by("pk")
    }
