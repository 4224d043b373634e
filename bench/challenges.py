"""Evaluating every member's challenges on one worker, against a plain keyset scan of the same accounts.

    bash scripts/bench.sh challenges [--members N] [--batch B] [--changed-every K] [--incremental-only]
                                     [--evaluate-only] [--database NAME]

Seeds N members (default 1,000,000) with three paid orders each over three months (a tenth of them with
one order cancelled), the orders' categories, and two review actions for every fifth member, all recorded
a day ago, then defines six challenges, one of each kind (orders in a fixed window, spend, orders in a
rolling window, a monthly streak, a new category, reviews). Times (1) the baseline: a keyset scan over the
same accounts in the same batches, ids only, and the set-based statement alone over every member before
anything is completed (read only; `--evaluate-only` stops there: evaluating 1M members without the first
pass's writes); (2) the first pass of `challenge_passes.evaluate_program`, a
full pass that completes challenges for most members (rows written: completions, points, badges); (3) a
full pass again where nothing new is reached (as after a challenge changed), and the per-member
path (facts, then progress in Python) over the same batches, read only, as the set-based pass's
reference; (4) the next pass with
nothing new: it visits no member; (5) the next pass after a day's new orders for every K-th member
(default 1 %): it visits only them. `--incremental-only` skips (1)-(3), as if a full pass had just
finished, so (4) and (5) can be measured at 1M members (the changed members then complete challenges
for the first time: more writes than a real steady day). Prints throughput, ratios to the baseline, the
peak RSS (it must not grow with N), projections to 1M members (target < 60 s on one worker) and the
queries one member's progress takes.
"""

import argparse
import os
import resource
import time
from datetime import UTC, date, datetime

from fresh_database import setup_django

TARGET_MEMBERS = 1_000_000
NOW = datetime(2026, 4, 20, 9, tzinfo=UTC)
HISTORY = "now() - interval '1 day'"  # when the seeded facts were recorded: before any pass of the job


