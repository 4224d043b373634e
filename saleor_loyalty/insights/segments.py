"""Named segments and RFM scores per channel: the nightly job, the immediate update on an order, the history.

The nightly job (`compute_segments`) is one `SegmentRun` per program and local day: its row holds the
cursor (last account id done) and, between its two passes, the quintile borders. Pass one refreshes
each batch's stats from the ledger; the borders are then taken once from those stats; pass two scores
each batch against them, writes membership changes with their `SegmentEvent`s and starts the flows those
entries call for. Each batch claims the run's row with SKIP LOCKED (a second worker skips the program
instead of waiting) and moves the cursor in the same transaction as its writes: a crash resumes at the
last committed batch, and nothing is written twice. The last batch writes the day's segment sizes.

A member's rows are always changed under their stats row's lock (the upsert takes it), in account order,
so the job and the order hook never both see "not yet in at risk" for the same member.
"""

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from saleor_loyalty.core.clock import local_date
from saleor_loyalty.core.jobs import JobRun
from saleor_loyalty.insights import rfm, winback
from saleor_loyalty.models import (
    LoyaltyAccount,
    LoyaltyProgram,
    MemberOrderStats,
    NamedSegment,
    SegmentEvent,
    SegmentMembership,
    SegmentRun,
    SegmentSnapshot,
)

DEFAULT_BATCH = 5000

_UPSERT_STATS = f"""
INSERT INTO {MemberOrderStats._meta.db_table} AS s
    (account_id, program_id, email_hash, orders, first_order_at, last_order_at, monetary, interval_days,
     basket_trend, computed_at)
SELECT a, %(program)s, h, o, fo, lo, m, i, t, %(now)s
FROM unnest(%(accounts)s::bigint[], %(hashes)s::text[], %(orders)s::int[], %(first)s::timestamptz[],
            %(last)s::timestamptz[], %(monetary)s::numeric[], %(interval)s::numeric[], %(trend)s::numeric[])
     AS b(a, h, o, fo, lo, m, i, t)
ORDER BY a
ON CONFLICT (account_id) DO UPDATE SET
    email_hash = EXCLUDED.email_hash, orders = EXCLUDED.orders, first_order_at = EXCLUDED.first_order_at,
    last_order_at = EXCLUDED.last_order_at, monetary = EXCLUDED.monetary,
    interval_days = EXCLUDED.interval_days, basket_trend = EXCLUDED.basket_trend,
    computed_at = EXCLUDED.computed_at
"""
_LOCK_STATS = f"""
SELECT account_id, orders, first_order_at, last_order_at, monetary, interval_days, basket_trend
FROM {MemberOrderStats._meta.db_table} WHERE account_id = ANY(%(accounts)s) ORDER BY account_id FOR UPDATE
"""
_SET_SCORES = f"""
UPDATE {MemberOrderStats._meta.db_table} s SET r_score = b.r, f_score = b.f, m_score = b.m
FROM unnest(%(accounts)s::bigint[], %(r)s::smallint[], %(f)s::smallint[], %(m)s::smallint[]) AS b(a, r, f, m)
WHERE s.account_id = b.a
"""


def refresh_stats(program: LoyaltyProgram, accounts: list[tuple[int, str]], now: datetime) -> None:
    """Recompute these (account id, email) members' order stats from the ledger (one read, one upsert)."""
    if not accounts:
        return
    accounts = sorted(accounts)
    ids = [account_id for account_id, _ in accounts]
    orders = rfm.read_orders(ids)
    columns = {key: [] for key in ("hashes", "orders", "first", "last", "monetary", "interval", "trend")}
    for account_id, email in accounts:
        stats = rfm.stats_of(orders.get(account_id, []))
        row = (
            rfm.email_hash(email),
            stats.orders,
            stats.first_order_at,
            stats.last_order_at,
            stats.monetary,
            stats.interval_days,
            stats.basket_trend,
        )
        for key, value in zip(columns, row, strict=True):
            columns[key].append(value)
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT_STATS, {"program": program.pk, "now": now, "accounts": ids, **columns})


def assign_segments(program: LoyaltyProgram, account_ids: list[int], borders: dict, now: datetime):
    """Score these members' stored stats against `borders` and bring their named segments in line, under
    their stats rows' locks; returns the `SegmentEvent`s written. Call inside a transaction."""
    if not account_ids:
        return []
    settings = rfm.settings_for(program)
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_STATS, {"accounts": sorted(account_ids)})
        rows = cursor.fetchall()
    scored = {"accounts": [], "r": [], "f": [], "m": []}
    wanted = {}
    for account_id, *values in rows:
        stats = rfm.Stats(*values)
        r, f, m = rfm.scores(borders, stats)
        for key, value in zip(scored, (account_id, r, f, m), strict=True):
            scored[key].append(value)
        wanted[account_id] = rfm.named_segments(stats, settings, m, now)
    with connection.cursor() as cursor:
        cursor.execute(_SET_SCORES, scored)
    return _write_memberships(program, wanted, now)


def _write_memberships(program, wanted: dict[int, set[str]], now: datetime) -> list[SegmentEvent]:
    current: dict[int, set[str]] = {account_id: set() for account_id in wanted}
    for account_id, segment in SegmentMembership.objects.filter(account_id__in=list(wanted)).values_list(
        "account_id", "segment"
    ):
        current[account_id].add(segment)
    joined, left, events = [], [], []
    for account_id, segments in wanted.items():
        for segment in sorted(segments - current[account_id]):
            joined.append(
                SegmentMembership(account_id=account_id, program=program, segment=segment, since=now)
            )
            events.append(SegmentEvent(account_id=account_id, program=program, segment=segment, entered=True))
        for segment in sorted(current[account_id] - segments):
            left.append((account_id, segment))
            events.append(
                SegmentEvent(account_id=account_id, program=program, segment=segment, entered=False)
            )
    if left:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {SegmentMembership._meta.db_table} m USING unnest(%s::bigint[], %s::text[]) "
                "AS gone(account_id, segment) WHERE m.account_id = gone.account_id AND m.segment = gone.segment",
                [[a for a, _ in left], [s for _, s in left]],
            )
    SegmentMembership.objects.bulk_create(joined)
    for event in events:
        event.occurred_at = now
    SegmentEvent.objects.bulk_create(events)
    winback.start_on_entries(program, [e for e in events if e.entered], now)
    winback.stop_on_exits(program, [e for e in events if not e.entered], now)
    return events


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
                batch = list(
                    MemberOrderStats.objects.filter(program=program, account_id__gt=claimed.last_account_id)
                    .order_by("account_id")
                    .values_list("account_id", flat=True)[:batch_size]
                )
                run.written += len(assign_segments(program, batch, claimed.borders, now))
                last = batch[-1] if batch else None
            else:
                members = list(
                    LoyaltyAccount.objects.filter(
                        program=program, merged_into__isnull=True, pk__gt=claimed.last_account_id
                    )
                    .order_by("pk")
                    .values_list("pk", "email")[:batch_size]
                )
                refresh_stats(program, members, now)
                batch, last = members, members[-1][0] if members else None
            run.seen += len(batch)
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
        refresh_stats(program, [(account.pk, account.email)], now)
        return assign_segments(program, [account.pk], last_borders(program), now)


def segments_of(account_ids: list[int]) -> dict[int, list[SegmentMembership]]:
    """Memberships of a page of members in one query (the member list shows them without N+1)."""
    found: dict[int, list] = {account_id: [] for account_id in account_ids}
    for row in SegmentMembership.objects.filter(account_id__in=account_ids).order_by("account_id", "segment"):
        found[row.account_id].append(row)
    return found
