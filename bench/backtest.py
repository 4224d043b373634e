"""Rule backtest over 12 months of N recorded orders, against only reading those ledger rows.

    bash scripts/bench.sh backtest [--orders N] [--members M]

Builds N earn rows (with the snapshot `detail` accrual writes: base, rate, tier; 100,000 distinct bases)
spread over the last 12 months for M members, one in ten partly refunded (a reversal with `base_reversed`), directly in
SQL. Then times (1) the baseline: fetching the same rows and reversals with their bases, and (2)
`backtest()`: the current and a proposed program replayed (a spend-based ladder, as here, in one
aggregate statement over those rows), first, so the peak RSS printed is the backtest's own (the
baseline then holds every row in Python). Target: 1M orders < 2 min. Runs in its own fresh database
(`loyalty_bench_backtest`).
"""

import argparse
import resource
import time
from datetime import timedelta
from decimal import Decimal

from fresh_database import setup_django

BENCH_DATABASE = "loyalty_bench_backtest"


def build(orders: int, members: int) -> None:
    from django.db import connection

    from saleor_loyalty.core.facts import ChannelFacts
    from saleor_loyalty.ledger import programs
    from saleor_loyalty.models import LedgerEntry, LoyaltyAccount

    program = programs.ensure_program(ChannelFacts("bench", "ILS", "IL"))
    account, entry = LoyaltyAccount._meta.db_table, LedgerEntry._meta.db_table
    detail = (
        "jsonb_build_object('rule', 'base-rate', 'base', (20 + (g::bigint * 7919) %% 100000 / 100.0)::text, "
        "'earn_rate', '1', 'earn_multiplier', '1', 'refund_basis', (40 + (g::bigint * 7919) %% 100000 / 100.0)::text, "
        "'currency', 'ILS')"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {account} (program_id, email, balance, lifetime_earned, created_at, updated_at, "
            "tier_floor_reason) SELECT %s, 'm' || g || '@bench.example', 0, 0, now(), now(), '' "
            "FROM generate_series(1, %s) g",
            [program.pk, members],
        )
        cursor.execute(f"SELECT min(id) FROM {account}")
        first = cursor.fetchone()[0]
        cursor.execute(
            f"INSERT INTO {entry} (account_id, kind, points, forgiven_points, source_key, order_number, reason, "
            "detail, available_at, expires_at, actor_label, occurred_at, created_at) "
            f"SELECT %s + g %% %s, 'earn', 80 + g %% 400, 0, 'order:' || g, g::text, '', {detail}, "
            "now(), now() + interval '1 year', 'system', now() - (g %% 360) * interval '1 day' - interval '1 hour', now() "
            "FROM generate_series(1, %s) g",
            [first, members, orders],
        )
        cursor.execute(
            f"INSERT INTO {entry} (account_id, kind, points, forgiven_points, source_key, reverses_id, order_number, "
            "reason, detail, available_at, actor_label, occurred_at, created_at) "
            "SELECT e.account_id, 'earn_reversal', -(e.points / 4), 0, 'refund:' || e.id, e.id, e.order_number, '', "
            "jsonb_build_object('base_reversed', ((e.detail->>'base')::numeric / 4)::text), now(), 'system', "
            f"e.occurred_at + interval '10 minutes', now() FROM {entry} e WHERE e.kind = 'earn' AND e.id % 10 = 0",
        )
        cursor.execute("VACUUM ANALYZE")


def baseline(program, since, until) -> float:
    from saleor_loyalty.insights.backtest import _events

    started = time.perf_counter()
    _events(program, since, until)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=20_000)
    args = parser.parse_args()
    setup_django(BENCH_DATABASE)
    from django.utils import timezone

    from saleor_loyalty.insights.backtest import Proposal, ProposedTier, backtest
    from saleor_loyalty.models import LoyaltyProgram

    started = time.perf_counter()
    build(args.orders, args.members)
    print(
        f"built {args.orders:,} orders (+{args.orders // 10:,} refunds) in {time.perf_counter() - started:.1f} s"
    )
    program = LoyaltyProgram.objects.get(channel_slug="bench")
    now = timezone.now()
    proposal = Proposal(
        earn_rate=Decimal(2),
        point_value=Decimal("0.04"),
        cashback_percent=Decimal(1),
        tiers=(ProposedTier("Base", Decimal(0)), ProposedTier("VIP", Decimal(3000), Decimal(2), Decimal(3))),
    )
    started = time.perf_counter()
    result = backtest(program, proposal, 12, now)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the baseline holds every row
    read = baseline(program, now - timedelta(days=366), now)
    print(f"baseline: reading the rows      {read:7.2f} s")
    print(
        f"backtest (current + proposed)   {seconds:7.2f} s   {seconds / read:5.1f} × the read   peak RSS {peak:.0f} MB"
    )
    print(f"  current  {result.current.orders:,} orders, {result.current.net_points:,} points")
    print(
        f"  proposed {result.proposed.orders:,} orders, {result.proposed.net_points:,} points, tiers {result.proposed.tier_distribution}"
    )
    per_million = seconds / args.orders * 1_000_000
    print(
        f"extrapolated to 1M orders: {per_million:.0f} s (linear)   target < 120 s: {'OK' if per_million < 120 else 'OVER'}"
    )


if __name__ == "__main__":
    main()
