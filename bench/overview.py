"""First meaningful paint of the Dashboard's Overview at N members: the club requests it sends, timed.

    bash scripts/bench.sh overview [--members N] [--orders M] [--carts C] [--repeat R] [--reuse]

The Overview screen (frontend/src/app/screens/Overview.tsx) sends two club requests one after the other:
the program's tiers, then one request with the member count, one count per tier, the year's KPIs,
the liability and the month's cart recovery. Both are read from frontend/src/app/queries.ts and
rendered the way the screen renders them, and the screen is checked to send exactly those two, so
the bench cannot drift from the app. They go through the club endpoint (the stand-alone server's
URLconf, as Saleor routes it) with a staff app token carrying the Dashboard's permissions.

The data is the kpis bench's (N members with balances and tiers, roll-ups of M orders over 36
months) plus C abandoned carts in the last 60 days. Each request is timed R times after one warm-up;
the median, its SQL statement count and the sum of both (the API's share of the first paint) are
printed. Target: each request < 1 s at 1M members. `--reuse` keeps a database built at the same size.
"""

import argparse
import json
import os
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fresh_database import mark_built, setup_django
from kpis import build

BENCH_DATABASE = "loyalty_bench_overview"
CHANNEL = "bench"
ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "frontend" / "src" / "app"
ENDPOINT = "/plugins/global/saleor.loyalty/graphql/"


def screen_requests() -> tuple[str, callable]:
    """(the tiers query, tier ids -> the overview query), read from queries.ts; the screen must send just these."""
    screen = (APP / "screens" / "Overview.tsx").read_text()
    sent = re.findall(r"\bclub<.*?>\((\w+)", screen)
    assert sent == ["OVERVIEW_TIERS", "overviewQuery"], f"Overview.tsx now sends {sent}: update this bench"
    source = (APP / "queries.ts").read_text()
    tiers_query = re.search(r"export const OVERVIEW_TIERS = `([^`]*)`;", source).group(1)
    function = re.search(
        r"export function overviewQuery\(tierIds: string\[\]\): string \{(.*?)\n\}\n", source, re.S
    )
    per_tier = re.search(r"\.map\(\(id, i\) => `([^`]*)`\)", function.group(1)).group(1)
    separator = re.search(r'\.join\("([^"]*)"\)', function.group(1)).group(1).replace("\\n", "\n")
    template = re.search(r"return `([^`]*)`;", function.group(1)).group(1)

    def overview_query(tier_ids: list[str]) -> str:
        lines = [
            per_tier.replace("${i}", str(i)).replace("${JSON.stringify(id)}", json.dumps(tier_id))
            for i, tier_id in enumerate(tier_ids)
        ]
        query = template.replace("${perTier}", separator.join(lines))
        assert "${" not in query, "queries.ts interpolates something new: update this bench"
        return query

    return tiers_query, overview_query


def windows(now: datetime) -> dict:
    """i18n.ts's monthWindow (the last 30 days) and yearWindow (the last twelve months, this one included)."""
    from saleor_loyalty.core.clock import add_months

    since = add_months(now.date().replace(day=1), -11)
    return {
        "since": (now - timedelta(days=30)).isoformat(),
        "until": now.isoformat(),
        "kpiSince": since.isoformat(),
        "kpiUntil": now.date().isoformat(),
    }


def add_carts(carts: int) -> None:
    """Abandoned carts over the last 60 days: a tenth recovered, a tenth in the holdout, half reminded."""
    from django.db import connection

    from saleor_loyalty.models import AbandonedCheckout

    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AbandonedCheckout._meta.db_table} (checkout_token, channel_slug, user_id, email, email_hash, "
            "phone, language_code, currency, total_gross, lines, checkout_changed_at, detected_at, lost_at, state, "
            "state_reason, next_step, reminders_sent, recovered_revenue, updated_at) "
            "SELECT gen_random_uuid(), %s, g, '', md5(g::text), '', '', 'ILS', 150, '[]', at, at, at, "
            "CASE g %% 10 WHEN 0 THEN 'recovered' WHEN 1 THEN 'holdout' ELSE 'active' END, '', 0, g %% 2, "
            "CASE WHEN g %% 10 = 0 THEN 150 END, now() "
            "FROM generate_series(1, %s) g, LATERAL (SELECT now() - (g %% 60) * interval '1 day' AS at) t",
            [CHANNEL, carts],
        )
        cursor.execute("ANALYZE")


