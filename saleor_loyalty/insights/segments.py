"""Named segments and RFM scores per channel: the nightly job, the immediate update on an order, the history.

The nightly job (`compute_segments`) is one `SegmentRun` per program and local day: its row holds the
cursor (last account id done) and, between its two passes, the quintile borders. A batch is the range of
the next `batch_size` account ids of the program after the cursor (`batch_range`). Pass one refreshes
each batch's stats from the ledger; the borders are then taken once from those stats; pass two scores
each batch against them, writes membership changes with their `SegmentEvent`s and starts the flows those
entries call for. Each batch claims the run's row with SKIP LOCKED (a second worker skips the program
instead of waiting) and moves the cursor in the same transaction as its writes: a crash resumes at the
last committed batch, and nothing is written twice. The last batch writes the day's segment sizes.

A member's segments are always changed under their stats row's lock (the scoring takes the batch's with
FOR UPDATE, in account order, in a statement of its own before the one that reads and writes the
memberships; the stats pass locks only the rows it changes), so the job and the order hook never both see
"not yet in at risk" for the same member.
"""

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from saleor_loyalty.core.clock import local_date
from saleor_loyalty.core.jobs import JobRun
from saleor_loyalty.insights import rfm, segment_sql, winback
from saleor_loyalty.models import (
    LoyaltyAccount,
    LoyaltyProgram,
    NamedSegment,
    SegmentEvent,
    SegmentMembership,
    SegmentRun,
    SegmentSnapshot,
)

DEFAULT_BATCH = 5000


def batch_range(
    program: LoyaltyProgram, after: int, limit: int, only: int | None = None
) -> tuple[int, int] | None:
    """The account ids (after, until] of the next batch: up to `limit` accounts of the program after `after`
    (merged guests count, so a batch is never longer), or `only`'s own; None when none are left."""
    if only is not None:
        return only - 1, only
    with connection.cursor() as cursor:
        cursor.execute(segment_sql.BATCH_END_SQL, {"program": program.pk, "after": after, "limit": limit})
        until = cursor.fetchone()[0]
    return None if until is None else (after, until)


def _execute(cursor, sql: str, params: dict) -> None:
    cursor.execute("SET LOCAL jit = off")
    cursor.execute(sql, params)


def refresh_stats(program: LoyaltyProgram, after: int, limit: int, only: int | None = None) -> int | None:
    """Recompute from the ledger the order stats of the members in the next batch after account id `after`
    (or of `only`), in one statement, writing only rows that changed; returns the batch's last account id,
    None when there was none. Call inside a transaction."""
    bounds = batch_range(program, after, limit, only)
    if bounds is None:
        return None
    with connection.cursor() as cursor:
        _execute(
            cursor,
            segment_sql.STATS_SQL,
            {"program": program.pk, "after": bounds[0], "until": bounds[1], "now": timezone.now()},
        )
    return bounds[1]


def assign_segments(
    program: LoyaltyProgram, borders: dict, now: datetime, after: int, limit: int, only: int | None = None
) -> tuple[int | None, list[SegmentEvent]]:
    """Score the stored stats of the next batch after `after` (or `only`'s) against `borders` and bring their
    named segments in line, under their stats rows' locks; returns (the batch's last account id, the events
    written that a win-back flow acts on), and starts or stops the flows those call for. Only those events
    come back to Python: a first night enters every member into one or two segments. Call inside a
    transaction."""
    bounds = batch_range(program, after, limit, only)
    if bounds is None:
        return None, []
    settings = rfm.settings_for(program)
    params = {
        "program": program.pk,
        "after": bounds[0],
        "until": bounds[1],
        "now": now,
        "r": borders.get("r"),
        "f": borders.get("f"),
        "m": borders.get("m"),
        "new_days": settings.new_days,
        "default_interval": settings.default_interval_days,
        "min_interval": settings.min_interval_days,
        "at_risk": settings.at_risk_factor,
        "lapsed": settings.lapsed_factor,
        "loyal_min": settings.loyal_min_orders,
        "watched": winback.watched_segments(program),
    }
    with connection.cursor() as cursor:
        _execute(cursor, segment_sql.LOCK_SQL, params)
        cursor.execute(segment_sql.SEGMENTS_SQL, params)
        rows = cursor.fetchall()
    events = [
        SegmentEvent(
            pk=pk, account_id=account_id, program=program, segment=segment, entered=entered, occurred_at=now
        )
        for pk, account_id, segment, entered in rows
    ]
    winback.start_on_entries(program, [e for e in events if e.entered], now)
    winback.stop_on_exits(program, [e for e in events if not e.entered], now)
    return bounds[1], events


