"""Accrual throughput on one worker, against a raw single-row insert+update baseline in the same run.

    bash scripts/bench.sh accrual [--orders N]

The baseline is the least any ledger can do per order (one transaction: insert a row, update a
counter). The club does more per order (idempotency lookup, account lock, savepointed insert, cached
balance) and the ratio says what that costs. Targets: >= 1,000 orders/s and >= 30 % of raw.
"""

import argparse
import os
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_loyalty.demo.settings")
    if not os.environ.get("DATABASE_URL"):
        from saleor_loyalty.demo.__main__ import _fresh_embedded_database

        _fresh_embedded_database()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def make_orders(count: int, users: list):
    from saleor_loyalty.core.facts import OrderFacts, OrderLineFacts

    paid_at = datetime(2026, 11, 1, tzinfo=UTC)
    line = OrderLineFacts("1", "Sourdough", "BKR-1", 2, Decimal("54.24"), Decimal("64.00"))
    return [
        OrderFacts(
            order_id=uuid.uuid4(),
            number=str(i),
            channel_slug="bench",
            currency="ILS",
            user_id=users[i % len(users)].pk,
            email="",
            lines=(line, line),
            shipping_gross=Decimal("0"),
            total_gross=Decimal("128.00"),
            is_paid=True,
            paid_at=paid_at,
        )
        for i in range(count)
    ]


def raw_baseline(count: int) -> float:
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_row; DROP TABLE IF EXISTS bench_raw_counter")
        cursor.execute("CREATE TABLE bench_raw_row (id bigserial PRIMARY KEY, order_id uuid, points int)")
        cursor.execute("CREATE TABLE bench_raw_counter (id int PRIMARY KEY, total bigint)")
        cursor.execute("INSERT INTO bench_raw_counter VALUES (1, 0)")
    started = time.perf_counter()
    for _ in range(count):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_raw_row (order_id, points) VALUES (%s, %s)", [uuid.uuid4(), 128]
            )
            cursor.execute("UPDATE bench_raw_counter SET total = total + %s WHERE id = 1", [128])
    return count / (time.perf_counter() - started)


def club_accrual(orders) -> float:
    from saleor_loyalty import ledger

    started = time.perf_counter()
    for facts in orders:
        ledger.sync_order(facts)
    return len(orders) / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--members", type=int, default=500)
    args = parser.parse_args()
    setup_django()
    from django.contrib.auth import get_user_model

    from saleor_loyalty.core.facts import ChannelFacts
    from saleor_loyalty.ledger import programs
    from saleor_loyalty.models import LedgerEntry

    programs.ensure_program(ChannelFacts("bench", "ILS", "IL"))
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench{i}", email=f"bench{i}@example.com") for i in range(args.members)]
    )
    orders = make_orders(args.orders, users)
    club_accrual(make_orders(200, users))  # warm-up: accounts exist, connections and caches are hot
    raw_baseline(200)

    raw = raw_baseline(args.orders)
    club = club_accrual(orders)
    replay = club_accrual(orders)
    assert LedgerEntry.objects.filter(kind="earn").count() == args.orders + 200

    print(f"orders: {args.orders} on one worker, {args.members} members")
    print(f"raw insert+update baseline : {raw:8.0f} orders/s")
    print(
        f"club accrual (sync_order)  : {club:8.0f} orders/s  ({club / raw:.0%} of raw; target >= 1000/s and >= 30%)"
    )
    print(f"replayed deliveries (no-op): {replay:8.0f} orders/s  ({replay / raw:.0%} of raw)")


if __name__ == "__main__":
    main()
