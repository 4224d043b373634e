"""Nightly expiry over many lots on one worker, against a plain keyset scan of the same lots.

    bash scripts/bench.sh expiry [--lots N] [--batch B]

Builds N due lots directly in SQL (4 per member; half the members spent part of them, by
redemption or by a staff deduction; some had refunds, a few owe points), then times (1) the
baseline: reading every due lot with the same (expires_at, id) keyset in the same batch size, and
(2) `expire_due_lots`: lock, replay, insert expiry rows, move balances, save the cursor, per batch.
Target: 1M lots in < 60 s with bounded memory (one batch at a time). Runs in a fresh database of
its own (`loyalty_bench_expiry`) on DATABASE_URL's server, else on the embedded one.
"""

import argparse
import resource
import time
from datetime import timedelta

from fresh_database import setup_django

LOTS_PER_MEMBER = 4
BENCH_DATABASE = "loyalty_bench_expiry"


def build(lots: int):
    """Members with 4 due lots of 100 points each (earned 400 days ago), half of them having spent 150
    a year later: a quarter by redemption, a quarter by a staff deduction (a debit that is not a
    redemption). A fifth of the others had 40 points of their second lot refunded; one member in
    twenty refunded all of the first lot after redeeming it, so that member owes points (debt)."""
    from django.db import connection

    from saleor_loyalty.core.facts import ChannelFacts
    from saleor_loyalty.ledger import programs
    from saleor_loyalty.models import LedgerEntry, LoyaltyAccount

    program = programs.ensure_program(ChannelFacts("bench-expiry", "ILS", "IL"))
    members = lots // LOTS_PER_MEMBER
    account, entry = LoyaltyAccount._meta.db_table, LedgerEntry._meta.db_table
    member_number = "split_part(substr(a.email, 2), '@', 1)::int"
    spent = "CASE WHEN g %% 2 = 0 THEN 150 ELSE 0 END"
    refunded = "CASE WHEN g %% 10 IN (3, 7) THEN 40 WHEN g %% 20 = 4 THEN 100 ELSE 0 END"
    columns = (
        "account_id, kind, points, forgiven_points, source_key, reverses_id, order_number, reason, detail, "
        "available_at, expires_at, actor_label, created_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {account} (program_id, email, balance, lifetime_earned, created_at, updated_at)
            SELECT %s, 'm' || g || '@bench.example', 400 - {spent} - {refunded}, 400 - {refunded}, now(), now()
            FROM generate_series(1, %s) g""",
            [program.pk, members],
        )
        cursor.execute(
            f"""
            INSERT INTO {entry} ({columns})
            SELECT a.id, 'earn', 100, 0, 'bench:' || a.id || ':' || k, NULL, '', 'bench', '{{}}',
                   now() - interval '400 days', now() - interval '1 day' + k * interval '1 minute', 'system',
                   now() - interval '400 days'
            FROM {account} a CROSS JOIN generate_series(1, {LOTS_PER_MEMBER}) k WHERE a.program_id = %s""",
            [program.pk],
        )
        cursor.execute(
            f"""
            INSERT INTO {entry} ({columns})
            SELECT a.id, CASE WHEN g %% 4 = 0 THEN 'redemption' ELSE 'adjustment' END, -150, 0,
                   'bench-spend:' || a.id, NULL, '', 'spent', '{{}}', now(), NULL, 'system', now() - interval '300 days'
            FROM {account} a CROSS JOIN LATERAL (SELECT {member_number} AS g) m
            WHERE a.program_id = %s AND g %% 2 = 0""",
            [program.pk],
        )
        cursor.execute(
            f"""
            INSERT INTO {entry} ({columns})
            SELECT a.id, 'earn_reversal', -refund.points, 0, 'bench-refund:' || a.id, lot.id, '', 'refund', '{{}}',
                   now(), NULL, 'system', now() - refund.days_ago * interval '1 day'
            FROM {account} a CROSS JOIN LATERAL (SELECT {member_number} AS g) m
            CROSS JOIN LATERAL (SELECT CASE WHEN g %% 20 = 4 THEN 1 ELSE 2 END AS k,
                                       CASE WHEN g %% 20 = 4 THEN 100 ELSE 40 END AS points,
                                       CASE WHEN g %% 20 = 4 THEN 200 ELSE 350 END AS days_ago) refund
            JOIN {entry} lot ON lot.kind = 'earn' AND lot.source_key = 'bench:' || a.id || ':' || refund.k
            WHERE a.program_id = %s AND (g %% 10 IN (3, 7) OR g %% 20 = 4)""",
            [program.pk],
        )
        cursor.execute("ANALYZE")
    return program


def expected_expiry(members: int) -> tuple[int, int]:
    """(expiry rows, points expired) the build calls for, worked out by hand from its rules."""
    rows = points = 0
    for g in range(1, members + 1):
        left = [100] * LOTS_PER_MEMBER
        if g % 2 == 0:
            left[0], left[1] = 0, 50  # the 150 spent come from the soonest-expiring lots
        if g % 10 in (3, 7):
            left[1] -= 40  # a refund takes from its own lot
        # g % 20 == 4: the refund of the first lot, already spent, is debt; nothing left there
        rows += sum(1 for points_left in left if points_left > 0)
        points += sum(left)
    return rows, points


def unreconciled(program) -> int:
    """Accounts whose cached balance differs from the sum of their rows (0 when healthy)."""
    from django.db import connection

    from saleor_loyalty.models import LedgerEntry, LoyaltyAccount

    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(*) FROM {LoyaltyAccount._meta.db_table} a
            LEFT JOIN (SELECT account_id, sum(points) AS points FROM {LedgerEntry._meta.db_table} GROUP BY account_id) s
                   ON s.account_id = a.id
            WHERE a.program_id = %s AND a.balance <> coalesce(s.points, 0)""",
            [program.pk],
        )
        return cursor.fetchone()[0]