def compute_segments(
    now: datetime | None = None, batch_size: int = DEFAULT_BATCH, max_batches: int | None = None
) -> JobRun:
    """The nightly pass over every program (bounded by `max_batches`; the next call resumes)."""
    now = now or timezone.now()
    run = JobRun()
    for program in LoyaltyProgram.objects.order_by("pk"):
        _compute_program(program, now, batch_size, max_batches, run)
        if max_batches is not None and run.batches >= max_batches:
            break
    return run


def _claim_run(program: LoyaltyProgram, day, now: datetime) -> SegmentRun | None:
    SegmentRun.objects.get_or_create(program=program, day=day, defaults={"started_at": now})
    return (
        SegmentRun.objects.select_for_update(skip_locked=True)
        .filter(program=program, day=day, finished_at__isnull=True)
        .first()
    )


def _compute_program(
    program: LoyaltyProgram, now: datetime, batch_size: int, max_batches, run: JobRun
) -> None:
    """Two passes over the members, each from the run's cursor: stats from the ledger, then (with the
    borders taken from those fresh stats) scores and segments."""
    day = local_date(now, program.timezone)
    while max_batches is None or run.batches < max_batches:
        with transaction.atomic():
            claimed = _claim_run(program, day, now)
            if claimed is None:
                return  # finished today, or another worker holds the batch
            scoring = bool(claimed.borders)
            if scoring:
                last, events = assign_segments(
                    program, claimed.borders, now, claimed.last_account_id, batch_size
                )
                run.written += len(events)
            else:
                last = refresh_stats(program, claimed.last_account_id, batch_size)
            if last is not None:
                claimed.last_account_id = last
            elif not scoring:
                claimed.borders, claimed.last_account_id = rfm.compute_borders(program.pk), 0
            else:
                snapshot(program, day)
                claimed.finished_at = now
            claimed.batches += 1
            claimed.save()
        run.batches += 1
        if claimed.finished_at is not None:
            return


def snapshot(program: LoyaltyProgram, day) -> None:
    """The program's segment sizes for `day` (re-taken if the day's run is repeated)."""
    sizes = dict(
        SegmentMembership.objects.filter(program=program)
        .values_list("segment")
        .annotate(size=Count("pk"))
        .values_list("segment", "size")
    )
    for segment in NamedSegment.values:
        SegmentSnapshot.objects.update_or_create(
            program=program, day=day, segment=segment, defaults={"size": sizes.get(segment, 0)}
        )


def last_borders(program: LoyaltyProgram) -> dict:
    run = SegmentRun.objects.filter(program=program).exclude(borders={}).order_by("-day").first()
    return run.borders if run else {}


def refresh_member(account: LoyaltyAccount, now: datetime | None = None) -> list[SegmentEvent]:
    """The immediate update for one member (after an order): scored against the last night's borders."""
    now = now or timezone.now()
    program = account.program
    with transaction.atomic():
        refresh_stats(program, 0, 1, only=account.pk)
        return assign_segments(program, last_borders(program), now, 0, 1, only=account.pk)[1]


def segments_of(account_ids: list[int]) -> dict[int, list[SegmentMembership]]:
    """Memberships of a page of members in one query (the member list shows them without N+1)."""
    found: dict[int, list] = {account_id: [] for account_id in account_ids}
    for row in SegmentMembership.objects.filter(account_id__in=account_ids).order_by("account_id", "segment"):
        found[row.account_id].append(row)
    return found
