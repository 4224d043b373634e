"""The club plugin's cost inside Saleor's checkout, active vs inactive, measured in the same run.

    bash scripts/bench.sh checkout   (needs Saleor importable; uses the Saleor tier's test database)

Runs are interleaved (active, inactive, active, ...) so machine drift hits both sides alike, and every
round runs Saleor's after-commit callbacks once, inside the timed request, as production does: Saleor's
test client (`post_graphql`) already runs them (the test database never commits). The bench only
observes them: an outer `execute=True` capture ran every callback a second time, and Saleor's webhook
callbacks, run again, called the plugin's hooks again, so the club's tasks ran three times per
checkoutComplete and the eager overhead was counted about three times.
Shapes:
- `eager`: checkoutComplete with the club's tasks run inside the request (Saleor without a broker: the
  worst case);
- `broker`: checkoutComplete with the tasks handed to a stand-in broker that only counts them (production
  shape: what remains is the hooks' own cost, the order-creation guard included). Target: <= 5 %;
- `gold`: a Gold member's whole checkout (create, delivery, payment, complete), broker shape: the club puts
  the member's 5 % voucher code on the checkout and checks it at completion; the inactive side is the
  same checkout where the shopper types a merchant's 5 % code instead, so Saleor prices the same
  discount on both sides and the difference is the club's own work.
"""

import os
import statistics
import time

import pytest
from saleor.plugins.models import PluginConfiguration

from saleor_loyalty import tasks
from saleor_loyalty.models import EntryKind, LedgerEntry
from saleor_loyalty.plugin import LoyaltyPlugin
from tests.saleor_tier.flows import CHECKOUT_COMPLETE, prepare_checkout, saleor_call

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "25"))


@pytest.fixture
def stand_in_broker(monkeypatch):
    """Every club task's `delay` only records the call, so no task runs in the request."""
    published = []
    for name in dir(tasks):
        task = getattr(tasks, name)
        if hasattr(task, "delay") and getattr(task, "name", "").startswith("saleor_loyalty."):
            monkeypatch.setattr(task, "delay", lambda *args, _name=task.name: published.append(_name))
    return published


def _interleaved(config, capture, run_round) -> dict:
    timings = {True: [], False: []}
    for round_number in range(ROUNDS * 2 + 2):
        active = round_number % 2 == 0
        config.active = active
        config.save(update_fields=["active"])
        elapsed = run_round(capture)
        if round_number >= 2:  # the first pair warms caches
            timings[active].append(elapsed)
    return {active: statistics.median(values) * 1000 for active, values in timings.items()}


def _print(shape: str, p50: dict, what: str = "checkoutComplete"):
    overhead = p50[True] / p50[False] - 1
    print(
        f"\n{shape:7} {what} p50: plugin inactive {p50[False]:7.1f} ms | active {p50[True]:7.1f} ms"
        f" | overhead {overhead:+.1%} ({ROUNDS} rounds each)"
    )


def _plugin_config():
    return PluginConfiguration.objects.create(
        identifier=LoyaltyPlugin.PLUGIN_ID, active=True, configuration=[]
    )


@pytest.mark.parametrize("shape", ["eager", "broker"])
def test_checkout_complete_overhead(
    shape, request, user_api_client, product, shipping_method, django_capture_on_commit_callbacks
):
    published = request.getfixturevalue("stand_in_broker") if shape == "broker" else None
    variant = product.variants.first()
    variant.stocks.update(quantity=10_000)

    def complete_one(capture):
        user_api_client.regenerate_access_token()  # Saleor's access token lives 5 minutes; a slow run outlives it
        checkout_id = prepare_checkout(
            user_api_client, variant, shipping_method, quantity=1, email="bench@example.com"
        )
        started = time.perf_counter()
        with capture(execute=False):  # Saleor's client runs them; a second run would count them twice
            order = saleor_call(user_api_client, CHECKOUT_COMPLETE, {"id": checkout_id}, "checkoutComplete")
        elapsed = time.perf_counter() - started
        if shape == "eager" and config.active:  # the club's work really ran in the request, once
            earns = LedgerEntry.objects.filter(
                kind=EntryKind.EARN, order_number=str(order["order"]["number"])
            )
            assert earns.count() == 1, f"order {order['order']['number']}: {earns.count()} earn rows"
        return elapsed

    config = _plugin_config()
    _print(shape, _interleaved(config, django_capture_on_commit_callbacks, complete_one))
    if published is not None:
        assert published, "the hooks never handed a task to the broker"
        print(f"        tasks handed to the broker: {len(published)}")


def test_gold_member_whole_checkout_overhead(
    user_api_client,
    customer_user,
    product,
    shipping_method,
    channel_USD,
    voucher_percentage,
    stand_in_broker,
    django_capture_on_commit_callbacks,
):
    from saleor_loyalty.core.facts import Actor, ChannelFacts
    from saleor_loyalty.ledger import programs
    from saleor_loyalty.ledger.accounts import account_for
    from saleor_loyalty.tiers import settings as tier_settings

    program = programs.ensure_program(ChannelFacts(channel_USD.slug, channel_USD.currency_code))
    account = account_for(program, customer_user.pk, customer_user.email)
    tier_settings.set_floor(account, program.tiers.get(name="Gold"), "bench", Actor(label="bench"))
    voucher_percentage.channel_listings.update(discount_value=5)
    variant = product.variants.first()
    variant.stocks.update(quantity=10_000)
    config = _plugin_config()

    def whole_checkout(capture):
        user_api_client.regenerate_access_token()  # Saleor's access token lives 5 minutes; a slow run outlives it
        started = time.perf_counter()
        with capture(execute=False):  # Saleor's client runs them; a second run would count them twice
            checkout_id = prepare_checkout(
                user_api_client,
                variant,
                shipping_method,
                quantity=1,
                email=customer_user.email,
                promo_code=None if config.active else "saleor",
            )
            saleor_call(user_api_client, CHECKOUT_COMPLETE, {"id": checkout_id}, "checkoutComplete")
        return time.perf_counter() - started

    _print(
        "gold",
        _interleaved(config, django_capture_on_commit_callbacks, whole_checkout),
        "whole checkout (inactive: same 5 % as a typed code)",
    )
