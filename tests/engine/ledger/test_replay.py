"""A replayed or unchanged order event is the cheapest path: one indexed read, no lock, no write."""

import dataclasses
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import RefundedLineFacts
from saleor_loyalty.models import LedgerEntry


def test_replayed_paid_order_is_one_read_without_a_lock(program, customer, make_order):
    # given a paid order already synced
    order = make_order(user=customer)
    ledger.sync_order(order)

    # when the same event arrives again
    with CaptureQueriesContext(connection) as queries:
        result = ledger.sync_order(order)

    # then it is answered by one query, which locks nothing
    assert result.duplicate
    assert len(queries) <= 1
    assert not any("FOR UPDATE" in query["sql"].upper() for query in queries)


def test_replayed_refund_and_cancellation_are_one_read_without_a_lock(program, customer, make_order):
    # given an order synced paid, then with its socks refunded, then cancelled
    order = make_order(user=customer)
    refund = dataclasses.replace(
        order,
        refunded_amount=Decimal("30.00"),
        refunded_lines=(RefundedLineFacts("l1", 1),),
        itemized_refund_amount=Decimal("30.00"),
    )
    cancel = dataclasses.replace(refund, is_cancelled=True)
    for facts in (order, refund, cancel):
        ledger.sync_order(facts)
    rows = LedgerEntry.objects.count()

    # when the refund and the cancellation arrive again
    with CaptureQueriesContext(connection) as queries:
        results = [ledger.sync_order(refund), ledger.sync_order(cancel)]

    # then each is one read, nothing is locked and nothing written
    assert all(result.duplicate for result in results)
    assert len(queries) <= 2
    assert not any("FOR UPDATE" in query["sql"].upper() for query in queries)
    assert LedgerEntry.objects.count() == rows


def test_changed_facts_still_take_the_lock_path(program, customer, make_order):
    # given a paid order already synced
    order = make_order(user=customer)
    ledger.sync_order(order)

    # when Saleor now reports ₪50 refunded
    with CaptureQueriesContext(connection) as queries:
        result = ledger.sync_order(dataclasses.replace(order, refunded_amount=Decimal("50.00")))

    # then the account is locked and the reversal written
    assert result.reversed.points == -43
    assert any("FOR UPDATE" in query["sql"].upper() for query in queries)