def baseline_scan(batch: int, now) -> float:
    from saleor_loyalty.models import LedgerEntry

    started, last = time.perf_counter(), None
    while True:
        query = LedgerEntry.objects.filter(expires_at__isnull=False, expires_at__lte=now)
        if last:
            query = query.extra(where=["(expires_at, id) > (%s, %s)"], params=list(last))
        rows = list(query.order_by("expires_at", "id").values_list("expires_at", "id", "account_id")[:batch])
        if not rows:
            return time.perf_counter() - started
        last = rows[-1][:2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lots", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args()
    setup_django(BENCH_DATABASE)
    from django.db.models import Sum
    from django.utils import timezone

    from saleor_loyalty.ledger import expiry
    from saleor_loyalty.models import LedgerEntry

    started = time.perf_counter()
    program = build(args.lots)
    print(f"built {args.lots:,} due lots in {time.perf_counter() - started:.1f} s")
    now = timezone.now() + timedelta(minutes=10)
    scan = baseline_scan(args.batch, now)
    started = time.perf_counter()
    run = expiry.expire_due_lots(now=now, batch_size=args.batch)
    took = time.perf_counter() - started
    expired = -(LedgerEntry.objects.filter(kind="expire").aggregate(total=Sum("points"))["total"] or 0)
    assert run.points == expired
    assert (run.written, run.points) == expected_expiry(args.lots // LOTS_PER_MEMBER)
    assert unreconciled(program) == 0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"baseline keyset scan      : {scan:6.1f} s ({run.seen / scan:9,.0f} lots/s)")
    print(
        f"expire_due_lots           : {took:6.1f} s ({run.seen / took:9,.0f} lots/s, {took / scan:.1f}x the scan)"
    )
    print(f"  lots seen {run.seen:,}, expiry rows {run.written:,}, points expired {run.points:,}")
    print(
        f"  projected for 1M lots: {took * 1_000_000 / run.seen:.0f} s (target < 60 s); peak RSS {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
