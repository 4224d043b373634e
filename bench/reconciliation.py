"""The nightly reconciliation pass over many accounts, against a plain keyset scan of the same accounts.

    bash scripts/bench.sh reconciliation [--accounts N] [--batch B]

Builds N accounts with 4 ledger rows each directly in SQL (one account in a thousand with a cached
balance that drifted), then times (1) the baseline: reading every account with the same id keyset
and batch size, and (2) `reconcile_accounts` (points only): per batch, claim the cursor, read each
account's cache with the sum of its rows in one statement, record findings, save the cursor.
Runs in a fresh database of its own (`loyalty_bench_reconciliation`) on DATABASE_URL's server, else
on the embedded one.
"""

import argparse
import time

from fresh_database import setup_django

BENCH_DATABASE = "loyalty_bench_reconciliation"
ROWS_PER_ACCOUNT = 4


def build(accounts: int) -> None:
    from django.db import connection

    from saleor_loyalty.core.facts import ChannelFacts
    from saleor_loyalty.ledger import programs
    from saleor_loyalty.models import LedgerEntry, LoyaltyAccount

    program = programs.ensure_program(ChannelFacts("bench-reconcile", "ILS", "IL"))
    account, entry = LoyaltyAccount._meta.db_table, LedgerEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {account} (program_id, email, balance, lifetime_earned, created_at, updated_at)
            SELECT %s, 'm' || g || '@bench.example', 400 + CASE WHEN g %% 1000 = 0 THEN 7 ELSE 0 END, 400,
                   now(), now()
            FROM generate_series(1, %s) g""",
            [program.pk, accounts],
        )
        cursor.execute(
            f"""
            INSERT INTO {entry} (account_id, kind, points, forgiven_points, source_key, order_number, reason,
                                 detail, available_at, actor_label, created_at)
            SELECT a.id, 'earn', 100, 0, 'order:' || a.id || ':' || n, '', '', '{{}}', now(), 'system', now()
            FROM {account} a CROSS JOIN generate_series(1, {ROWS_PER_ACCOUNT}) n""",
        )
        cursor.execute("ANALYZE")


def baseline(batch: int) -> float:
    from django.db import connection

    from saleor_loyalty.models import LoyaltyAccount

    started, after = time.perf_counter(), 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT id, balance FROM {LoyaltyAccount._meta.db_table} WHERE id > %s ORDER BY id LIMIT %s",
                [after, batch],
            )
            rows = cursor.fetchall()
            if not rows:
                return time.perf_counter() - started
            after = rows[-1][0]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    setup_django(BENCH_DATABASE)
    from django.utils import timezone

    from saleor_loyalty.ledger import reconciliation
    from saleor_loyalty.models import ReconciliationFinding

    started = time.perf_counter()
    build(args.accounts)
    print(
        f"built {args.accounts:,} accounts, {args.accounts * ROWS_PER_ACCOUNT:,} rows in {time.perf_counter() - started:.1f} s"
    )
    scan = baseline(args.batch)
    started = time.perf_counter()
    run = reconciliation.reconcile_accounts(now=timezone.now(), batch_size=args.batch)
    elapsed = time.perf_counter() - started
    findings = ReconciliationFinding.objects.count()
    print(f"baseline keyset scan: {scan:.2f} s")
    print(
        f"reconcile_accounts: {elapsed:.2f} s for {run.seen:,} accounts in {run.batches} batches "
        f"({run.seen / elapsed:,.0f} accounts/s), {findings} findings (expected {args.accounts // 1000})"
    )


if __name__ == "__main__":
    main()
