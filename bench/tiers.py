"""Nightly tier evaluation throughput on one worker, against a plain keyset scan of the same rows.

    bash scripts/bench.sh tiers [--members N] [--batch B]

Seeds N members (default 1,000,000) with two paid orders each, in the tier those orders earned
them (as accrual upgrades at once), then half-refunds the orders of a tenth of them (so the night
has grace periods to start and events to write), then times (1) the baseline: a keyset scan over the same accounts in the same
batches, reading the ids only, and (2) `tier_evaluation.evaluate_program` over all of them. Prints
throughput, the ratio to the baseline, the peak RSS (memory must not grow with N), and the
projected time for 1M members (target < 60 s on one worker).
"""

import argparse
import os
import resource
import time

TARGET_MEMBERS = 1_000_000


def setup_django(database: str):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_loyalty.demo.settings")
    if not os.environ.get("DATABASE_URL"):
        import psycopg

        from saleor_loyalty.devdb import database_settings, embedded_data_dir

        server = database_settings("postgres")
        with psycopg.connect(
            host=server["HOST"], user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
            conn.execute(f'CREATE DATABASE "{database}"')
        os.environ["DATABASE_URL"] = f"postgres://postgres@/{database}?host={embedded_data_dir()}"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def seed(members: int):
    """Accounts and ledger rows written in bulk SQL (the bench measures evaluation, not accrual)."""
    from django.db import connection

    from saleor_loyalty.core.facts import ChannelFacts
    from saleor_loyalty.ledger import programs
    from saleor_loyalty.models import LedgerEntry, LoyaltyAccount

    program = programs.ensure_program(ChannelFacts("bench-tiers", "ILS", "IL"))
    tiers = {t.name: t.pk for t in program.tiers.all()}
    accounts, entries = LoyaltyAccount._meta.db_table, LedgerEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {accounts} (program_id, email, balance, lifetime_earned, created_at, updated_at)
            SELECT %s, 'm' || g || '@bench.example', 0, 0, now(), now()
            FROM generate_series(1, %s) g""",
            [program.pk, members],
        )
        cursor.execute(
            f"""
            INSERT INTO {entries} (account_id, kind, points, forgiven_points, source_key, order_number, money_amount,
                                   reason, detail, available_at, occurred_at, actor_label, created_at)
            SELECT a.id, 'earn', amount::int, 0, 'bench:' || a.id || ':' || k, '', amount, '',
                   jsonb_build_object('refund_basis', amount::text), now(), now() - k * interval '20 days', 'bench', now()
            FROM {accounts} a CROSS JOIN generate_series(1, 2) k
            CROSS JOIN LATERAL (SELECT ((a.id * 7919 + k * 104729) %% 2400 + 50)::numeric AS amount) m
            WHERE a.program_id = %s""",
            [program.pk],
        )
        cursor.execute(
            f"""
            UPDATE {accounts} a SET tier_id = CASE WHEN s.spend >= 6000 THEN %s WHEN s.spend >= 2000 THEN %s END
            FROM (SELECT account_id, SUM(money_amount) AS spend FROM {entries} GROUP BY account_id) s
            WHERE s.account_id = a.id""",
            [tiers["Platinum"], tiers["Gold"]],
        )
        cursor.execute(
            f"""
            INSERT INTO {entries} (account_id, kind, points, forgiven_points, source_key, order_number, money_amount,
                                   reason, detail, available_at, occurred_at, actor_label, created_at, reverses_id)
            SELECT e.account_id, 'earn_reversal', -(e.points / 2), 0, 'bench-refund:' || e.id, '', e.money_amount / 2,
                   '', '{{}}'::jsonb, now(), now(), 'bench', now(), e.id
            FROM {entries} e JOIN {accounts} a ON a.id = e.account_id
            WHERE a.program_id = %s AND e.kind = 'earn' AND e.account_id %% 10 = 0 AND e.points > 1""",
            [program.pk],
        )
        cursor.execute(f"VACUUM (ANALYZE) {accounts}")  # what autovacuum does to an append-only ledger
        cursor.execute(f"VACUUM (ANALYZE) {entries}")
    return program


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


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=TARGET_MEMBERS)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument(
        "--database", default=f"loyalty_bench_tiers{os.environ.get('LOYALTY_TEST_DB_SUFFIX', '')}"
    )
    args = parser.parse_args()
    setup_django(args.database)
    from saleor_loyalty.tiers import evaluation as tier_evaluation

    seeding = time.perf_counter()
    program = seed(args.members)
    print(
        f"seeded {args.members} members ({2 * args.members} orders) in {time.perf_counter() - seeding:.0f} s"
    )
    rss_before = peak_rss_mb()

    baseline = keyset_baseline(program, args.batch)
    started = time.perf_counter()
    report = tier_evaluation.evaluate_program(program, batch_size=args.batch)
    elapsed = time.perf_counter() - started
    rate = report.evaluated / elapsed
    assert report.finished
    assert report.evaluated == args.members

    print(f"members: {args.members} on one worker, batch {args.batch}")
    print(f"keyset scan baseline      : {baseline:9.0f} members/s")
    print(
        f"tier evaluation           : {rate:9.0f} members/s  ({rate / baseline:.1%} of the scan)  "
        f"{elapsed:.1f} s; upgraded {report.upgraded}, grace started {report.grace_started}, "
        f"downgraded {report.downgraded}"
    )
    print(f"projected for {TARGET_MEMBERS:,}    : {TARGET_MEMBERS / rate:9.1f} s  (target < 60 s)")
    print(f"peak RSS                  : {peak_rss_mb():9.0f} MB (after seeding {rss_before:.0f} MB)")


if __name__ == "__main__":
    main()
