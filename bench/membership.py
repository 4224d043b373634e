"""Paid membership on one worker: order sync against accrual of the same orders, and the expiry job against
a plain scan of the same due memberships, each measured in the same run.

    bash scripts/bench.sh membership [--orders N] [--due M]

(1) N paid orders with a plan line: `ledger.sync_order` (accrual, the baseline) then
`membership.sync_membership_order` (lock, record the term, re-chain, tier move) on the same orders, then
both again as replayed deliveries. Target: a membership order costs no more than 2x its accrual; a
replay (one statement probing plans and recorded lines) at least half of accrual's replay rate.
(2) M memberships past their end: a keyset read of them in batches of 500 (the baseline) against
`membership_jobs.expire_due` (locks, status, tier fall-back with its qualification query, per member).
Runs in a fresh database of its own (`loyalty_bench_membership` + `--db-suffix`) on DATABASE_URL's server,
else embedded.
"""

import argparse
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from fresh_database import setup_django

BENCH_DATABASE = "loyalty_bench_membership"
PAID = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def orders(count: int, users: list):
    from saleor_loyalty.core.facts import OrderFacts, OrderLineFacts

    facts = []
    for i in range(count):
        order_id = uuid.uuid4()
        line = OrderLineFacts(
            f"{order_id}-1", "Gold club", "CLUB", 1, Decimal("25.34"), Decimal("29.90"), variant_id=501
        )
        facts.append(
            OrderFacts(
                order_id=order_id,
                number=str(i),
                channel_slug="bench",
                currency="ILS",
                user_id=users[i % len(users)].pk,
                email=users[i % len(users)].email,
                lines=(line,),
                shipping_gross=Decimal(0),
                total_gross=Decimal("29.90"),
                is_paid=True,
                paid_at=PAID + timedelta(minutes=i),
            )
        )
    return facts


def rate(work, items) -> float:
    started = time.perf_counter()
    for item in items:
        work(item)
    return len(items) / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--due", type=int, default=2000)
    parser.add_argument("--db-suffix", default="", help="Appended to the database name (parallel runs).")
    args = parser.parse_args()
    setup_django(BENCH_DATABASE + args.db_suffix)
    from django.contrib.auth import get_user_model

    from saleor_loyalty import ledger
    from saleor_loyalty.core.facts import ChannelFacts
    from saleor_loyalty.engagement import membership, membership_jobs
    from saleor_loyalty.engagement.membership_plans import VariantFacts, set_plan
    from saleor_loyalty.ledger import programs
    from saleor_loyalty.models import Membership

    program = programs.ensure_program(ChannelFacts("bench", "ILS", "IL"))
    catalog = lambda _channel, ids: {501: VariantFacts(501, "Monthly", "Gold club", None)}  # noqa: E731
    set_plan(
        program, 501, catalog, name="Gold club", term="monthly", tier_id=program.tiers.get(name="Gold").pk
    )
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"u{i}", email=f"u{i}@bench.example") for i in range(args.members)]
    )
    paid = orders(args.orders, users)
    accrual = rate(ledger.sync_order, paid)
    member = rate(lambda facts: membership.sync_membership_order(facts, now=PAID), paid)
    accrual_replay = rate(ledger.sync_order, paid)
    member_replay = rate(lambda facts: membership.sync_membership_order(facts, now=PAID), paid)
    print(f"orders: {args.orders} over {args.members} members")
    print(
        f"  accrual {accrual:,.0f}/s   membership {member:,.0f}/s   ratio {member / accrual:.2f} (target >= 0.50)"
    )
    print(
        f"  replay: accrual {accrual_replay:,.0f}/s   membership {member_replay:,.0f}/s   "
        f"ratio {member_replay / accrual_replay:.2f} (target >= 0.50)"
    )

    # (2) expiry: more members, one monthly term each, all past their end
    extra = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"d{i}", email=f"d{i}@bench.example") for i in range(args.due)]
    )
    for facts in orders(args.due, extra):
        membership.sync_membership_order(facts, now=PAID)
    after = datetime(2027, 1, 1, tzinfo=UTC)
    due = Membership.objects.filter(status="active", ends_at__lte=after).count()
    started = time.perf_counter()
    last, seen = None, 0
    while True:
        rows = Membership.objects.filter(status="active", ends_at__lte=after).order_by("id")
        if last is not None:
            rows = rows.filter(id__gt=last)
        batch = list(rows.values_list("id", flat=True)[:500])
        if not batch:
            break
        seen, last = seen + len(batch), batch[-1]
    scan = time.perf_counter() - started
    started = time.perf_counter()
    run = membership_jobs.expire_due(after, max_batches=10_000)
    expiry = time.perf_counter() - started
    print(f"expiry: {due} due memberships; scan {scan:.2f}s, expire_due {expiry:.2f}s ({run.written} ended)")
    print(
        f"  {run.written / expiry:,.0f} memberships/s; 1M would take {1_000_000 / (run.written / expiry) / 60:.0f} min"
    )


if __name__ == "__main__":
    main()
