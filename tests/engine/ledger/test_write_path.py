"""The first accrual of a known member: one read without a lock, then one statement that locks the account
only if it is unchanged since that read; any change sends the earn to the lock-first path, still exact."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_loyalty import ledger
from saleor_loyalty.ledger.accrual import insert_earn, look_up
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount, TierEvent
from tests.concurrency import run_concurrently


def test_a_known_members_new_order_is_two_statements_and_no_lock_first(club, customer, make_order):
    ledger.sync_order(make_order(user=customer))  # creates the account

    with CaptureQueriesContext(connection) as queries:
        result = ledger.sync_order(make_order(user=customer))

    assert result.earned.points == 150
    assert len(queries) == 2  # the look-up, then the insert that locks: no BEGIN/COMMIT, no lock statement
    assert "FOR UPDATE OF a" not in queries[0]["sql"]
    account = LoyaltyAccount.objects.get(user=customer)
    assert (account.balance, account.lifetime_earned) == (300, 300)
    assert ledger.reconcile_account(account) == 0


def test_an_account_changed_since_the_look_up_is_not_written_unlocked(club, customer, make_order):
    ledger.sync_order(make_order(user=customer))
    facts = make_order(user=customer)
    key = ledger.earn_source_key(facts.order_id)
    seen = look_up(facts, key)

    # when staff adjust the member between the look-up and the insert
    ledger.adjust_points(seen.member.account, 7, "Goodwill", ledger.SYSTEM)
    stale = insert_earn(seen.member, facts, key, seen=seen.member.seen)

    # then the unlocked insert writes nothing, and the order still earns once through the lock
    assert not stale.locked
    assert stale.entry is None
    assert not LedgerEntry.objects.filter(kind=EntryKind.EARN, source_key=key).exists()
    assert ledger.sync_order(facts).earned.points == 150
    account = LoyaltyAccount.objects.get(user=customer)
    assert account.balance == 307
    assert ledger.reconcile_account(account) == 0


def test_a_tier_reached_without_the_lock_first_is_entered_at_once(club, customer, make_order):
    ledger.sync_order(make_order(user=customer))

    ledger.sync_order(make_order(lines=(("Sofa", "2500.00"),), user=customer))

    account = LoyaltyAccount.objects.get(user=customer)
    assert account.tier.name == "Gold"
    assert TierEvent.objects.filter(account=account, to_tier_name="Gold").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_of_one_member_each_earn_once_and_enter_gold_once(club, customer, make_order):
    first = make_order(user=customer)
    ledger.sync_order(first)
    orders = [make_order(lines=(("Coat", "300.00"),), user=customer) for _ in range(8)]

    run_concurrently(lambda i: ledger.sync_order(orders[i % 8]), 16)  # each order delivered twice at once

    account = LoyaltyAccount.objects.get(user=customer)
    earns = list(LedgerEntry.objects.filter(account=account, kind=EntryKind.EARN))
    assert len(earns) == 9
    assert ledger.reconcile_account(account) == 0  # the cached balance is its rows: nothing moved twice
    assert account.balance == sum(earn.points for earn in earns)
    coats = [earn for earn in earns if earn.order_id != first.order_id]
    # Each coat earns at the tier its accrual read: Regular (300), or Gold's ×1.5 (450) for an order accrued
    # after another one entered Gold. Gold comes with the seventh coat (₪2,250), so at most one sees it.
    assert all(earn.points == 300 * Decimal(earn.detail["earn_multiplier"]) for earn in coats)
    assert sum(earn.detail["tier"] == "Gold" for earn in coats) <= 1
    assert account.tier.name == "Gold"  # ₪2,550 spent: Gold from ₪2,000
    assert TierEvent.objects.filter(account=account, to_tier_name="Gold").count() == 1


def test_no_account_index_covers_a_column_a_balance_move_writes(db):
    """A balance move writes balance, lifetime_earned and updated_at; were any of them in an index (a key, an
    expression or a partial index's condition), no such update could be HOT and each earn would add an entry
    to every index of the account table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [LoyaltyAccount._meta.db_table]
        )
        indexes = cursor.fetchall()
    assert indexes
    for name, definition in indexes:
        for column in ("balance", "lifetime_earned", "updated_at"):
            assert f"{column}" not in definition.split(" USING ", 1)[1], (name, definition)


def _account_updates() -> tuple[int, int]:
    """(updates, HOT updates) of the account table in this transaction so far."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = %s",
            [LoyaltyAccount._meta.db_table],
        )
        return cursor.fetchone()


def test_a_repeat_earn_updates_the_account_row_in_place(club, customer, make_order):
    """The account row of a member earning again is a HOT update: no new entry in any of its indexes."""
    ledger.sync_order(make_order(user=customer))
    updates, hot = _account_updates()

    ledger.sync_order(make_order(user=customer))

    more_updates, more_hot = _account_updates()
    assert more_updates > updates
    assert more_hot - hot == more_updates - updates


def test_a_changed_program_earns_at_its_new_rules_at_once(club, customer, make_order):
    ledger.sync_order(make_order(user=customer))  # the program's row is known to this process now

    club.earn_rate = Decimal(2)
    club.save()
    assert ledger.sync_order(make_order(user=customer)).earned.points == 300

    with connection.cursor() as cursor:  # changed without `save()`: updated_at stays, the row version moves
        cursor.execute("UPDATE saleor_loyalty_loyaltyprogram SET earn_rate = 3 WHERE id = %s", [club.pk])
    assert ledger.sync_order(make_order(user=customer)).earned.points == 450
