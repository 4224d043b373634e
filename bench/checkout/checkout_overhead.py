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


def _print(shape: str, p50: dict, what: str = "checkoutComplete"):
    overhead = p50[True] / p50[False] - 1
    print(f"\n{shape:7} {what} p50: plugin inactive {p50[False]:7.1f} ms | active {p50[True]:7.1f} ms"
          f" | overhead {overhead:+.1%} ({ROUNDS} rounds each)")


def _use_broker():
    from celery import current_app

    current_app.conf.task_always_eager = False
    current_app.conf.broker_url = "redis://127.0.0.1:6379/15"


@pytest.mark.parametrize("shape", ["eager", "broker"])
def test_checkout_complete_overhead(shape, user_api_client, product, shipping_method, settings):
    from celery import current_app

    config = PluginConfiguration.objects.create(identifier=LoyaltyPlugin.PLUGIN_ID, active=True, configuration=[])
    eager = current_app.conf.task_always_eager
    if shape == "broker":
        _use_broker()
    try:
        _print(shape, _p50(user_api_client, product, shipping_method, config))
    finally:
        current_app.conf.task_always_eager = eager


def test_gold_member_whole_checkout_overhead(user_api_client, customer_user, product, shipping_method,
                                             channel_USD, django_capture_on_commit_callbacks):
    """A Gold member's whole checkout (create, delivery, payment, complete) with every hook running as
    after Saleor's commit: the club puts the member's code on the checkout and checks it at completion."""
    from celery import current_app

    from saleor_loyalty import programs, tier_settings
    from saleor_loyalty.facts import Actor, ChannelFacts
    from saleor_loyalty.ledger.accounts import account_for

    program = programs.ensure_program(ChannelFacts(channel_USD.slug, channel_USD.currency_code))
    account = account_for(program, customer_user.pk, customer_user.email)
    tier_settings.set_floor(account, program.tiers.get(name="Gold"), "bench", Actor(label="bench"))
    config = PluginConfiguration.objects.create(identifier=LoyaltyPlugin.PLUGIN_ID, active=True, configuration=[])
    variant = product.variants.first()
    variant.stocks.update(quantity=10_000)
    eager = current_app.conf.task_always_eager
    _use_broker()
    timings = {True: [], False: []}
    try:
        for round_number in range(ROUNDS * 2 + 2):
            active = round_number % 2 == 0
            config.active = active
            config.save(update_fields=["active"])
            started = time.perf_counter()
            with django_capture_on_commit_callbacks(execute=True):
                checkout_id = prepare_checkout(user_api_client, variant, shipping_method, quantity=1,
                                               email=customer_user.email)
                saleor_call(user_api_client, CHECKOUT_COMPLETE, {"id": checkout_id}, "checkoutComplete")
            if round_number >= 2:
                timings[active].append(time.perf_counter() - started)
    finally:
        current_app.conf.task_always_eager = eager
    _print("gold", {active: statistics.median(values) * 1000 for active, values in timings.items()},
           "whole checkout")
