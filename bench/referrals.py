"""Referral throughput on one worker, against plain accrual (`ledger.sync_order`) in the same run.

    bash scripts/bench.sh referrals [--friends N] [--referrers M]

Per friend's order the club runs the fraud checks (loop walk, cap count under the referrer's lock, the
referrer's facts) and records the referral; a replayed delivery locks and returns; the beat job rewards in
batches; an order no referral is about costs one indexed probe (`may_be_referred`). Each rate is printed
with its ratio to accrual measured on the same database in the same run.
"""

import argparse
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

PAID = datetime(2026, 11, 1, tzinfo=UTC)


class BenchShop:
    """Saleor as referrals need it, in memory (no vouchers: the friend's benefit is points)."""

    def __init__(self):
        self.checkouts, self.orders = {}, {}

    def checkout(self, token):
        return self.checkouts.get(token)

    def has_orders(self, user_id, email):
        return False

    def order(self, order_id):
        return self.orders.get(order_id)

    def person(self, user_id, email):
        from saleor_loyalty.engagement.referral_facts import PersonFacts

        return PersonFacts(user_id=user_id)


def friends_orders(count, codes, club, shop):
    from saleor_loyalty.core.facts import Requestor
    from saleor_loyalty.engagement import referrals
    from saleor_loyalty.engagement.referral_facts import (
        PersonFacts,
        ReferralCheckoutFacts,
        ReferralOrderFacts,
    )

    orders = []
    for i in range(count):
        email = f"friend{i}-{uuid.uuid4().hex[:6]}@example.com"
        checkout = ReferralCheckoutFacts(uuid.uuid4(), "bench", None, email)
        shop.checkouts[checkout.token] = checkout
        referrals.apply_code(club, checkout.token, codes[i % len(codes)], Requestor(), shop)
        order = ReferralOrderFacts(
            order_id=uuid.uuid4(),
            number=str(i),
            channel_slug="bench",
            checkout_token=checkout.token,
            user_id=None,
            email=email,
            total=Decimal("128.00"),
            currency="ILS",
            is_paid=True,
            paid_at=PAID,
            person=PersonFacts(emails=frozenset({email})),
        )
        shop.orders[order.order_id] = order
        orders.append(order)
    return orders


def rate(count, run) -> float:
    started = time.perf_counter()
    run()
    return count / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--friends", type=int, default=2000)
    parser.add_argument("--referrers", type=int, default=50)
    args = parser.parse_args()
    from fresh_database import setup_django

    setup_django("bench_referrals")
    from django.db import connection

    from saleor_loyalty import ledger
    from saleor_loyalty.core.facts import ChannelFacts, OrderFacts, OrderLineFacts
    from saleor_loyalty.engagement import referral_orders, referrals
    from saleor_loyalty.ledger import programs
    from saleor_loyalty.models import EntryKind, LedgerEntry

    club = programs.ensure_program(ChannelFacts("bench", "ILS", "IL"))
    referrals.update_settings(club, enabled=True, friend_benefit="points", friend_points=100, monthly_cap=0)
    codes = [
        referrals.code_for(ledger.account_for(club, None, f"referrer{i}@example.com"))
        for i in range(args.referrers)
    ]
    shop = BenchShop()
    orders = friends_orders(args.friends, codes, club, shop)
    line = OrderLineFacts("1", "Sourdough", "BKR-1", 2, Decimal("54.24"), Decimal("64.00"))
    plain = [
        OrderFacts(
            uuid.uuid4(),
            str(i),
            "bench",
            "ILS",
            None,
            f"buyer{i % 500}@example.com",
            (line,),
            Decimal(0),
            Decimal("64.00"),
            is_paid=True,
            paid_at=PAID,
        )
        for i in range(args.friends)
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    accrual = rate(len(plain), lambda: [ledger.sync_order(facts) for facts in plain])
    first = rate(len(orders), lambda: [referral_orders.sync_referral_order(o, shop) for o in orders])
    replay = rate(len(orders), lambda: [referral_orders.sync_referral_order(o, shop) for o in orders])
    probe = rate(
        len(plain),
        lambda: [referral_orders.may_be_referred(f.order_id, "bench", uuid.uuid4(), "") for f in plain],
    )
    due = PAID + timedelta(days=31)
    job = rate(len(orders), lambda: referral_orders.reward_due(shop, now=due, max_batches=10**6))
    assert LedgerEntry.objects.filter(kind=EntryKind.REFERRAL_REWARD).count() == len(orders)
    assert LedgerEntry.objects.filter(kind=EntryKind.REFERRAL_WELCOME).count() == len(orders)

    print(f"{len(orders)} friends' orders, {args.referrers} referrers, one worker")
    print(f"accrual baseline (sync_order)      : {accrual:8.0f} orders/s")
    for name, value in (
        ("referral counted (checks + record)", first),
        ("replayed order event (no-op)      ", replay),
        ("reward job (both sides' rows)     ", job),
        ("probe of an unreferred order      ", probe),
    ):
        print(f"{name} : {value:8.0f} /s  ({value / accrual:.0%} of accrual)")


if __name__ == "__main__":
    main()
