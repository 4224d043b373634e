"""Segment computation (the nightly RFM and named-segment run) for N members, against a raw scan baseline.

    bash scripts/bench.sh segments [--members N] [--orders-per-member K] [--batch B] [--db-suffix _me]

Members are guest accounts with K earn rows each on average (1 to 2K-1, spread over two years), written
straight into a fresh database by SQL. The baseline is the least any computation can do: one
aggregate pass over every order (GROUP BY member), measured in the same run. The club's run reads the
same orders batch by batch from the cursor, computes rhythm and trend per member, takes the quintile
borders, scores and assigns segments, writes memberships, their history and the day's sizes. The
process's peak RSS is printed to show it does not grow with N. Target: 1M members < 60 s on one worker.
"""

import argparse
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

NOW = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)


def populate(members: int, per_member: int) -> int:
    from django.db import connection

    from saleor_loyalty.core.facts import ChannelFacts
    from saleor_loyalty.ledger import programs
    from saleor_loyalty.models import LedgerEntry, LoyaltyAccount

    program = programs.ensure_program(ChannelFacts("bench", "ILS", "IL"))
    accounts, entries = LoyaltyAccount._meta.db_table, LedgerEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {accounts} (program_id, email, balance, lifetime_earned, tier_floor_reason,
                created_at, updated_at)
                SELECT %s, 'm' || g || '@bench.example', 0, 0, '', now(), now()
                FROM generate_series(1, %s) g""",
            [program.pk, members],
        )
        cursor.execute(
            f"""INSERT INTO {entries} (account_id, kind, points, forgiven_points, source_key, order_number,
                money_amount, reason, detail, available_at, occurred_at, actor_label, created_at)
                SELECT a.id, 'earn', 10 + (a.id * 7 + n) %% 400, 0, 'order:' || a.id || ':' || n, '',
                       10 + (a.id * 7 + n) %% 400, '', '{{}}'::jsonb, now(),
                       %s::timestamptz - ((a.id * 13 + n * 37) %% 730) * interval '1 day', 'bench', now()
                FROM {accounts} a
                CROSS JOIN LATERAL generate_series(1, 1 + (a.id %% (2 * %s - 1))) n
                WHERE a.program_id = %s""",
            [NOW, per_member, program.pk],
        )
        cursor.execute(f"SELECT count(*) FROM {entries}")
        orders = cursor.fetchone()[0]
        cursor.execute("VACUUM ANALYZE")
    return orders


def raw_scan() -> float:
    """The aggregate pass, counted in the database (fetching a row per member would put N rows in this
    process and hide the run's own peak RSS)."""
    from django.db import connection

    from saleor_loyalty.models import LedgerEntry

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT account_id, count(*), max(occurred_at), sum(money_amount) "
            f"FROM {LedgerEntry._meta.db_table} WHERE kind = 'earn' GROUP BY account_id) members"
        )
        cursor.fetchall()
    return time.perf_counter() - started


class Phases:
    """Wall time spent in each phase of a run (the stats pass, the borders, the scoring pass, the sizes);
    what is left is the per-batch claim and cursor."""

    NAMES = (
        ("segments", "refresh_stats"),
        ("rfm", "compute_borders"),
        ("segments", "assign_segments"),
        ("segments", "snapshot"),
    )

    def __init__(self):
        from saleor_loyalty.insights import rfm, segments

        self.modules = {"segments": segments, "rfm": rfm}
        self.spent = dict.fromkeys((name for _, name in self.NAMES), 0.0)

    def __enter__(self):
        self.real = {name: getattr(self.modules[module], name) for module, name in self.NAMES}
        for module, name in self.NAMES:
            setattr(self.modules[module], name, self._timed(name, self.real[name]))
        return self

    def __exit__(self, *exc):
        for module, name in self.NAMES:
            setattr(self.modules[module], name, self.real[name])

    def _timed(self, name, function):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.spent[name] += time.perf_counter() - started

        return timed

    def line(self, total: float) -> str:
        rest = total - sum(self.spent.values())
        return (
            ", ".join(f"{name} {spent:.1f} s" for name, spent in self.spent.items()) + f", rest {rest:.1f} s"
        )


def club_run(now, batch: int) -> tuple[float, float, str]:
    """The run's time, the process's peak RSS after it in MiB and where the time went."""
    from saleor_loyalty.insights import segments

    with Phases() as phases:
        started = time.perf_counter()
        segments.compute_segments(now=now, batch_size=batch)
        elapsed = time.perf_counter() - started
    return elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, phases.line(elapsed)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--orders-per-member", type=int, default=3)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument(
        "--db-suffix", default="", help="appended to the bench database's name (shared servers)"
    )
    args = parser.parse_args()
    from fresh_database import setup_django

    setup_django(f"loyalty_bench_segments{args.db_suffix}")
    from datetime import timedelta

    from saleor_loyalty.models import SegmentEvent, SegmentMembership

    started = time.perf_counter()
    orders = populate(args.members, args.orders_per_member)
    print(f"built {args.members:,} members and {orders:,} orders in {time.perf_counter() - started:.1f} s")
    raw = raw_scan()
    first, first_peak, first_phases = club_run(NOW, args.batch)
    events = SegmentEvent.objects.count()
    second, second_peak, second_phases = club_run(NOW + timedelta(days=1), args.batch)
    per_million = first / args.members * 1_000_000
    print(f"members: {args.members}, orders: {orders}, batch: {args.batch}, one worker")
    print(f"raw aggregate scan of every order      : {raw:7.2f} s")
    print(
        f"first night (stats, borders, segments) : {first:7.2f} s ({first / raw:.1f}x raw), "
        f"{args.members / first:,.0f} members/s, peak RSS {first_peak:.0f} MiB"
    )
    print(f"  {first_phases}")
    print(f"next night (only changes written)      : {second:7.2f} s, peak RSS {second_peak:.0f} MiB")
    print(f"  {second_phases}")
    print(f"memberships: {SegmentMembership.objects.count()}, events: {events}")
    print(f"linear extrapolation to 1M members     : {per_million:7.1f} s (target < 60 s)")


if __name__ == "__main__":
    main()
