"""checkoutComplete p50 with the club plugin active vs inactive, measured in the same run.

    bash scripts/bench.sh checkout   (needs Saleor importable; uses the Saleor tier's test database)

Runs are interleaved (active, inactive, active, ...) so machine drift hits both sides alike. Two
shapes: `eager` runs the accrual task inside the request (Saleor without a broker: the worst
case); `broker` publishes the task to Redis as production does, so only the hook's own cost counts.
Target: <= 5 % overhead in the production shape.
"""

import os
import statistics
import time

import pytest

from saleor.plugins.models import PluginConfiguration
from saleor_loyalty.plugin import LoyaltyPlugin
from tests.saleor_tier.flows import CHECKOUT_COMPLETE, prepare_checkout, saleor_call

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "25"))


def _p50(user_api_client, product, shipping_method, plugin_config) -> dict:
    variant = product.variants.first()
    variant.stocks.update(quantity=10_000)
    timings = {True: [], False: []}
    for round_number in range(ROUNDS * 2 + 2):
        active = round_number % 2 == 0
        plugin_config.active = active
        plugin_config.save(update_fields=["active"])
        checkout_id = prepare_checkout(user_api_client, variant, shipping_method, quantity=1, email="bench@example.com")
        started = time.perf_counter()
        saleor_call(user_api_client, CHECKOUT_COMPLETE, {"id": checkout_id}, "checkoutComplete")
        if round_number >= 2:  # the first pair warms caches
            timings[active].append(time.perf_counter() - started)
    return {active: statistics.median(values) * 1000 for active, values in timings.items()}


def _print(shape: str, p50: dict):
    overhead = p50[True] / p50[False] - 1
    print(f"\n{shape:7} checkoutComplete p50: plugin inactive {p50[False]:7.1f} ms | active {p50[True]:7.1f} ms"
          f" | overhead {overhead:+.1%} ({ROUNDS} rounds each)")


@pytest.mark.parametrize("shape", ["eager", "broker"])
def test_checkout_complete_overhead(shape, user_api_client, product, shipping_method, settings):
    from celery import current_app

    config = PluginConfiguration.objects.create(identifier=LoyaltyPlugin.PLUGIN_ID, active=True, configuration=[])
    eager = current_app.conf.task_always_eager
    if shape == "broker":
        current_app.conf.task_always_eager = False
        current_app.conf.broker_url = "redis://127.0.0.1:6379/15"
    try:
        _print(shape, _p50(user_api_client, product, shipping_method, config))
    finally:
        current_app.conf.task_always_eager = eager
