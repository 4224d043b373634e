"""Every KPI query of the club API at N members and M orders, through the roll-ups, against scanning the orders.

    bash scripts/bench.sh kpis [--members N] [--orders M] [--events E] [--reuse]

The roll-up rows are built directly in bulk SQL (what the order events and the backfill would have
written for M orders of N members over 36 months: buyer rows, buyer-month rows, cohort cells,
return cells, channel days, ledger-day rows, accounts with balances and tiers), not by replaying M
orders. Each query is the staff GraphQL query with every field (kpis at 1, 12 and 36 months,
kpiCohorts likewise, liability), timed with its SQL statement count. The baseline is
the query a KPI page would run without roll-ups: one aggregate over a plain table of the M orders for
the same period, in the same run. Then E order events go through `record_order` (the live path) to
show what the incremental roll-up costs per order. Target: every KPI query < 1 s at 1M members and
10M orders. Runs in its own fresh database (`loyalty_bench_kpis`; `--reuse` keeps one built at the
same sizes, a build at 1M members / 10M orders taking about 13 minutes on a loaded 2-core machine).
"""

import argparse
import importlib
import statistics
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal

from fresh_database import mark_built, setup_django

BENCH_DATABASE = "loyalty_bench_kpis"
MONTHS = 36
FIRST_MONTH = date(2024, 1, 1)
MONEY = "{ amount currency }"
KPIS = f"""query($channel: String!, $since: Date!, $until: Date!) {{ kpis(channel: $channel, since: $since, until: $until) {{
  currency membersCount membersNew membersActive customersActive orders revenue {MONEY} memberAov {MONEY}
  guestAov {MONEY} repeatPurchaseRate purchaseFrequency recoveryRate referralRate nps
  points {{ issued reversed redeemed expired redemptionRate }}
  months {{ month orders memberOrders revenue {MONEY} memberAov {MONEY} guestAov {MONEY} activeCustomers
           activeMembers newCustomers }} }} }}"""
COHORTS = f"""query($channel: String!, $since: Date!, $until: Date!) {{ kpiCohorts(channel: $channel, since: $since,
  until: $until) {{ month size memberSize ltv {MONEY} cells {{ offset month customers retention revenue {MONEY}
  ltv {MONEY} }} }} }}"""
LIABILITY = f"""query($channel: String!) {{ liability(channel: $channel) {{ outstandingPoints pointsValue {MONEY}
  pendingCredit {MONEY} creditOnCards {MONEY} total {MONEY} buckets {{ month points value {MONEY} expectedBreakage }}
  breakage {{ maturedPoints expiredPoints rate forecastPoints forecastValue {MONEY} }} }} }}"""


