"""Where the eager shape's time goes: checkoutComplete split into Saleor's request, Saleor's after-commit
callbacks and each club task run inside the request (Saleor without a broker), plugin active.

    BENCH_ROUNDS=15 bash scripts/bench.sh checkout_profile   (needs Saleor; the Saleor tier's test database)

Every round completes a fresh checkout, collects the after-commit callbacks instead of running them,
then runs them one by one, timing each and counting its queries. A club callback is one made by the
plugin's `_enqueue_after_commit` (its closure holds the task); everything else is Saleor's own.
Checks that the club's work really ran: the order earned its points, once.
"""

import os
import statistics
import time
from collections import defaultdict

from django.db import connection
from django.test.utils import CaptureQueriesContext
from saleor.plugins.models import PluginConfiguration

from saleor_loyalty.models import EntryKind, LedgerEntry
from saleor_loyalty.plugin import LoyaltyPlugin
from tests.saleor_tier.flows import CHECKOUT_COMPLETE, prepare_checkout, saleor_call

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))


def _club_task_name(callback) -> str | None:
    for cell in getattr(callback, "__closure__", None) or ():
        name = getattr(cell.cell_contents, "name", "")
        if isinstance(name, str) and name.startswith("saleor_loyalty."):
            return name.rsplit(".", 1)[-1]
    return None


def test_eager_checkout_complete_profile(
    user_api_client, product, shipping_method, django_capture_on_commit_callbacks
):
    PluginConfiguration.objects.create(identifier=LoyaltyPlugin.PLUGIN_ID, active=True, configuration=[])
    variant = product.variants.first()
    variant.stocks.update(quantity=10_000)
    times, queries = defaultdict(list), defaultdict(list)
    for round_number in range(ROUNDS + 2):
        user_api_client.regenerate_access_token()  # Saleor's access token lives 5 minutes
        checkout_id = prepare_checkout(
            user_api_client, variant, shipping_method, quantity=1, email="bench@example.com"
        )
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            started = time.perf_counter()
            order = saleor_call(user_api_client, CHECKOUT_COMPLETE, {"id": checkout_id}, "checkoutComplete")[
                "order"
            ]
            request = time.perf_counter() - started
        spent = {"request": request}
        counted = defaultdict(int)
        # callbacks may register more callbacks (Saleor's do): run until none is left, in order
        pending = list(callbacks)
        while pending:
            callback = pending.pop(0)
            name = _club_task_name(callback) or "saleor callbacks"
            with (
                django_capture_on_commit_callbacks(execute=False) as more,
                CaptureQueriesContext(connection) as sql,
            ):
                started = time.perf_counter()
                callback()
                spent[name] = spent.get(name, 0) + time.perf_counter() - started
            counted[name] += len(sql.captured_queries)
            pending.extend(more)
        earns = LedgerEntry.objects.filter(kind=EntryKind.EARN, order_number=str(order["number"])).count()
        assert earns == 1, f"order {order['number']} has {earns} earn rows"
        if round_number >= 2:
            for name, seconds in spent.items():
                times[name].append(seconds)
                queries[name].append(counted.get(name, 0))
    total = statistics.median([sum(values) for values in zip(*times.values(), strict=True)])
    club = statistics.median(
        [
            sum(v for n, v in zip(times, row, strict=True) if n not in ("request", "saleor callbacks"))
            for row in zip(*times.values(), strict=True)
        ]
    )
    print(f"\neager checkoutComplete, plugin active, {ROUNDS} rounds (medians):")
    for name, values in times.items():
        print(
            f"  {name:32} {statistics.median(values) * 1000:8.1f} ms  {statistics.median(queries[name]):5.0f} queries"
        )
    print(
        f"  {'all':32} {total * 1000:8.1f} ms; club tasks {club * 1000:.1f} ms = {club / (total - club):+.1%} on the rest"
    )
