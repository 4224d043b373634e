"""Where the eager shape's time goes: checkoutComplete (Saleor without a broker, plugin active) split into
each club task run inside the request and everything else.

    BENCH_ROUNDS=15 bash scripts/bench.sh checkout_profile   (needs Saleor; the Saleor tier's test database)

Saleor's test client runs the after-commit callbacks inside the request, once (as a commit does); each
club task's `delay` (eager: the task runs right there) is wrapped to time it and count its queries.
Checks that the club's work really ran: the order earned its points, once, and each task ran once.
`BENCH_SQL=1` prints each club task's statements in the last round.
"""

import os
import statistics
import time
from collections import defaultdict

from django.db import connection
from django.test.utils import CaptureQueriesContext
from saleor.plugins.models import PluginConfiguration

from saleor_loyalty import tasks
from saleor_loyalty.models import EntryKind, LedgerEntry
from saleor_loyalty.plugin import LoyaltyPlugin
from tests.saleor_tier.flows import CHECKOUT_COMPLETE, prepare_checkout, saleor_call

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))


def test_eager_checkout_complete_profile(user_api_client, product, shipping_method, monkeypatch):
    PluginConfiguration.objects.create(identifier=LoyaltyPlugin.PLUGIN_ID, active=True, configuration=[])
    variant = product.variants.first()
    variant.stocks.update(quantity=10_000)
    this_round = {}

    def timed(task, original):
        def delay(*args, **kwargs):
            with CaptureQueriesContext(connection) as sql:
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    seconds, name = time.perf_counter() - started, task.name.rsplit(".", 1)[-1]
                    runs, spent, queries, statements = this_round.get(name, (0, 0.0, 0, []))
                    this_round[name] = (runs + 1, spent + seconds, queries + len(sql), sql.captured_queries)

        return delay

    for name in dir(tasks):
        task = getattr(tasks, name)
        if hasattr(task, "delay") and getattr(task, "name", "").startswith("saleor_loyalty."):
            monkeypatch.setattr(task, "delay", timed(task, task.delay))

    times, queries = defaultdict(list), defaultdict(list)
    for round_number in range(ROUNDS + 2):
        user_api_client.regenerate_access_token()  # Saleor's access token lives 5 minutes
        checkout_id = prepare_checkout(
            user_api_client, variant, shipping_method, quantity=1, email="bench@example.com"
        )
        this_round.clear()
        started = time.perf_counter()
        order = saleor_call(user_api_client, CHECKOUT_COMPLETE, {"id": checkout_id}, "checkoutComplete")[
            "order"
        ]
        total = time.perf_counter() - started
        earns = LedgerEntry.objects.filter(kind=EntryKind.EARN, order_number=str(order["number"])).count()
        assert earns == 1, f"order {order['number']} has {earns} earn rows"
        assert all(runs == 1 for runs, *_ in this_round.values()), this_round
        club = sum(spent for _, spent, _, _ in this_round.values())
        if round_number >= 2:
            times["checkoutComplete (all)"].append(total)
            times["Saleor alone (all - club)"].append(total - club)
            for name, (_, spent, count, _) in this_round.items():
                times[name].append(spent)
                queries[name].append(count)
        if os.environ.get("BENCH_SQL") and round_number == ROUNDS + 1:
            for name, (_, _, count, statements) in this_round.items():
                print(f"\n-- {name}: {count} queries")
                for query in statements:
                    print("  " + " ".join(query["sql"].split())[:160])
    print(f"\neager checkoutComplete, plugin active, {ROUNDS} rounds (medians):")
    for name, values in times.items():
        count = f"{statistics.median(queries[name]):4.0f} queries" if name in queries else ""
        print(f"  {name:32} {statistics.median(values) * 1000:8.1f} ms  {count}")
    shares = [
        (all_ - alone) / alone
        for all_, alone in zip(
            times["checkoutComplete (all)"], times["Saleor alone (all - club)"], strict=True
        )
    ]
    print(f"  club tasks on top of Saleor alone: median {statistics.median(shares):+.1%}")
