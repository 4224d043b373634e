"""The lost-event safety net: orders whose hook never reached the ledger are caught up by the sweep."""

import dataclasses
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from saleor_loyalty import ledger
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount
from saleor_loyalty.orders import sweep as order_sweep
from tests.engine.conftest import PAID_AT


class FakeSaleor:
    """Orders as (facts, updated_at), listed the way the adapter lists them."""

    def __init__(self):
        self.orders = {}

    def put(self, facts, updated_at):
        self.orders[str(facts.order_id)] = (facts, updated_at)

    def changed_after(self, moment, last_key, limit):
        rows = sorted((updated, key) for key, (_, updated) in self.orders.items())
        after = [(key, updated) for updated, key in rows if (updated, key) > (moment, last_key)]
        return after[:limit]

    def load(self, order_id):
        return self.orders[order_id][0]


def sweep(saleor, **kwargs):
    return order_sweep.sweep_changed_orders(
        saleor.changed_after, saleor.load, ledger.sync_order, now=PAID_AT, **kwargs
    )


def test_sweep_earns_orders_whose_event_was_lost_and_then_does_nothing(program, customer, make_order):
    saleor = FakeSaleor()
    for minute in range(5):
        saleor.put(make_order(user=customer), PAID_AT + timedelta(minutes=minute))

    first = sweep(saleor, batch_size=2)
    again = sweep(saleor, batch_size=2)

    assert (first.seen, first.written, first.batches) == (5, 5, 3)
    assert again.seen == 0
    assert LoyaltyAccount.objects.get(user=customer).balance == 750


def test_sweep_sees_a_later_refund_of_an_order_it_already_earned(program, customer, make_order):
    saleor = FakeSaleor()
    facts = make_order(lines=(("Shirt", "100.00"),), shipping="0", user=customer)
    saleor.put(facts, PAID_AT)
    sweep(saleor)

    saleor.put(dataclasses.replace(facts, refunded_amount=Decimal("40")), PAID_AT + timedelta(hours=3))
    sweep(saleor)

    assert LoyaltyAccount.objects.get(user=customer).balance == 60
    assert LedgerEntry.objects.filter(kind=EntryKind.EARN_REVERSAL).count() == 1


@pytest.mark.django_db(transaction=True)
def test_only_one_worker_sweeps_at_a_time(program, customer, make_order):
    saleor = FakeSaleor()
    saleor.put(make_order(user=customer), PAID_AT)
    inside, release = threading.Event(), threading.Event()
    slow_load = saleor.load

    def load_and_wait(order_id):
        inside.set()
        release.wait(5)
        return slow_load(order_id)

    def first_worker():
        try:
            order_sweep.sweep_changed_orders(
                saleor.changed_after, load_and_wait, ledger.sync_order, now=PAID_AT
            )
        finally:
            connection.close()

    thread = threading.Thread(target=first_worker)
    thread.start()
    inside.wait(5)
    second = sweep(saleor)
    release.set()
    thread.join()

    assert second.seen == 0
    assert LoyaltyAccount.objects.get(user=customer).balance == 150
