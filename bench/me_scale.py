"""`me` at scale: query count and p50/p95/p99 for random members, against the raw account lookup in the same run.

    bash scripts/bench.sh me_scale [--members N] [--rows-per-member R] [--requests Q] [--reuse] [--drop] [--database NAME]

The target is 1,000,000 members and 50,000,000 ledger rows (`--members 1000000 --rows-per-member 50`);
the default is 50,000 members (2.4M rows), so a build takes minutes on a shared 2-core machine. The
build is set-based (`generate_series`, chunks of `--chunk` members per transaction) and writes
straight into the tables the way a restore does: the ledger's secondary indexes, its unique and its
foreign-key constraints are dropped first and built again after the data (each checked by one scan,
not row by row); each chunk's users, accounts, earns, redemptions, reversals of every tenth earn
(the last two earns of each member still pending) and the cached balances and tiers are written
from the chunk's own primary-key range, so the build stays linear in size. Then the tables are
vacuumed and analyzed. `--reuse` keeps a database built with the same sizes; `--drop` removes the
bench database after the run.

Each of `--requests` random members asks `me` with points, pointsValue, tier, progress and the first
20 transactions (and, as a second query shape, the tier's name in Hebrew), interleaved with the
baseline: the one-statement lookup of the same member's account. Every answer is checked against the
rows (available + pending - debt = sum of the member's rows; the newest row first; the page full).
Budget: <= 3 queries, a translated tier name included; over budget the run exits with status 1 after
printing its numbers.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHANNEL = "bench-me"
ME = """query($channel: String!) { me(channel: $channel) {
  points { available pending lifetime debt }
  pointsValue { amount currency }
  tier { name %s}
  progress { basis current target remaining percent }
  transactions(first: 20) { edges { node { id kind points orderNumber created } } pageInfo { hasNextPage endCursor } }
} }"""
SHAPES = {"me": (ME % "", 3), "me + tier name in HE": (ME % "translation(languageCode: HE) { name } ", 3)}


def setup_django(name: str, members: int, per_member: int, reuse: bool) -> bool:
    """The bench database on the machine's PostgreSQL; True when it must be built (it is then empty)."""
    import psycopg

    server = {"host": "127.0.0.1", "user": "postgres"}
    with psycopg.connect(**server, dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    built = None
    if reuse and exists:
        with psycopg.connect(**server, dbname=name) as conn:
            if conn.execute("SELECT to_regclass('bench_me_meta')").fetchone()[0]:
                built = conn.execute("SELECT members, rows_per_member FROM bench_me_meta").fetchone()
    fresh = built is None or tuple(built) != (members, per_member)
    if fresh:
        with psycopg.connect(**server, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.engine.settings"
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return fresh


# What a restore builds after the data: every secondary index, then the unique and foreign-key
# constraints (each checked once, by one scan, instead of row by row as the rows go in).
_SECONDARY_SQL = """
SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"""
_CONSTRAINTS_SQL = """
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC"""


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"dropped {name}", flush=True)


def build(members: int, per_member: int, chunk: int) -> None:
    from django.db import connection, transaction

    from saleor_loyalty.core.facts import ChannelFacts
    from saleor_loyalty.ledger import programs
    from saleor_loyalty.models import LedgerEntry, LoyaltyAccount

    program = programs.ensure_program(ChannelFacts(CHANNEL, "ILS", "IL"))
    tiers = {t.name: t.pk for t in program.tiers.all()}
    entries, accounts = LedgerEntry._meta.db_table, LoyaltyAccount._meta.db_table
    earns, redemptions = max(1, per_member * 7 // 10), per_member * 2 // 10
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(_SECONDARY_SQL, [entries])
        secondary = cursor.fetchall()
        cursor.execute(_CONSTRAINTS_SQL, [entries])
        constraints = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE {entries} DROP CONSTRAINT "{name}"')
        for index_name, _ in secondary:
            cursor.execute(f'DROP INDEX "{index_name}"')
        cursor.execute(
            "INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, "
            "is_active, date_joined) SELECT g, '', false, 'm' || g, '', '', 'm' || g || '@bench.example', false, "
            "true, now() FROM generate_series(1, %s) g",
            [members],
        )
        cursor.execute(
            f"INSERT INTO {accounts} (program_id, user_id, email, balance, lifetime_earned, created_at, updated_at) "
            "SELECT %s, g, 'm' || g || '@bench.example', 0, 0, now(), now() FROM generate_series(1, %s) g",
            [program.pk, members],
        )
        cursor.execute(f"SELECT min(id) FROM {accounts} WHERE program_id = %s", [program.pk])
        first_account = cursor.fetchone()[0]
    for low in range(0, members, chunk):
        with transaction.atomic(), connection.cursor() as cursor:
            span = [first_account + low, first_account + min(low + chunk, members) - 1]
            # this chunk's rows are a primary-key range: read back by it, never by a scan of the table
            # (the planner has no statistics of rows written in this transaction, so it is told)
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"SELECT COALESCE(max(id), 0) FROM {entries}")
            before = cursor.fetchone()[0]
            # earns spread over two years; the last two of each member are still pending
            cursor.execute(
                f"""INSERT INTO {entries} (account_id, kind, points, forgiven_points, source_key, order_number,
                    money_amount, reason, detail, available_at, expires_at, occurred_at, actor_label, created_at)
                SELECT a, 'earn', amount::int, 0, 'order:' || a || ':' || k, a || '-' || k, amount, 'Order',
                       jsonb_build_object('refund_basis', amount::text), at + CASE WHEN k > %s - 2 THEN interval
                       '60 days' ELSE interval '14 days' END, at + interval '365 days', at, 'bench', at
                FROM generate_series(%s, %s) a CROSS JOIN generate_series(1, %s) k
                CROSS JOIN LATERAL (SELECT ((a::bigint * 7919 + k * 104729) %% 400 + 20)::numeric AS amount,
                    now() - (%s - k) * interval '730 days' / %s AS at) m""",
                [earns, *span, earns, earns, earns],
            )
            cursor.execute(
                f"""INSERT INTO {entries} (account_id, kind, points, forgiven_points, source_key, order_number, reason, detail,
                    available_at, occurred_at, actor_label, created_at)
                SELECT a, 'redemption', -((a + k) %% 30 + 1), 0, 'redeem:' || a || ':' || k, '', 'Redeemed', '{{}}',
                       now() - k * interval '9 days', now() - k * interval '9 days', 'bench', now() - k * interval '9 days'
                FROM generate_series(%s, %s) a CROSS JOIN generate_series(1, %s) k""",
                [*span, redemptions],
            )
            cursor.execute(
                f"""INSERT INTO {entries} (account_id, kind, points, forgiven_points, source_key, reverses_id, order_number,
                    money_amount, reason, detail, available_at, occurred_at, actor_label, created_at)
                SELECT e.account_id, 'earn_reversal', -(e.points / 2), 0, 'refund:' || e.id, e.id, e.order_number,
                       e.money_amount / 2, 'Refunded', '{{}}', e.available_at, e.occurred_at + interval '3 days',
                       'bench', e.occurred_at + interval '3 days'
                FROM {entries} e WHERE e.id > %s AND e.kind = 'earn' AND e.id %% 10 = 0 AND e.points > 1""",
                [before],
            )
            # cached balances and tiers from this chunk's rows
            cursor.execute(
                f"""UPDATE {accounts} a SET balance = s.balance, lifetime_earned = s.lifetime,
                       tier_id = CASE WHEN s.spend >= 6000 THEN %s WHEN s.spend >= 2000 THEN %s END
                FROM (SELECT account_id, SUM(points) AS balance,
                             SUM(points) FILTER (WHERE kind IN ('earn', 'earn_reversal')) AS lifetime,
                             SUM(money_amount) FILTER (WHERE kind = 'earn' AND occurred_at > now() - interval '1 year')
                               - COALESCE(SUM(money_amount) FILTER (WHERE kind = 'earn_reversal'
                                          AND occurred_at > now() - interval '1 year'), 0) AS spend
                      FROM {entries} WHERE id > %s GROUP BY account_id) s
                WHERE s.account_id = a.id""",
                [tiers["Platinum"], tiers["Gold"], before],
            )
        done = min(low + chunk, members)
        rate = done / (time.perf_counter() - started)
        print(f"  built {done}/{members} members ({rate:.0f} members/s)", flush=True)
    with connection.cursor() as cursor:
        loaded = time.perf_counter()
        print(
            f"  rebuilding {len(secondary)} secondary indexes and {len(constraints)} constraints", flush=True
        )
        for _, definition in secondary:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {entries} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(f"VACUUM (ANALYZE) {accounts}")
        cursor.execute(f"VACUUM (ANALYZE) {entries}")
        print(f"  indexes, constraints and vacuum: {time.perf_counter() - loaded:.0f} s", flush=True)
        cursor.execute(f"SELECT count(*) FROM {entries}")
        rows = cursor.fetchone()[0]
        cursor.execute("CREATE TABLE bench_me_meta (members int, rows_per_member int, ledger_rows bigint)")
        cursor.execute("INSERT INTO bench_me_meta VALUES (%s, %s, %s)", [members, per_member, rows])
    print(f"built {members} members, {rows} ledger rows in {time.perf_counter() - started:.0f} s", flush=True)


def expected(cursor, user_id: int) -> dict:
    """What the rows say, by plain SQL (outside any timing)."""
    cursor.execute(
        "SELECT a.id, SUM(e.points), MAX(e.id), COUNT(e.id), t.name, (SELECT name FROM saleor_loyalty_tiertranslation "
        "  WHERE tier_id = t.id AND language_code = 'he') FROM saleor_loyalty_loyaltyaccount a "
        "JOIN saleor_loyalty_loyaltyprogram p ON p.id = a.program_id "
        "JOIN saleor_loyalty_ledgerentry e ON e.account_id = a.id "
        "LEFT JOIN saleor_loyalty_tier t ON t.id = COALESCE(a.tier_id, "
        "  (SELECT id FROM saleor_loyalty_tier WHERE program_id = p.id AND position = 0)) "
        "WHERE p.channel_slug = %s AND a.user_id = %s GROUP BY a.id, t.id, t.name",
        [CHANNEL, user_id],
    )
    account_id, total, newest, count, tier, tier_he = cursor.fetchone()
    return {
        "account": account_id,
        "sum": total,
        "newest": newest,
        "count": count,
        "tier": tier,
        "he": tier_he,
    }


def check(data: dict, want: dict, translated: bool) -> None:
    from saleor_loyalty.graphql.ids import to_global_id

    points = data["points"]
    assert points["available"] + points["pending"] - points["debt"] == want["sum"], (data, want)
    edges = data["transactions"]["edges"]
    assert len(edges) == min(20, want["count"]), (len(edges), want)
    assert edges[0]["node"]["id"] == to_global_id("LoyaltyTransaction", want["newest"]), (edges[0], want)
    assert data["tier"]["name"] == want["tier"], (data["tier"], want)
    if translated:
        assert data["tier"]["translation"]["name"] == want["he"], (data["tier"], want)
    assert data["progress"]["basis"] == "SPEND", data["progress"]


def percentile(values, share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def measure(members: int, requests: int, seed: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from saleor_loyalty.core.facts import Requestor
    from saleor_loyalty.graphql.context import ClubContext
    from saleor_loyalty.graphql.schema import schema

    rng = random.Random(seed)
    times = {"baseline": [], **{shape: [] for shape in SHAPES}}
    queries = dict.fromkeys(SHAPES, 0)
    lookup = (
        "SELECT a.* FROM saleor_loyalty_loyaltyaccount a JOIN saleor_loyalty_loyaltyprogram p "
        "ON p.id = a.program_id WHERE p.channel_slug = %s AND a.user_id = %s AND a.merged_into_id IS NULL"
    )
    for number in range(requests + 10):  # the first ten warm connections and code paths
        user_id = rng.randint(1, members)
        with connection.cursor() as cursor:
            want = expected(cursor, user_id)
            started = time.perf_counter()
            cursor.execute(lookup, [CHANNEL, user_id])
            assert cursor.fetchone()[0] == want["account"]
            elapsed = {"baseline": time.perf_counter() - started}
        for shape, (query, _) in SHAPES.items():
            context = ClubContext(requestor=Requestor(user_id=user_id), client_ip="127.0.0.1")
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                result = schema.execute(query, variable_values={"channel": CHANNEL}, context_value=context)
                elapsed[shape] = time.perf_counter() - started
            assert result.errors is None, result.errors
            check(result.data["me"], want, "translation" in query)
            queries[shape] = max(queries[shape], len(captured.captured_queries))
        if number >= 10:
            for name, seconds in elapsed.items():
                times[name].append(seconds)
    return {"times": times, "queries": queries}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--rows-per-member", type=int, default=50)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--chunk", type=int, default=10_000, help="members per build transaction")
    parser.add_argument("--reuse", action="store_true", help="keep a database built with the same sizes")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--drop", action="store_true", help="drop the bench database after the run")
    parser.add_argument(
        "--database", default=f"loyalty_bench_me{os.environ.get('LOYALTY_TEST_DB_SUFFIX', '')}"
    )
    args = parser.parse_args()
    if setup_django(args.database, args.members, args.rows_per_member, args.reuse):
        build(args.members, args.rows_per_member, args.chunk)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT members, ledger_rows FROM bench_me_meta")
        members, rows = cursor.fetchone()
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('saleor_loyalty_ledgerentry'))")
        size = cursor.fetchone()[0]
    try:
        result = measure(args.members, args.requests, args.seed)
    finally:
        if args.drop:
            connection.close()
            drop_database(args.database)

    print(
        f"{members} members, {rows} ledger rows (ledger with indexes: {size}); {args.requests} random members"
    )
    base = result["times"]["baseline"]
    print(
        f"{'raw account lookup (baseline)':34}: p50 {percentile(base, 0.5):6.2f} ms  "
        f"p95 {percentile(base, 0.95):6.2f} ms  p99 {percentile(base, 0.99):6.2f} ms"
    )
    over = []
    for shape, (_, budget) in SHAPES.items():
        values = result["times"][shape]
        count = result["queries"][shape]
        print(
            f"{shape:34}: p50 {percentile(values, 0.5):6.2f} ms  p95 {percentile(values, 0.95):6.2f} ms  "
            f"p99 {percentile(values, 0.99):6.2f} ms  "
            f"({statistics.median(values) / statistics.median(base):.1f}x the baseline's p50); "
            f"{count} queries (budget {budget})"
        )
        if count > budget:
            over.append(f"{shape}: {count} queries > {budget}")
    if over:
        print("OVER BUDGET: " + "; ".join(over))
        sys.exit(1)


if __name__ == "__main__":
    main()
