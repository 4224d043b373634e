"""Accrual throughput on one worker, against a raw single-row insert+update baseline in the same run.

    bash scripts/bench.sh accrual [--orders N] [--rounds R] [--database NAME]

The baseline is the least any ledger can do per order (one transaction: insert a row, update a
counter). The club does more per order (idempotency lookup, account lock, earn insert, cached
balance, tier check) and the ratio says what that costs. Raw and club run in alternating blocks and
each ratio is taken against its own round's raw block (a shared machine's load drifts; medians are
printed). Targets: first accruals >= 60 % of raw, replayed deliveries >= raw.

When PostgreSQL runs on this machine the CPU each order took (this process plus its backend, read from
/proc) is printed too: on a shared machine the wall-clock ratios swing with the neighbours' load and the
fsync latency, the CPU ratio is what they tend to when the machine is quiet and fsync is fast. Run with
`PGOPTIONS='-c synchronous_commit=off'` to take fsync out of the wall-clock numbers as well.
"""

import argparse
import dataclasses
import os
import statistics
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from fresh_database import setup_django


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


def _raw_tables():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_row; DROP TABLE IF EXISTS bench_raw_counter")
        cursor.execute("CREATE TABLE bench_raw_row (id bigserial PRIMARY KEY, order_id uuid, points int)")
        cursor.execute("CREATE TABLE bench_raw_counter (id int PRIMARY KEY, total bigint)")
        cursor.execute("INSERT INTO bench_raw_counter VALUES (1, 0)")


CPU = {}  # seconds of CPU by block kind: this process, and its PostgreSQL backend when on this machine


def _server_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend (from /proc: only when the server runs here)."""
    from django.db import connection

    try:
        with open(f"/proc/{connection.connection.info.backend_pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(kind: str, count: int, work) -> float:
    """Orders per second of `work`; its CPU (client + server) is added to CPU[kind]."""
    server, client, started = _server_cpu(), time.process_time(), time.perf_counter()
    work()
    rate = count / (time.perf_counter() - started)
    used = time.process_time() - client
    server_after = _server_cpu()
    used = None if server is None or server_after is None else used + server_after - server
    CPU[kind] = None if used is None or CPU.get(kind, 0) is None else CPU.get(kind, 0) + used
    return rate


def raw_baseline(count: int, kind: str = "raw") -> float:
    """The least a ledger can do per order: one transaction inserting a row and updating a counter."""
    from django.db import connection, transaction

    def work():
        for _ in range(count):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO bench_raw_row (order_id, points) VALUES (%s, %s)", [uuid.uuid4(), 128]
                )
                cursor.execute("UPDATE bench_raw_counter SET total = total + %s WHERE id = 1", [128])

    return _timed(kind, count, work)


def club_accrual(orders, kind: str = "warm-up") -> float:
    from saleor_loyalty import ledger

    def work():
        for facts in orders:
            ledger.sync_order(facts)

    return _timed(kind, len(orders), work)


def refunded_by_line(orders):
    """The same orders after Saleor refunded their first line (an itemized refund)."""
    from saleor_loyalty.core.facts import RefundedLineFacts

    return [
        dataclasses.replace(
            facts,
            refunded_amount=facts.lines[0].total_gross,
            refunded_lines=(RefundedLineFacts(facts.lines[0].line_id, facts.lines[0].quantity),),
            itemized_refund_amount=facts.lines[0].total_gross,
        )
        for facts in orders
    ]


def median(values):
    return statistics.median(values)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument(
        "--rounds", type=int, default=10, help="raw and club blocks alternate, so load drift hits both"
    )
    parser.add_argument(
        "--database", default=f"loyalty_bench_accrual{os.environ.get('LOYALTY_TEST_DB_SUFFIX', '')}"
    )
    args = parser.parse_args()
    setup_django(args.database)
    from django.contrib.auth import get_user_model
    from django.db import connection

    from saleor_loyalty.core.facts import ChannelFacts
    from saleor_loyalty.ledger import programs
    from saleor_loyalty.models import LedgerEntry

    programs.ensure_program(ChannelFacts("bench", "ILS", "IL"))
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench{i}", email=f"bench{i}@example.com") for i in range(args.members)]
    )
    _raw_tables()
    # warm-up: every member's account exists (a first accrual is a known member's new order; opening an
    # account is another path), connections and caches are hot
    club_accrual(make_orders(args.members, users))
    raw_baseline(200)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # plans as on a shop that has been running, not on empty tables

    block = max(args.orders // args.rounds, 1)
    rates = {"raw": [], "first": [], "replay": [], "refund": [], "refund_replay": []}
    for _ in range(args.rounds):
        orders = make_orders(block, users)
        refunds = refunded_by_line(orders)
        rates["raw"].append(raw_baseline(block))
        rates["first"].append(club_accrual(orders, "first"))
        rates["replay"].append(club_accrual(orders, "replay"))
        rates["refund"].append(club_accrual(refunds, "refund"))
        rates["refund_replay"].append(club_accrual(refunds, "refund_replay"))
    assert LedgerEntry.objects.filter(kind="earn").count() == block * args.rounds + args.members
    assert LedgerEntry.objects.filter(kind="earn_reversal").count() == block * args.rounds

    def ratios(name):
        return [club / raw for club, raw in zip(rates[name], rates["raw"], strict=True)]

    def ratio(name):
        return f"{median(ratios(name)):.0%} of raw, lowest round {min(ratios(name)):.0%}"

    print(
        f"orders: {block * args.rounds} on one worker, {args.members} members, {args.rounds} alternating rounds"
    )
    print(
        "medians over the rounds (and the lowest round); each ratio is against the raw block of its own round"
    )
    print(f"raw insert+update baseline  : {median(rates['raw']):8.0f} orders/s")
    print(
        f"first accrual (sync_order)  : {median(rates['first']):8.0f} orders/s  ({ratio('first')}; target >= 60%)"
    )
    print(
        f"replayed delivery (no-op)   : {median(rates['replay']):8.0f} orders/s  ({ratio('replay')}; target >= 100%)"
    )
    print(f"refund of one line          : {median(rates['refund']):8.0f} orders/s  ({ratio('refund')})")
    print(
        f"replayed refund (no-op)     : {median(rates['refund_replay']):8.0f} orders/s  ({ratio('refund_replay')})"
    )
    if CPU["raw"] is not None:
        # On a quiet machine with a fast fsync an order costs its CPU and little else: this ratio is what the
        # wall-clock one tends to there, whatever the load of this run (other processes take no CPU time of ours).
        orders_run = block * args.rounds
        per_order = {kind: CPU[kind] / orders_run * 1000 for kind in ("raw", "first", "replay")}
        print(
            f"CPU per order (client + PostgreSQL backend), all rounds: raw {per_order['raw']:.3f} ms, "
            f"first accrual {per_order['first']:.3f} ms ({per_order['raw'] / per_order['first']:.0%} of raw's rate), "
            f"replay {per_order['replay']:.3f} ms ({per_order['raw'] / per_order['replay']:.0%})"
        )


if __name__ == "__main__":
    main()