def prepare(args) -> None:
    sizes = [args.members, args.orders, args.carts]
    if setup_django(BENCH_DATABASE, reuse=sizes if args.reuse else None):
        print(f"reusing {BENCH_DATABASE}: {args.members:,} members")
        return
    started = time.perf_counter()
    build(args.members, args.orders, baseline=False)
    add_carts(args.carts)
    mark_built(sizes)
    print(f"built {args.members:,} members, {args.orders:,} orders' roll-ups, {args.carts:,} carts "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=3_000_000)
    parser.add_argument("--carts", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the database when built at these sizes")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "saleor_loyalty.dashboard.standalone.settings"
    os.environ["LOYALTY_STANDALONE_DB"] = BENCH_DATABASE
    prepare(args)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from saleor_loyalty.dashboard.standalone import tokens, urls

    user, _ = get_user_model().objects.get_or_create(
        username="staff", defaults={"email": urls.STAFF_EMAIL, "is_staff": True}
    )
    client = Client(
        HTTP_HOST="localhost",
        HTTP_AUTHORIZATION=f"Bearer {tokens.mint_app_token(user, urls.ALL_PERMISSIONS)}",
    )

    slowest: dict[str, list] = {}

    def request(query: str, variables: dict) -> tuple[float, int, dict]:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post(
                ENDPOINT, {"query": query, "variables": variables}, content_type="application/json"
            )
            seconds = time.perf_counter() - started
        body = response.json()
        assert response.status_code == 200, body
        assert not body.get("errors"), body
        slowest[query] = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:5]
        return seconds, len(captured.captured_queries), body["data"]

    tiers_query, overview_query = screen_requests()
    variables = {"channel": CHANNEL}
    tier_ids = [tier["id"] for tier in request(tiers_query, variables)[2]["program"]["tiers"]]
    overview = overview_query(tier_ids)
    overview_variables = {**variables, **windows(datetime.now(UTC))}
    data = request(overview, overview_variables)[2]
    assert (
        data["all"]["totalCount"]
        == args.members
        == sum(data[f"t{i}"]["totalCount"] for i in range(len(tier_ids)))
    )
    print(f"{args.members:,} members in {len(tier_ids)} tiers; KPIs for {overview_variables['kpiSince']} to "
          f"{overview_variables['kpiUntil']}: {data['kpis']['orders']:,} orders")  # fmt: skip
    total, worst = 0.0, 0.0
    for name, query, values in (
        ("1 OverviewTiers", tiers_query, variables),
        ("2 Overview", overview, overview_variables),
    ):
        runs = [request(query, values)[:2] for _ in range(args.repeat)]
        seconds = statistics.median(run[0] for run in runs)
        total, worst = total + seconds, max(worst, seconds)
        print(f"{name:18s} {seconds * 1000:8.1f} ms  {runs[0][1]:3d} SQL   target < 1,000 ms")
        for statement in slowest[query]:
            print(f"    {float(statement['time']) * 1000:7.1f} ms  {statement['sql'][:110]}")
    print(
        f"the Overview's API time to first meaningful paint: {total * 1000:.0f} ms (the two requests in sequence)"
    )
    print(
        f"slowest request {worst * 1000:.0f} ms: {'OK' if worst < 1 else 'OVER'} the 1 s target at this size"
    )
    if worst >= 1:
        sys.exit(1)


if __name__ == "__main__":
    main()
