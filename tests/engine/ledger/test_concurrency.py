"""Several workers delivering the same Saleor event at once: real threads, real connections."""

import dataclasses
from decimal import Decimal

import pytest

from saleor_loyalty import ledger
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount
from tests.concurrency import run_concurrently

WORKERS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_paid_order_award_once(program, customer, make_order):
    facts = make_order(user=customer)

    run_concurrently(lambda _: ledger.sync_order(facts), WORKERS)

    assert LedgerEntry.objects.filter(kind=EntryKind.EARN).count() == 1
    account = LoyaltyAccount.objects.get(user=customer)
    assert account.balance == 150
    assert ledger.reconcile_account(account) == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_orders_of_a_new_member_share_one_account(program, customer, make_order):
    orders = [make_order(user=customer) for _ in range(WORKERS)]

    run_concurrently(lambda i: ledger.sync_order(orders[i]), WORKERS)

    account = LoyaltyAccount.objects.get(user=customer)
    assert account.balance == 150 * WORKERS
    assert ledger.reconcile_account(account) == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_refund_deliveries_reverse_exactly(program, customer, make_order):
    facts = make_order(lines=(("Shirt", "100.00"),), shipping="0", user=customer)
    ledger.sync_order(facts)
    states = [
        Decimal("20"),
        Decimal("20"),
        Decimal("50"),
        Decimal("50"),
        Decimal("50"),
        Decimal("100"),
        Decimal("20"),
        Decimal("100"),
    ]

    run_concurrently(
        lambda i: ledger.sync_order(dataclasses.replace(facts, refunded_amount=states[i])), WORKERS
    )

    account = LoyaltyAccount.objects.get(user=customer)
    assert account.balance == 0
    assert ledger.reconcile_account(account) == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_adjustments_with_one_idempotency_key_write_once(program, customer):
    account = ledger.account_for(program, customer.pk, customer.email)

    run_concurrently(
        lambda _: ledger.adjust_points(account, 25, "apology", ledger.SYSTEM, "ticket-17"), WORKERS
    )

    account.refresh_from_db()
    assert account.balance == 25
    assert LedgerEntry.objects.filter(kind=EntryKind.ADJUSTMENT).count() == 1
