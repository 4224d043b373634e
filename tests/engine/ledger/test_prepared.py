"""The accrual hot path's statements are planned once per connection, with the same rows as unprepared."""

from django.db import connection

from saleor_loyalty import ledger
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_first_accrual_prepares_its_lock_and_earn_statements(club, customer, make_order):
    ledger.sync_order(make_order(user=customer))  # creates the account (the slow first-order path)

    for _ in range(3):
        ledger.sync_order(make_order(user=customer))

    statements = prepared_statements()
    assert any("FOR UPDATE OF a" in statement for statement in statements)
    assert any("INSERT INTO saleor_loyalty_ledgerentry" in statement for statement in statements)
    account = LoyaltyAccount.objects.get(user=customer)
    assert LedgerEntry.objects.filter(account=account, kind=EntryKind.EARN).count() == 4
    assert ledger.reconcile_account(account) == 0


def test_switched_off_it_prepares_nothing_and_writes_the_same(club, customer, make_order, settings):
    settings.LOYALTY_PREPARED_STATEMENTS = False
    orders = [make_order(user=customer) for _ in range(3)]

    for facts in orders + orders:  # each twice: the replay path too
        ledger.sync_order(facts)

    assert prepared_statements() == []
    account = LoyaltyAccount.objects.get(user=customer)
    assert account.balance == 450
    assert ledger.reconcile_account(account) == 0
