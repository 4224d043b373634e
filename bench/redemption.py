"""Redemption under contention: two tabs of the same member redeem at once, N rounds, against a plain baseline.

    bash scripts/bench.sh redemption [--rounds N]

Each round gives one member 100 spendable points and has two threads (two browser tabs) redeem 80
each on the same checkout at the same moment: exactly one must win. The baseline is the least a
correct implementation can do in the same situation (one transaction: lock a balance row, check,
update). Printed: overspends (must be 0) and throughput of both, measured in the same run. The
card port is the engine tier's in-memory one, so the figure is the club's database work only.
With DATABASE_URL set, point it at a freshly created database: the in-memory card ids restart at
1 on every run and would collide with card rows a previous run left behind.
"""

import argparse
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.accrual import setup_django  # noqa: E402

REDEEM = 80
START = 100


def run_pair(rounds: int, attempt) -> tuple[float, list]:
    """Two threads, one barrier per round; returns (attempts per second, outcomes per round)."""
    from django.db import connection

    barrier = threading.Barrier(2)
    outcomes = [[None, None] for _ in range(rounds)]

    def tab(index):
        try:
            for round_number in range(rounds):
                barrier.wait()
                outcomes[round_number][index] = attempt(round_number, index)
        finally:
            connection.close()

    threads = [threading.Thread(target=tab, args=(i,)) for i in range(2)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return 2 * rounds / (time.perf_counter() - started), outcomes


def baseline(rounds: int) -> tuple[float, int]:
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_balance")
        cursor.execute("CREATE TABLE bench_raw_balance (id int PRIMARY KEY, balance int)")
        cursor.execute(
            "INSERT INTO bench_raw_balance SELECT g, %s FROM generate_series(0, %s) g", [START, rounds]
        )

    def attempt(round_number, _index):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT balance FROM bench_raw_balance WHERE id = %s FOR UPDATE", [round_number])
            if cursor.fetchone()[0] < REDEEM:
                return False
            cursor.execute(
                "UPDATE bench_raw_balance SET balance = balance - %s WHERE id = %s", [REDEEM, round_number]
            )
            return True

    rate, _ = run_pair(rounds, attempt)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_raw_balance WHERE balance < 0")
        return rate, cursor.fetchone()[0]


def club(rounds: int) -> tuple[float, int, int]:
    from django.contrib.auth import get_user_model

    from saleor_loyalty import ledger
    from saleor_loyalty.core.facts import ChannelFacts, CheckoutFacts
    from saleor_loyalty.exceptions import InsufficientPoints
    from saleor_loyalty.ledger import programs
    from saleor_loyalty.models import LoyaltyAccount
    from saleor_loyalty.rewards import redemption
    from tests.engine.cards import InMemoryCards

    program = programs.ensure_program(ChannelFacts("bench-redeem", "ILS", "IL"))
    programs.update_program(program, pending_days=0)
    program.refresh_from_db()
    users = get_user_model().objects.bulk_create(
        [
            get_user_model()(username=f"redeemer{i}-{time.time_ns()}", email=f"r{i}@example.com")
            for i in range(rounds)
        ]
    )
    cards, checkouts = InMemoryCards(), []
    for user in users:
        ledger.adjust_points(ledger.account_for(program, user.pk, user.email), START, "bench", ledger.SYSTEM)
        checkout = CheckoutFacts(
            token=uuid.uuid4(),
            channel_slug=program.channel_slug,
            currency="ILS",
            user_id=user.pk,
            email=user.email,
            lines=(),
            shipping_gross=Decimal(0),
            total_gross=Decimal("1000"),
        )
        cards.checkouts[checkout.token] = checkout
        checkouts.append(checkout)

    def attempt(round_number, index):
        try:
            redemption.redeem(
                program, users[round_number].pk, checkouts[round_number].token, REDEEM, f"tab-{index}", cards
            )
            return True
        except InsufficientPoints:
            return False

    rate, outcomes = run_pair(rounds, attempt)
    both_won = sum(1 for pair in outcomes if all(pair))
    negative = LoyaltyAccount.objects.filter(user__in=users, balance__lt=0).count()
    drift = sum(ledger.reconcile_account(a) != 0 for a in LoyaltyAccount.objects.filter(user__in=users))
    return rate, both_won + negative, drift


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    setup_django()
    raw_rate, raw_overspent = baseline(args.rounds)
    club_rate, overspent, drift = club(args.rounds)
    print(f"rounds: {args.rounds}, two concurrent redeemers each asking {REDEEM} of {START} points")
    print(f"plain lock-and-update baseline : {raw_rate:7.0f} attempts/s, overspends {raw_overspent}")
    print(
        f"club redemption (redeem)       : {club_rate:7.0f} attempts/s, overspends {overspent} (must be 0), "
        f"ledger drift {drift}  ({club_rate / raw_rate:.0%} of baseline)"
    )


if __name__ == "__main__":
    main()