def seed(members: int):
    """Accounts, ledger rows and order categories written in bulk SQL (the bench measures evaluation)."""
    from django.db import connection

    from saleor_loyalty.core.facts import ChannelFacts
    from saleor_loyalty.engagement import challenge_settings
    from saleor_loyalty.ledger import programs
    from saleor_loyalty.models import (
        Badge,
        Challenge,
        LedgerEntry,
        LoyaltyAccount,
        LoyaltyProgram,
        OrderCategories,
    )

    program = programs.ensure_program(ChannelFacts("bench-challenges", "ILS", "IL"))
    accounts, entries = LoyaltyAccount._meta.db_table, LedgerEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {accounts} (program_id, email, balance, lifetime_earned, created_at, updated_at)
            SELECT %s, 'm' || g || '@bench.example', 0, 0, {HISTORY}, {HISTORY} FROM generate_series(1, %s) g""",
            [program.pk, members],
        )
        cursor.execute(
            f"""
            INSERT INTO {entries} (account_id, kind, points, forgiven_points, source_key, order_id, order_number,
                                   money_amount, reason, detail, available_at, occurred_at, actor_label, created_at)
            SELECT a.id, 'earn', amount::int, 0, 'bench:' || a.id || ':' || k, md5(a.id || ':' || k)::uuid, '',
                   amount, '', jsonb_build_object('refund_basis', amount::text), now(),
                   %s::timestamptz - (k * 31 + a.id %% 20) * interval '1 day', 'bench', {HISTORY}
            FROM {accounts} a CROSS JOIN generate_series(0, 2) k
            CROSS JOIN LATERAL (SELECT ((a.id * 7919 + k * 104729) %% 400 + 50)::numeric AS amount) m
            WHERE a.program_id = %s""",
            [NOW, program.pk],
        )
        cursor.execute(
            f"""
            INSERT INTO {entries} (account_id, kind, points, forgiven_points, source_key, order_number, money_amount,
                                   reason, detail, available_at, occurred_at, actor_label, created_at, reverses_id)
            SELECT e.account_id, 'earn_reversal', -e.points, 0, 'cancel:' || e.id, '', NULL, '', '{{}}'::jsonb,
                   now(), now(), 'bench', {HISTORY}, e.id
            FROM {entries} e JOIN {accounts} a ON a.id = e.account_id
            WHERE a.program_id = %s AND e.kind = 'earn' AND e.account_id %% 10 = 0 AND e.source_key LIKE '%%:0'""",
            [program.pk],
        )
        cursor.execute(
            f"""
            INSERT INTO {OrderCategories._meta.db_table} (order_id, account_id, category_ids, recorded_at)
            SELECT e.order_id, e.account_id, ARRAY[(e.account_id %% 7), (e.id %% 11) + 7]::bigint[], {HISTORY}
            FROM {entries} e JOIN {accounts} a ON a.id = e.account_id
            WHERE a.program_id = %s AND e.kind = 'earn'""",
            [program.pk],
        )
        cursor.execute(
            f"""
            INSERT INTO {entries} (account_id, kind, points, forgiven_points, source_key, order_number, reason,
                                   detail, available_at, occurred_at, actor_label, created_at)
            SELECT a.id, 'action', 50, 0, 'bench-review:' || a.id || ':' || k, '', '',
                   jsonb_build_object('action', 'product_review', 'object', 'P' || k), now(),
                   %s::timestamptz - k * interval '3 days', 'bench', {HISTORY}
            FROM {accounts} a CROSS JOIN generate_series(1, 2) k WHERE a.program_id = %s AND a.id %% 5 = 0""",
            [NOW, program.pk],
        )
        cursor.execute(f"VACUUM (ANALYZE) {accounts}")
        cursor.execute(f"VACUUM (ANALYZE) {entries}")
        cursor.execute(f"VACUUM (ANALYZE) {OrderCategories._meta.db_table}")
    badge = Badge.objects.create(program=program, name="Bench")
    common = {"starts_on": date(2026, 1, 1), "reward_points": 25, "badge_id": badge.pk}
    for values in (
        {"metric": "paid_orders", "target": 2, "ends_on": date(2026, 12, 31)},
        {"metric": "spend", "target_amount": 600},
        {"metric": "paid_orders", "target": 2, "window": "rolling", "window_days": 45},
        {"metric": "monthly_streak", "target": 3},
        {"metric": "new_category", "target": 3},
        {"metric": "actions", "action_kind": "product_review", "target": 2},
    ):
        challenge_settings.create_challenge(program, name=values["metric"], **common, **values)
    with connection.cursor() as cursor:  # the club and its challenges were set up before that history
        cursor.execute(
            f"UPDATE {Challenge._meta.db_table} SET updated_at = {HISTORY} WHERE program_id = %s",
            [program.pk],
        )
        cursor.execute(
            f"UPDATE {LoyaltyProgram._meta.db_table} SET updated_at = {HISTORY} WHERE id = %s", [program.pk]
        )
    return program


def a_days_orders(program, every: int) -> int:
    """One new paid order (with its categories), recorded now, for every `every`-th member."""
    from django.db import connection

    from saleor_loyalty.models import LedgerEntry, LoyaltyAccount, OrderCategories

    accounts, entries = LoyaltyAccount._meta.db_table, LedgerEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {entries} (account_id, kind, points, forgiven_points, source_key, order_id, order_number,
                                   money_amount, reason, detail, available_at, occurred_at, actor_label, created_at)
            SELECT a.id, 'earn', 120, 0, 'bench-new:' || a.id, md5(a.id || ':new')::uuid, '', 120, '',
                   jsonb_build_object('refund_basis', '120'), now(), %s::timestamptz - interval '1 day', 'bench', now()
            FROM {accounts} a WHERE a.program_id = %s AND a.id %% %s = 0""",
            [NOW, program.pk, every],
        )
        changed = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO {OrderCategories._meta.db_table} (order_id, account_id, category_ids, recorded_at)
            SELECT e.order_id, e.account_id, ARRAY[30, 31]::bigint[], now() FROM {entries} e
            WHERE e.kind = 'earn' AND e.source_key LIKE 'bench-new:%%'""",
        )
    return changed


def keyset_baseline(program, batch: int) -> float:
    """The least a batched pass can do: walk the same accounts by primary key, one batch per transaction."""
    from django.db import connection, transaction

    from saleor_loyalty.models import LoyaltyAccount

    started, after, seen = time.perf_counter(), 0, 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {LoyaltyAccount._meta.db_table} WHERE program_id = %s AND id > %s "
                "ORDER BY id LIMIT %s",
                [program.pk, after, batch],
            )
            ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return seen / (time.perf_counter() - started)
        seen += len(ids)
        after = ids[-1]


def per_member_reference(program, batch: int) -> float:
    """The per-member path over the same batches, read only (facts, then `progress` in Python for every
    member and challenge): what each batch cost before the set-based statement. Members/s."""
    from django.db import connection

    from saleor_loyalty.engagement.challenge_rewards import LATE_EVENT_GRACE_DAYS, due
    from saleor_loyalty.engagement.challenges import live_challenges, member_facts, progress

    today = NOW.date()
    challenges = list(live_challenges(program, today, LATE_EVENT_GRACE_DAYS))
    started, after, seen = time.perf_counter(), 0, 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {program.accounts.model._meta.db_table} WHERE program_id = %s AND id > %s "
                "ORDER BY id LIMIT %s",
                [program.pk, after, batch],
            )
            ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return seen / (time.perf_counter() - started)
        for facts in member_facts(ids, program.timezone).values():
            due(progress(challenge, facts, today) for challenge in challenges)
        seen += len(ids)
        after = ids[-1]


def set_based_read(program, batch: int) -> float:
    """The set-based statement alone over every member, in the full pass's id-range batches, read only:
    what evaluating costs before anyone completed anything (no completed window to skip). Members/s."""
    from django.db import connection

    from saleor_loyalty.engagement.challenge_rewards import LATE_EVENT_GRACE_DAYS
    from saleor_loyalty.engagement.challenge_sets import reached_in_range
    from saleor_loyalty.engagement.challenges import live_challenges

    challenges = list(live_challenges(program, NOW.date(), LATE_EVENT_GRACE_DAYS))
    started, after, seen, reached = time.perf_counter(), 0, 0, 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT max(id), count(*) FROM (SELECT id FROM {program.accounts.model._meta.db_table} "
                "WHERE program_id = %s AND id > %s AND merged_into_id IS NULL ORDER BY id LIMIT %s) b",
                [program.pk, after, batch],
            )
            until, count = cursor.fetchone()
        if not count:
            elapsed = time.perf_counter() - started
            print(
                f"{'set-based read, none completed':<30}: {seen / elapsed:8.0f} members/s, {elapsed:6.1f} s "
                f"({reached} completions due); at {TARGET_MEMBERS:,} members: {elapsed * TARGET_MEMBERS / seen:.1f} s"
            )
            return seen / elapsed
        reached += sum(
            map(len, reached_in_range(program.pk, after, until, challenges, program.timezone).values())
        )
        seen += count
        after = until


def member_queries(program) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from saleor_loyalty.engagement.challenges import member_progress

    account = program.accounts.order_by("pk").first()
    with CaptureQueriesContext(connection) as queries:
        member_progress(program, account, NOW)
    return len(queries)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_pass(program, batch):
    from saleor_loyalty.engagement import challenge_passes

    started = time.perf_counter()
    run = challenge_passes.evaluate_program(program, NOW, batch_size=batch)
    return run, time.perf_counter() - started


def force_full_pass(program, finished: bool = False) -> None:
    """The next pass visits every member, as after a challenge changed; `finished`: as if a full pass had
    just ended (the incremental-only run skips it)."""
    from django.utils import timezone

    from saleor_loyalty.models import ChallengePass

    moment = timezone.now() if finished else None
    ChallengePass.objects.update_or_create(
        program=program, defaults={"full_from": moment, "finished_from": moment}
    )


def report(label, run, elapsed, baseline, members):
    rate = run.members / elapsed if run.members else 0
    projected = elapsed * TARGET_MEMBERS / members
    ratio = f"  ({rate / baseline:.1%} of the scan)" if baseline and rate else ""
    print(
        f"{label:<30}: visited {run.members:>8} ({'full' if run.full else 'changed only'}), {rate:8.0f} members/s"
        f"{ratio}, {elapsed:6.1f} s; completed {run.completed}"
        + (
            f"; at {TARGET_MEMBERS:,} members{'' if run.full else ' with the same share changed'}: {projected:.1f} s"
            if run.members and members != TARGET_MEMBERS
            else ""
        )
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=TARGET_MEMBERS)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--changed-every", type=int, default=100, help="a day's new orders: every Nth member")
    parser.add_argument(
        "--incremental-only",
        action="store_true",
        help="skip the full passes (as if one had just finished): the steady hourly job at a size the full "
        "passes could not reach in time",
    )
    parser.add_argument(
        "--evaluate-only",
        action="store_true",
        help="only the baseline and the set-based read over every member before anything is completed: "
        "evaluating at 1M members without the first pass's writes",
    )
    parser.add_argument(
        "--database",
        default=f"loyalty_bench_challenges{os.environ.get('LOYALTY_TEST_DB_SUFFIX', '')}",
        help="dropped and created first (default: suffixed with $LOYALTY_TEST_DB_SUFFIX)",
    )
    args = parser.parse_args()
    setup_django(args.database)

    seeding = time.perf_counter()
    program = seed(args.members)
    print(
        f"seeded {args.members} members ({3 * args.members} orders) in {time.perf_counter() - seeding:.0f} s"
    )
    rss_before = peak_rss_mb()
    n = args.members
    print(f"members: {n} on one worker, batch {args.batch}, 6 challenges (projections are linear in members)")
    baseline = None
    if args.incremental_only:
        force_full_pass(program, finished=True)
    else:
        baseline = keyset_baseline(program, args.batch)
        print(f"{'keyset scan baseline':<30}: {baseline:8.0f} members/s")
        read = set_based_read(program, args.batch)
        print(f"{'':<30}  ({read / baseline:.1%} of the scan)")
        if args.evaluate_only:
            print(
                f"peak RSS                      : {peak_rss_mb():8.0f} MB (after seeding {rss_before:.0f} MB)"
            )
            return
        first, first_s = timed_pass(program, args.batch)
        assert (first.members, first.passes_finished, first.full) == (n, 1, True)
        report("first pass (completes)", first, first_s, baseline, n)
        force_full_pass(program)
        full, full_s = timed_pass(program, args.batch)
        assert (full.members, full.completed, full.full) == (n, 0, True)
        report("full pass, nothing new", full, full_s, baseline, n)
        reference = per_member_reference(program, args.batch)
        print(
            f"{'per-member path, same batches':<30}: {reference:8.0f} members/s (read only; the set-based full "
            f"pass is {n / full_s / reference:.1f}x)"
        )
    quiet, quiet_s = timed_pass(program, args.batch)
    assert (quiet.members, quiet.passes_finished, quiet.full) == (0, 1, False)
    report("next pass, nothing new", quiet, quiet_s, baseline, n)
    changed = a_days_orders(program, args.changed_every)
    day, day_s = timed_pass(program, args.batch)
    assert (day.members, day.full) == (changed, False)
    report(f"next pass, {changed} new orders", day, day_s, baseline, n)
    print(f"queries for one member's progress: {member_queries(program)} (target <= 2)")
    print(f"peak RSS                      : {peak_rss_mb():8.0f} MB (after seeding {rss_before:.0f} MB)")


if __name__ == "__main__":
    main()
