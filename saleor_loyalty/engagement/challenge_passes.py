"""The challenges beat job: passes over a program's members, each resumable and shared by several workers.

Completion depends only on a member's facts and the challenges' rules (a rolling window's best span,
a fixed window's total), never on the clock alone. So a member whose facts did not change since the
last finished pass cannot have newly reached anything: a pass after the first visits only members
with facts recorded since (`ChallengePass.since`: ledger rows other than challenge rewards, order
categories, guests merged in). The start of the last pass less `SINCE_MARGIN` is that watermark,
so a fact committed late by a slow transaction is looked at again rather than missed. A full pass
over every member runs first, whenever a live challenge or the program changed since the last pass
(new rules, switched back on, another timezone), and at least every `FULL_PASS_EVERY`.

Each batch's completions come from one set-based statement (`challenge_sets`): only members who
reached something come back to Python, so a full pass costs SQL aggregates, not a Python loop per member.
A full pass's batch is a range of account ids (up to the `batch_size`-th member after the cursor), read
through each table's account index; an incremental pass's is the list of changed members.

Every batch claims the program's pass row (`FOR UPDATE SKIP LOCKED`) and saves where it stopped in the
transaction that wrote its completions; a worker finding it claimed leaves the batch to the other.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from saleor_loyalty.core.clock import local_date
from saleor_loyalty.engagement.challenge_rewards import LATE_EVENT_GRACE_DAYS, complete
from saleor_loyalty.engagement.challenge_sets import reached_in_batch, reached_in_range
from saleor_loyalty.engagement.challenges import live_challenges
from saleor_loyalty.models import (
    Challenge,
    ChallengePass,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    OrderCategories,
)

DEFAULT_BATCH_SIZE = 2000
SINCE_MARGIN = timedelta(minutes=15)
FULL_PASS_EVERY = timedelta(days=7)

_ACCOUNTS = LoyaltyAccount._meta.db_table
_LEDGER = LedgerEntry._meta.db_table
# A full pass's batch is an id range: up to the `limit`-th member after the cursor (and how many).
_EVERY_MEMBER_SQL = f"""
SELECT max(id), count(*) FROM (
    SELECT id FROM {_ACCOUNTS}
    WHERE program_id = %(program)s AND id > %(after)s AND merged_into_id IS NULL ORDER BY id LIMIT %(limit)s
) batch
"""
# Each source is an index range of what was recorded since the watermark (ledger `created_at`, the
# categories' BRIN, the partial index of merged guests): a steady pass costs what changed, not the club.
_CHANGED_MEMBERS_SQL = f"""
SELECT DISTINCT h.id FROM (
    SELECT COALESCE(a.merged_into_id, a.id) AS id
    FROM {_LEDGER} e JOIN {_ACCOUNTS} a ON a.id = e.account_id
    WHERE e.created_at >= %(since)s AND e.kind <> %(reward)s AND a.program_id = %(program)s
    UNION ALL
    SELECT COALESCE(a.merged_into_id, a.id)
    FROM {OrderCategories._meta.db_table} c
    JOIN {_ACCOUNTS} a ON a.id = COALESCE(  -- the earn's account: on the row, else looked up
        c.account_id,
        (SELECT e.account_id FROM {_LEDGER} e WHERE e.order_id = c.order_id AND e.kind = %(earn)s LIMIT 1)
    )
    WHERE c.recorded_at >= %(since)s AND a.program_id = %(program)s
    UNION ALL
    SELECT g.merged_into_id FROM {_ACCOUNTS} g
    WHERE g.merged_into_id IS NOT NULL AND g.merged_at >= %(since)s AND g.program_id = %(program)s
) changed JOIN {_ACCOUNTS} h ON h.id = changed.id AND h.merged_into_id IS NULL
WHERE h.id > %(after)s ORDER BY h.id LIMIT %(limit)s
"""


@dataclass
class ChallengeRun:
    batches: int = 0
    members: int = 0
    completed: int = 0
    passes_finished: int = 0
    full: bool = False  # the pass these batches belong to visits every member
    busy: bool = False


def claim_pass(program: LoyaltyProgram) -> ChallengePass | None:
    """The program's pass row locked for this transaction, or None while another worker holds it."""
    claimed = ChallengePass.objects.select_for_update(skip_locked=True).filter(program=program).first()
    if claimed is None and ChallengePass.objects.get_or_create(program=program)[1]:
        claimed = ChallengePass.objects.select_for_update(skip_locked=True).filter(program=program).first()
    return claimed


def _needs_full_pass(program: LoyaltyProgram, state: ChallengePass, clock: datetime) -> bool:
    if state.finished_from is None or state.full_from is None or state.full_from <= clock - FULL_PASS_EVERY:
        return True
    changed_since = state.finished_from - SINCE_MARGIN
    program_changed = LoyaltyProgram.objects.filter(pk=program.pk, updated_at__gte=changed_since).exists()
    return (
        program_changed or Challenge.objects.filter(program=program, updated_at__gte=changed_since).exists()
    )


def _begin(program: LoyaltyProgram, state: ChallengePass, clock: datetime) -> None:
    """Start the next pass: full, or over the members with facts since the last one began."""
    full = _needs_full_pass(program, state, clock)
    state.since = None if full else state.finished_from - SINCE_MARGIN
    state.started_at, state.last_account_id = clock, 0


def _next_batch(
    program: LoyaltyProgram, state: ChallengePass, limit: int
) -> tuple[int, int, list[int] | None]:
    """The pass's next batch: (its last id, how many members, the changed members or None for every
    member up to that id); no members when the pass is done."""
    params = {"program": program.pk, "after": state.last_account_id, "limit": limit}
    with connection.cursor() as cursor:
        if state.since is None:
            cursor.execute(_EVERY_MEMBER_SQL, params)
            until, count = cursor.fetchone()
            return until or 0, count, None
        params.update(since=state.since, reward=EntryKind.CHALLENGE, earn=EntryKind.EARN)
        cursor.execute(_CHANGED_MEMBERS_SQL, params)
        ids = [row[0] for row in cursor.fetchall()]
        return (ids[-1] if ids else 0), len(ids), ids


def _finish(state: ChallengePass) -> None:
    if state.since is None:
        state.full_from = state.started_at
    state.finished_from, state.started_at, state.since, state.last_account_id = (
        state.started_at,
        None,
        None,
        0,
    )


def _evaluate_batch(program, challenges, now, batch_size, run: ChallengeRun) -> bool:
    """One batch of the program's pass in one transaction with its pass row; False when done or busy."""
    with transaction.atomic():
        state = claim_pass(program)
        if state is None:
            run.busy = True
            return False
        if state.started_at is None:
            _begin(program, state, timezone.now())  # the wall clock: watermarks compare with `created_at`
        run.full = state.since is None
        until, count, ids = _next_batch(program, state, batch_size)
        if not count:
            _finish(state)
            state.save()
            run.passes_finished += 1
            return False
        if ids is None:
            reached = reached_in_range(program.pk, state.last_account_id, until, challenges, program.timezone)
        else:
            reached = reached_in_batch(ids, challenges, program.timezone)
        if reached:
            run.completed += len(complete(reached, now))
        state.last_account_id = until
        state.save()
    run.batches += 1
    run.members += count
    return True


def evaluate_program(program, now=None, batch_size=DEFAULT_BATCH_SIZE, max_batches=None) -> ChallengeRun:
    """Continue the program's pass from where it stopped, at most `max_batches` batches; a finished pass
    returns (the next run begins another)."""
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
