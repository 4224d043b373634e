"""Completing a challenge: one completion row, its points and its badge, each once, under the account lock.

Evaluation runs for one member on each order event (`evaluate_member`, from `tasks.sync_order_task`)
and for every member from a resumable beat job (`evaluate_all`). Both compute progress from the facts
without a lock, then lock only the members with something newly reached. The completion is keyed by
(challenge, member, window) in a unique constraint and the points row by
`challenge:<challenge>:<account>:<window>` in the ledger's, so replays, two workers and concurrent
order events reward once. A challenge archived or switched off meanwhile is re-read under the lock.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from saleor_loyalty.core.clock import local_date
from saleor_loyalty.core.facts import OrderFacts
from saleor_loyalty.core.jobs import claim_cursor
from saleor_loyalty.engagement.badges import award_badge
from saleor_loyalty.engagement.challenges import (
    Progress,
    live_challenges,
    member_facts,
    member_progress,
    progress,
)
from saleor_loyalty.ledger.accounts import append_entry, effective_account, lock_account
from saleor_loyalty.ledger.orders import earn_source_key
from saleor_loyalty.models import (
    Challenge,
    ChallengeCompletion,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    OrderCategories,
)

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 2000
LATE_EVENT_GRACE_DAYS = 7  # the beat job still completes fixed windows this long after they end
JOB = "challenges"
COMPLETION_UNIQUE = "loyalty_challenge_completion_uniq"


def challenge_source_key(challenge_id: int, account_id: int, window_key: str) -> str:
    return f"challenge:{challenge_id}:{account_id}:{window_key}"


def _due(progresses) -> list[Progress]:
    return [item for item in progresses if item.completed_at is None and item.reached]


def complete(account_id: int, due: list[Progress], now: datetime) -> list[ChallengeCompletion]:
    """Record what the member newly reached: completion, points, badge. Each is a no-op when already there."""
    done = []
    with transaction.atomic():
        account = lock_account(LoyaltyAccount(pk=account_id))
        still_live = set(
            Challenge.objects.filter(
                pk__in=[item.challenge.pk for item in due], is_active=True, archived_at__isnull=True
            ).values_list("pk", flat=True)
        )
        for item in due:
            challenge = item.challenge
            if challenge.pk not in still_live:
                continue
            try:
                with transaction.atomic():
                    completion = ChallengeCompletion.objects.create(
                        challenge=challenge,
                        account=account,
                        window_key=item.window_key,
                        points=challenge.reward_points,
                        completed_at=now,
                    )
            except IntegrityError as error:
                if (
                    getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
                    == COMPLETION_UNIQUE
                ):
                    continue
                raise
            if challenge.reward_points:
                append_entry(
                    account,
                    kind=EntryKind.CHALLENGE,
                    points=challenge.reward_points,
                    source_key=challenge_source_key(challenge.pk, account.pk, item.window_key),
                    reason=f"Challenge completed: {challenge.name}",
                    detail={"challenge": challenge.pk, "window": item.window_key},
                )
            if challenge.badge_id:
                award_badge(account, challenge.badge_id, challenge, now)
            done.append(completion)
    return done


def evaluate_member(program: LoyaltyProgram, account: LoyaltyAccount, now: datetime | None = None):
    """Complete whatever the member reached; two queries when nothing is newly reached."""
    now = now or timezone.now()
    if not program.gives_value():
        return []
    due = _due(member_progress(program, account, now, LATE_EVENT_GRACE_DAYS))
    return complete(account.pk, due, now) if due else []


def record_order_categories(facts: OrderFacts, category_ids) -> None:
    """The categories of a paid order's lines, once per order (the ledger does not keep them)."""
    if facts.is_paid and category_ids:
        OrderCategories.objects.bulk_create(
            [OrderCategories(order_id=facts.order_id, category_ids=sorted(set(category_ids)))],
            ignore_conflicts=True,
        )


def on_order(facts: OrderFacts, category_ids=(), now: datetime | None = None) -> list[ChallengeCompletion]:
    """After the ledger synced an order: record its categories, then evaluate the member holding it."""
    record_order_categories(facts, category_ids)
    earn = (
        LedgerEntry.objects.filter(kind=EntryKind.EARN, source_key=earn_source_key(facts.order_id))
        .select_related("account__program")
        .first()
    )
    if earn is None:
        return []
    holder = effective_account(earn.account)
    return evaluate_member(holder.program, holder, now)


@dataclass
class ChallengeRun:
    batches: int = 0
    members: int = 0
    completed: int = 0
    passes_finished: int = 0
    busy: bool = False


_BATCH_SQL = f"""
SELECT id FROM {LoyaltyAccount._meta.db_table}
WHERE program_id = %s AND id > %s AND merged_into_id IS NULL ORDER BY id LIMIT %s
"""


def _evaluate_batch(program, challenges, now, batch_size, run: ChallengeRun) -> bool:
    """One batch of the program's pass in one transaction with its cursor; False when done or busy."""
    today = local_date(now, program.timezone)
    with transaction.atomic():
        cursor_row = claim_cursor(f"{JOB}:{program.pk}")
        if cursor_row is None:
            run.busy = True
            return False
        with connection.cursor() as cursor:
            cursor.execute(_BATCH_SQL, [program.pk, cursor_row.last_id, batch_size])
            ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            cursor_row.last_id, cursor_row.moment = 0, now  # pass finished; the next run starts another
            cursor_row.save(update_fields=["last_id", "moment", "updated_at"])
            run.passes_finished += 1
            return False
        for account_id, facts in member_facts(ids).items():
            if not (facts.orders or facts.actions):
                continue
            due = _due(progress(challenge, facts, program.timezone, today) for challenge in challenges)
            if due:
                run.completed += len(complete(account_id, due, now))
        cursor_row.last_id = ids[-1]
        cursor_row.save(update_fields=["last_id", "updated_at"])
    run.batches += 1
    run.members += len(ids)
    return True


def evaluate_program(program, now=None, batch_size=DEFAULT_BATCH_SIZE, max_batches=None) -> ChallengeRun:
    """Continue the program's pass over its members from the saved cursor, at most `max_batches` batches."""
    now = now or timezone.now()
    run = ChallengeRun()
    challenges = list(live_challenges(program, local_date(now, program.timezone), LATE_EVENT_GRACE_DAYS))
    if not challenges or not program.gives_value():
        return run
    while max_batches is None or run.batches < max_batches:
        if not _evaluate_batch(program, challenges, now, batch_size, run):
            break
    return run


def evaluate_all(now=None, batch_size=DEFAULT_BATCH_SIZE, max_batches=None) -> dict[str, ChallengeRun]:
    """Beat job: every active program with live challenges, each resumable and safe on several workers."""
    return {
        program.channel_slug: evaluate_program(program, now, batch_size, max_batches)
        for program in LoyaltyProgram.objects.filter(is_active=True, challenges__isnull=False).distinct()
    }
