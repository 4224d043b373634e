"""Nightly expiry over many lots on one worker, against a plain keyset scan of the same lots.

    bash scripts/bench.sh expiry [--lots N]

Builds N due lots (4 per member, half the members having spent part of them) directly in SQL,
then times (1) the baseline: reading every due lot with the same (expires_at, id) keyset in the
same batch size, and (2) `expire_due_lots`: lock, replay, insert expiry rows, move balances, save
the cursor, per batch. Target: 1M lots in < 60 s with bounded memory (one batch at a time).
"""

import argparse
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accrual import setup_django  # noqa: E402

LOTS_PER_MEMBER = 4


def build(lots: int):
    from django.db import connection

    from saleor_loyalty import programs
    from saleor_loyalty.facts import ChannelFacts
    from saleor_loyalty.models import LedgerEntry, LoyaltyAccount

    program = programs.ensure_program(ChannelFacts("bench-expiry", "ILS", "IL"))
    members = lots // LOTS_PER_MEMBER
    account, entry = LoyaltyAccount._meta.db_table, LedgerEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO {account} (program_id, email, balance, lifetime_earned, created_at, updated_at)
            SELECT %s, 'm' || g || '@bench.example', 400 - CASE WHEN g %% 2 = 0 THEN 150 ELSE 0 END, 400, now(), now()
            FROM generate_series(1, %s) g""", [program.pk, members])
        cursor.execute(f"""
            INSERT INTO {entry} (account_id, kind, points, forgiven_points, source_key, order_number, reason,
                                 detail, available_at, expires_at, actor_label, created_at)
            SELECT a.id, 'earn', 100, 0, 'bench:' || a.id || ':' || k, '', 'bench', '{{}}',
                   now() - interval '400 days', now() - interval '1 day' + k * interval '1 minute', 'system',
                   now() - interval '400 days'
            FROM {account} a CROSS JOIN generate_series(1, {LOTS_PER_MEMBER}) k WHERE a.program_id = %s""",
                       [program.pk])
        cursor.execute(f"""
            INSERT INTO {entry} (account_id, kind, points, forgiven_points, source_key, order_number, reason,
                                 detail, available_at, actor_label, created_at)
            SELECT a.id, 'adjustment', -150, 0, 'bench-spend:' || a.id, '', 'spent', '{{}}', now(), 'system',
                   now() - interval '300 days'
            FROM {account} a WHERE a.program_id = %s AND right(split_part(a.email, '@', 1), 1) IN ('0','2','4','6','8')""",
                       [program.pk])
        cursor.execute("ANALYZE")


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
    setup_django()
    from django.db.models import Sum
    from django.utils import timezone

    from saleor_loyalty import expiry
    from saleor_loyalty.models import LedgerEntry

    started = time.perf_counter()
    build(args.lots)
    print(f"built {args.lots:,} due lots in {time.perf_counter() - started:.1f} s")
    now = timezone.now() + timedelta(minutes=10)
    scan = baseline_scan(args.batch, now)
    started = time.perf_counter()
    run = expiry.expire_due_lots(now=now, batch_size=args.batch)
    took = time.perf_counter() - started
    expired = -(LedgerEntry.objects.filter(kind="expire").aggregate(total=Sum("points"))["total"] or 0)
    assert run.points == expired
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"baseline keyset scan      : {scan:6.1f} s ({run.seen / scan:9,.0f} lots/s)")
    print(f"expire_due_lots           : {took:6.1f} s ({run.seen / took:9,.0f} lots/s, {took / scan:.1f}x the scan)")
    print(f"  lots seen {run.seen:,}, expiry rows {run.written:,}, points expired {run.points:,}")
    print(f"  projected for 1M lots: {took * 1_000_000 / run.seen:.0f} s (target < 60 s); peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
