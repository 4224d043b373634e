"""Every KPI query at N members and M orders, through the roll-ups, against scanning the orders.

    bash scripts/bench.sh kpis [--members N] [--orders M] [--events E]

The roll-up rows are built directly in bulk SQL (what the order events and the backfill would have
written for M orders of N members over 36 months: buyer rows, buyer-month rows, cohort cells,
channel days, ledger-day rows, accounts with balances), not by replaying M orders. The baseline is
the query a KPI page would run without roll-ups: one aggregate over a plain table of the M orders for
the same period, in the same run. Then E order events go through `record_order` (the live path) to
show what the incremental roll-up costs per order. Target: every KPI query < 1 s at 1M members and
10M orders. Runs in its own fresh database (`loyalty_bench_kpis`).
"""

import argparse
import statistics
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from fresh_database import setup_django

BENCH_DATABASE = "loyalty_bench_kpis"
MONTHS = 36
FIRST_MONTH = date(2024, 1, 1)


def build(members: int, orders: int) -> None:
    from django.db import connection

    from saleor_loyalty.core.facts import ChannelFacts
    from saleor_loyalty.ledger import programs
    from saleor_loyalty.models import (
        ChannelDayRollup,
        CohortCell,
        CustomerMonth,
        CustomerRollup,
        LoyaltyAccount,
        PointsDayRollup,
    )

    program = programs.ensure_program(ChannelFacts("bench", "ILS", "IL"))
    per_member = max(orders // members, 1)
    # buyer g starts in month g % 36 and orders `per_member` times, one month apart (wrapping inside 36 months)
    first = f"(date '{FIRST_MONTH}' + ((g %% {MONTHS}) * interval '1 month'))::date"
    month = f"(date '{FIRST_MONTH}' + (((g %% {MONTHS}) + k) %% {MONTHS}) * interval '1 month')::date"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
            "is_active, date_joined) SELECT '', false, 'u' || g, '', '', 'u' || g || '@bench.example', false, true, "
            "now() FROM generate_series(1, %s) g",
            [members],
        )
        cursor.execute(
            f"INSERT INTO {LoyaltyAccount._meta.db_table} (program_id, user_id, email, balance, lifetime_earned, "
            "created_at, updated_at, tier_floor_reason) SELECT %s, u.id, u.email, (u.id %% 500), 1000, now(), now(), '' "
            "FROM auth_user u",
            [program.pk],
        )
        cursor.execute(
            f"INSERT INTO {CustomerRollup._meta.db_table} (channel_slug, customer_key, is_member, first_month, orders, "
            f"revenue) SELECT 'bench', 'user:' || g, g %% 5 <> 0, {first}, %s, %s * 120 FROM generate_series(1, %s) g",
            [per_member, per_member, members],
        )
        cursor.execute(
            f"INSERT INTO {CustomerMonth._meta.db_table} (channel_slug, customer_key, month, is_member, orders, revenue) "
            f"SELECT 'bench', 'user:' || g, {month}, g %% 5 <> 0, 1, 120 "
            "FROM generate_series(1, %s) g, generate_series(0, %s) k ON CONFLICT DO NOTHING",
            [members, min(per_member, MONTHS) - 1],
        )
        cursor.execute(
            f"UPDATE {CustomerRollup._meta.db_table} c SET active_months = bits.months FROM ("
            "SELECT customer_key, bit_or(set_bit(repeat('0', 512)::bit(512), "
            "((extract(year FROM month)::int - 2000) * 12 + extract(month FROM month)::int - 1), 1)) AS months "
            f"FROM {CustomerMonth._meta.db_table} GROUP BY customer_key) bits WHERE bits.customer_key = c.customer_key"
        )
        cursor.execute(
            f"INSERT INTO {CohortCell._meta.db_table} (channel_slug, cohort_month, month, customers, member_customers, "
            "orders, revenue) SELECT 'bench', c, m, %s, %s, %s, %s FROM generate_series(date %s, date %s, "
            "interval '1 month') c, generate_series(date %s, date %s, interval '1 month') m WHERE m >= c",
            [members // MONTHS, members // MONTHS * 4 // 5, members // MONTHS, members // MONTHS * 120,
             FIRST_MONTH, date(2026, 12, 1), FIRST_MONTH, date(2026, 12, 1)],
        )  # fmt: skip
        daily = orders // (MONTHS * 30)
        cursor.execute(
            f"INSERT INTO {ChannelDayRollup._meta.db_table} (channel_slug, day, currency, orders, member_orders, "
            "revenue, member_revenue, refunded) SELECT 'bench', d, 'ILS', %s, %s, %s, %s, %s "
            "FROM generate_series(date %s, date %s, interval '1 day') d",
            [daily, daily * 4 // 5, daily * 120, daily * 96, daily * 3, FIRST_MONTH, date(2026, 12, 31)],
        )
        cursor.execute(
            f"INSERT INTO {PointsDayRollup._meta.db_table} (channel_slug, day, kind, expiry_month, positive, negative, "
            "rows) SELECT 'bench', d, k, CASE WHEN k IN ('earn', 'earn_reversal', 'expire') "
            "THEN (date_trunc('month', d) + interval '12 months')::date END, "
            "CASE WHEN k = 'earn' THEN %s ELSE 0 END, CASE WHEN k = 'earn' THEN 0 ELSE -%s END, %s "
            "FROM generate_series(date %s, date %s, interval '1 day') d, "
            "unnest(array['earn', 'earn_reversal', 'expire', 'redemption', 'adjustment']) k",
            [daily * 120, daily * 10, daily, FIRST_MONTH, date(2026, 12, 31)],
        )
        # the baseline: the orders themselves, as a KPI page without roll-ups would scan them
        cursor.execute("DROP TABLE IF EXISTS bench_raw_orders")
        cursor.execute(
            "CREATE TABLE bench_raw_orders AS SELECT g AS id, 'user:' || (g %% %s) AS customer_key, "
            f"(date '{FIRST_MONTH}' + (g %% 1096) * interval '1 day')::date AS day, 120::numeric AS total "
            "FROM generate_series(1, %s) g",
            [members, orders],
        )
        cursor.execute("CREATE INDEX ON bench_raw_orders (day)")
        cursor.execute("VACUUM ANALYZE")


def timed(call, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def raw_period(since: date, until: date) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(total), count(DISTINCT customer_key) FROM bench_raw_orders "
            "WHERE day >= %s AND day < %s",
            [since, until],
        )
        cursor.fetchone()


def raw_events(count: int) -> float:
    """The least an order event can cost: one transaction inserting a row and updating a counter."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_event; DROP TABLE IF EXISTS bench_raw_counter")
        cursor.execute(
            "CREATE TABLE bench_raw_event (id bigserial PRIMARY KEY, order_id uuid, total numeric)"
        )
        cursor.execute("CREATE TABLE bench_raw_counter (id int PRIMARY KEY, total numeric)")
        cursor.execute("INSERT INTO bench_raw_counter VALUES (1, 0)")
    started = time.perf_counter()
    for _ in range(count):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_raw_event (order_id, total) VALUES (%s, 120)", [uuid.uuid4()])
            cursor.execute("UPDATE bench_raw_counter SET total = total + 120 WHERE id = 1")
    return (time.perf_counter() - started) / count


def record_events(count: int) -> float:
    from saleor_loyalty.insights.rollups import OrderRollupFacts, record_order

    facts = [
        OrderRollupFacts(
            order_id=uuid.uuid4(),
            channel_slug="bench",
            currency="ILS",
            user_id=i % 1000 + 1,
            email="",
            created_at=datetime(2026, 11, 1, 9, tzinfo=UTC),
            total_gross=Decimal("120.00"),
            is_paid=True,
        )  # fmt: skip
        for i in range(count)
    ]
    started = time.perf_counter()
    for item in facts:
        record_order(item, "Asia/Jerusalem")
    for item in facts[: count // 2]:  # replays of half of them
        record_order(item, "Asia/Jerusalem")
    return (time.perf_counter() - started) / (count + count // 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    setup_django(BENCH_DATABASE)
    from saleor_loyalty.insights import cohorts, kpis, liability
    from saleor_loyalty.models import LoyaltyProgram

    started = time.perf_counter()
    build(args.members, args.orders)
    print(
        f"built roll-ups for {args.members:,} members / {args.orders:,} orders in {time.perf_counter() - started:.1f} s"
    )
    program = LoyaltyProgram.objects.get(channel_slug="bench")
    year = (date(2026, 1, 1), date(2026, 12, 1))
    raw_month = timed(lambda: raw_period(date(2026, 3, 1), date(2026, 4, 1)))
    raw_year = timed(lambda: raw_period(date(2026, 1, 1), date(2027, 1, 1)))
    print(f"baseline: scanning the orders  month {raw_month * 1000:8.1f} ms   year {raw_year * 1000:8.1f} ms")
    queries = {
        "kpis, one month": (lambda: kpis.kpis(program, date(2026, 3, 1), date(2026, 3, 1)), raw_month),
        "kpis, twelve months": (lambda: kpis.kpis(program, *year), raw_year),
        "kpis, 36 months": (lambda: kpis.kpis(program, date(2024, 1, 1), date(2026, 12, 1)), raw_year),
        "cohort table, 12 cohorts": (lambda: cohorts.cohort_table(program, *year), raw_year),
        "liability and breakage": (lambda: liability.liability(program, date(2026, 12, 15)), raw_year),
    }
    worst = 0.0
    for name, (query, baseline) in queries.items():
        seconds = timed(query)
        worst = max(worst, seconds)
        print(
            f"{name:28s} {seconds * 1000:8.1f} ms   {seconds / baseline:6.3f} × the scan   target < 1,000 ms"
        )
    raw_event = raw_events(args.events)
    per_event = record_events(args.events)
    print(
        f"order event into the roll-ups: {per_event * 1000:.2f} ms each ({args.events:,} events + half replayed), "
        f"raw insert+update {raw_event * 1000:.2f} ms: {per_event / raw_event:.1f} × raw"
    )
    print(
        f"slowest KPI query {worst * 1000:.0f} ms: {'OK' if worst < 1 else 'OVER'} the 1 s target at this size"
    )


if __name__ == "__main__":
    main()