@contextmanager
def bulk_load(cursor, *tables: str):
    """Load `tables` the way a restore does: their secondary indexes and unique constraints dropped
    first and built again after, so millions of rows are not inserted into several b-trees one by one."""
    saved = []
    for table in tables:
        cursor.execute(
            "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "WHERE c.conrelid = %s::regclass AND c.contype = 'u'",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        saved.append((table, constraints, indexes))
    yield
    for table, constraints, indexes in saved:
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for _, definition in indexes:
            cursor.execute(definition)


def build(members: int, orders: int, baseline: bool = True) -> None:
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
    bulk_tables = (
        "auth_user",
        LoyaltyAccount._meta.db_table,
        CustomerRollup._meta.db_table,
        CustomerMonth._meta.db_table,
    )
    with connection.cursor() as cursor, bulk_load(cursor, *bulk_tables):
        cursor.execute(
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
            "is_active, date_joined) SELECT '', false, 'u' || g, '', '', 'u' || g || '@bench.example', false, true, "
            "now() FROM generate_series(1, %s) g",
            [members],
        )
        tiers = list(program.tiers.order_by("position").values_list("pk", flat=True))
        cursor.execute(  # members joined over the 36 months, spread over the tiers, most in the first
            f"INSERT INTO {LoyaltyAccount._meta.db_table} (program_id, user_id, email, balance, lifetime_earned, "
            "created_at, updated_at, tier_floor_reason, tier_id) SELECT %s, u.id, u.email, (u.id %% 500), 1000, "
            f"timestamptz '{FIRST_MONTH}' + (u.id %% 1096) * interval '1 day', now(), '', "
            "(%s::bigint[])[least(u.id %% 10, %s - 1) + 1] FROM auth_user u",
            [program.pk, tiers, len(tiers)],
        )
        cursor.execute(
            f"INSERT INTO {CustomerRollup._meta.db_table} (channel_slug, customer_key, is_member, first_month, orders, "
            f"revenue) SELECT 'bench', 'user:' || g, g %% 5 <> 0, {first}, %s, %s * 120 FROM generate_series(1, %s) g",
            [per_member, per_member, members],
        )
        cursor.execute(
            f"INSERT INTO {CustomerMonth._meta.db_table} (channel_slug, customer_key, month, is_member, orders, revenue) "
            f"SELECT 'bench', 'user:' || g, {month}, g %% 5 <> 0, 1, 120 "
            "FROM generate_series(1, %s) g, generate_series(0, %s) k",
            [members, min(per_member, MONTHS) - 1],
        )
        cursor.execute(
            importlib.import_module("saleor_loyalty.migrations.0230_kpi_return_cells").BACKFILL
        )  # the return cells from the buyer-months, as the migration builds them
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
        if baseline:  # the orders themselves, as a KPI page without roll-ups would scan them
            build_baseline(cursor, members, orders)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def build_baseline(cursor, members: int, orders: int) -> None:
    cursor.execute("DROP TABLE IF EXISTS bench_raw_orders")
    cursor.execute(
        "CREATE TABLE bench_raw_orders AS SELECT g AS id, 'user:' || (g %% %s) AS customer_key, "
        f"(date '{FIRST_MONTH}' + (g %% 1096) * interval '1 day')::date AS day, 120::numeric AS total "
        "FROM generate_series(1, %s) g",
        [members, orders],
    )
    cursor.execute("CREATE INDEX ON bench_raw_orders (day)")


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


def staff_query(query: str, **variables) -> int:
    """Run a club query as staff with MANAGE_USERS; the number of SQL statements it took."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from saleor_loyalty.core.facts import Requestor
    from saleor_loyalty.graphql.context import ClubContext
    from saleor_loyalty.graphql.schema import schema

    staff = Requestor(user_id=1, is_staff=True, permissions=frozenset({"MANAGE_USERS"}))
    with CaptureQueriesContext(connection) as captured:
        result = schema.execute(
            query,
            variable_values={"channel": "bench", **variables},
            context_value=ClubContext(requestor=staff),
        )
    assert result.errors is None, result.errors
    return len(captured.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--reuse", action="store_true", help="keep the database when built at these sizes")
    args = parser.parse_args()
    sizes = [args.members, args.orders]
    if setup_django(BENCH_DATABASE, reuse=sizes if args.reuse else None):
        print(f"reusing {BENCH_DATABASE}: {args.members:,} members / {args.orders:,} orders")
    else:
        started = time.perf_counter()
        build(args.members, args.orders)
        mark_built(sizes)
        print(
            f"built roll-ups for {args.members:,} members / {args.orders:,} orders in "
            f"{time.perf_counter() - started:.1f} s"
        )
    raw_month = timed(lambda: raw_period(date(2026, 3, 1), date(2026, 4, 1)))
    raw_year = timed(lambda: raw_period(date(2026, 1, 1), date(2027, 1, 1)))
    print(f"baseline: scanning the orders  month {raw_month * 1000:8.1f} ms   year {raw_year * 1000:8.1f} ms")
    month, year, all_months = (
        ("2026-03-01", "2026-03-31"),
        ("2026-01-01", "2026-12-31"),
        ("2024-01-01", "2026-12-31"),
    )
    queries = {  # every KPI query the API offers, every field, at the shortest, a middle and the longest period
        "kpis, one month": (KPIS, month, raw_month),
        "kpis, twelve months": (KPIS, year, raw_year),
        "kpis, 36 months": (KPIS, all_months, raw_year),
        "kpiCohorts, one month": (COHORTS, month, raw_month),
        "kpiCohorts, 12 cohorts": (COHORTS, year, raw_year),
        "kpiCohorts, 36 cohorts": (COHORTS, all_months, raw_year),
        "liability and breakage": (LIABILITY, None, raw_year),
    }
    worst = 0.0
    for name, (query, period, baseline) in queries.items():
        variables = dict(zip(("since", "until"), period, strict=True)) if period else {}
        statements = staff_query(query, **variables)
        seconds = timed(lambda query=query, variables=variables: staff_query(query, **variables))
        worst = max(worst, seconds)
        print(
            f"{name:28s} {seconds * 1000:8.1f} ms  {statements:3d} SQL   {seconds / baseline:6.3f} × the scan   "
            "target < 1,000 ms"
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
