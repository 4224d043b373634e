"""Recording an action against the first accrual of a paid order and a raw single-row insert, in one run;
and what the public `club` page costs in SQL queries.

    bash scripts/bench.sh actions [--actions N] [--members M] [--rounds R]

Raw, accrual and action blocks alternate, each ratio taken against its own round's raw block (a shared
machine's load drifts; medians are printed). An action is recorded the way an app records a review
(`engagement.actions.record`: idempotency key, account lock, cap count, ledger row) and the way a Saleor
hook does (`award`, no key). Targets: recording an action >= the first accrual's rate; the club page <= 2
queries.
"""

import argparse
import time

from accrual import _raw_tables, club_accrual, make_orders, median, raw_baseline, setup_django


def record_actions(program, accounts, count: int, start: int, via_api: bool) -> float:
    from saleor_loyalty import ledger
    from saleor_loyalty.engagement import actions
    from saleor_loyalty.engagement.catalogue import find_action

    action = find_action(program, "bench-review")
    actor = ledger.SYSTEM
    started = time.perf_counter()
    for i in range(start, start + count):
        account = accounts[i % len(accounts)]
        if via_api:
            actions.record(program, "bench-review", account, f"product-{i}", f"review-{i}", actor)
        else:
            actions.award(action, account, object_id=f"product-{i}")
    return count / (time.perf_counter() - started)


def club_page_queries() -> tuple[int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from saleor_loyalty.core.facts import Requestor
    from saleor_loyalty.graphql.context import ClubContext
    from saleor_loyalty.graphql.schema import schema

    query = """{ club(channel: "bench") { currency earning { pointsPerCurrencyUnit } redeeming { pointValue { amount } }
      tiers { name entryThreshold translation(languageCode: HE) { name } benefits { discountPercent } }
      waysToEarn { key points caps { perDay } } terms(languageCode: HE) } }"""
    context = ClubContext(requestor=Requestor())
    schema.execute(query, context_value=context)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = schema.execute(query, context_value=ClubContext(requestor=Requestor()))
        elapsed = time.perf_counter() - started
    assert result.errors is None, result.errors
    return len(queries), elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, default=5000)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from saleor_loyalty import ledger
    from saleor_loyalty.core.facts import ChannelFacts
    from saleor_loyalty.engagement import catalogue
    from saleor_loyalty.ledger import programs
    from saleor_loyalty.models import ClubAction, LedgerEntry

    program = programs.ensure_program(ChannelFacts("bench", "ILS", "IL"))
    catalogue.ensure_builtin_actions(program)
    ClubAction.objects.filter(program=program).update(is_enabled=True)
    catalogue.create_action(
        program, key="bench-review", name_en="Review", points=10, cap_per_day=100_000, is_enabled=True
    )
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench{i}", email=f"bench{i}@example.com") for i in range(args.members)]
    )
    accounts = [ledger.account_for(program, user.pk, user.email) for user in users]
    _raw_tables()
    club_accrual(make_orders(200, users))  # warm-up
    raw_baseline(200)
    record_actions(program, accounts, 200, 10_000_000, via_api=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    block = max(args.actions // args.rounds, 1)
    rates = {"raw": [], "accrual": [], "api": [], "hook": []}
    for round_index in range(args.rounds):
        start = round_index * block * 2
        rates["raw"].append(raw_baseline(block))
        rates["accrual"].append(club_accrual(make_orders(block, users)))
        rates["api"].append(record_actions(program, accounts, block, start, via_api=True))
        rates["hook"].append(record_actions(program, accounts, block, start + block, via_api=False))
    assert LedgerEntry.objects.filter(kind="action").count() == 2 * block * args.rounds + 200
    queries, page_seconds = club_page_queries()

    def ratio(name, against="raw"):
        return median([a / b for a, b in zip(rates[name], rates[against], strict=True)])

    def lowest(name, against):
        return min(a / b for a, b in zip(rates[name], rates[against], strict=True))

    print(
        f"actions: {2 * block * args.rounds} recorded on one worker, {args.members} members, {args.rounds} rounds"
    )
    print("medians over the rounds (and the lowest round); each ratio is against the block of its own round")
    print(f"raw insert+update baseline  : {median(rates['raw']):8.0f} rows/s")
    print(
        f"first accrual (sync_order)  : {median(rates['accrual']):8.0f} orders/s  ({ratio('accrual'):.0%} of raw)"
    )
    print(
        f"action recorded by an app   : {median(rates['api']):8.0f} actions/s ({ratio('api'):.0%} of raw, "
        f"{ratio('api', 'accrual'):.0%} of accrual, lowest round {lowest('api', 'accrual'):.0%}; target >= 100% of accrual)"
    )
    print(
        f"action from a Saleor hook   : {median(rates['hook']):8.0f} actions/s ({ratio('hook'):.0%} of raw, "
        f"{ratio('hook', 'accrual'):.0%} of accrual, lowest round {lowest('hook', 'accrual'):.0%})"
    )
    print(
        f"public club page            : {queries} SQL queries, {page_seconds * 1000:.1f} ms  (target <= 2 queries)"
    )


if __name__ == "__main__":
    main()
