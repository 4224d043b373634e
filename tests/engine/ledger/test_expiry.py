import dataclasses
import threading
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from saleor_loyalty import ledger
from saleor_loyalty.core.clock import end_of_local_day, lot_expiry
from saleor_loyalty.ledger import expiry
from saleor_loyalty.models import EntryKind, ExpiryReminder, LedgerEntry, LoyaltyAccount
from tests.concurrency import run_concurrently
from tests.engine.conftest import PAID_AT

JERUSALEM = ZoneInfo("Asia/Jerusalem")


def test_lot_expires_at_end_of_local_day_twelve_months_later():
    # paid at 01:30 on 1 March in Jerusalem = still 28 Feb in UTC
    paid = datetime(2026, 2, 28, 23, 30, tzinfo=UTC)

    expires = lot_expiry(paid, 12, "Asia/Jerusalem")

    assert expires.astimezone(JERUSALEM).date() == date(2027, 3, 1)
    assert (expires + timedelta(microseconds=1)).astimezone(JERUSALEM).timetz().replace(
        tzinfo=None
    ) == datetime.min.time()


@pytest.mark.parametrize("day", [date(2026, 3, 27), date(2026, 10, 25)])
def test_end_of_day_on_dst_change_is_last_instant_before_next_local_midnight(day):
    end = end_of_local_day(day, "Asia/Jerusalem")

    next_midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=JERUSALEM)
    assert next_midnight - end == timedelta(microseconds=1)
    assert end.astimezone(JERUSALEM).date() == day


def test_expiry_takes_what_is_left_of_each_lot_once(program, customer, make_order):
    program.pending_days = 0
    program.save()
    first = ledger.sync_order(make_order(lines=(("Shirt", "100.00"),), shipping="0", user=customer)).earned
    account = LoyaltyAccount.objects.get(user=customer)
    ledger.adjust_points(account, -30, "spent at the counter", ledger.SYSTEM)
    after_expiry = first.expires_at + timedelta(seconds=1)

    runs = [expiry.expire_due_lots(now=after_expiry) for _ in range(2)]

    account.refresh_from_db()
    assert account.balance == 0
    assert runs[0].points == 70
    assert runs[1].points == 0
    assert LedgerEntry.objects.filter(kind=EntryKind.EXPIRE).count() == 1
    assert ledger.reconcile_account(account) == 0


def test_expiry_is_not_early_and_spares_spent_lots(program, customer, make_order):
    program.pending_days = 0
    program.save()
    lot = ledger.sync_order(make_order(lines=(("Shirt", "100.00"),), shipping="0", user=customer)).earned
    account = LoyaltyAccount.objects.get(user=customer)

    early = expiry.expire_due_lots(now=lot.expires_at - timedelta(seconds=1))
    ledger.adjust_points(account, -100, "spent everything", ledger.SYSTEM)
    late = expiry.expire_due_lots(now=lot.expires_at + timedelta(days=1))

    assert early.written == 0
    assert late.seen == 1
    assert late.written == 0


def test_expiry_job_resumes_from_its_cursor_in_bounded_batches(program, customer, make_order):
    orders = [make_order(lines=(("Bread", "10.00"),), shipping="0", user=customer) for _ in range(5)]
    for facts in orders:
        ledger.sync_order(facts)
    due = LedgerEntry.objects.filter(kind=EntryKind.EARN).first().expires_at + timedelta(days=1)

    first = expiry.expire_due_lots(now=due, batch_size=2, max_batches=1)
    rest = expiry.expire_due_lots(now=due, batch_size=2)

    assert (first.batches, first.written) == (1, 2)
    assert rest.written == 3
    assert LoyaltyAccount.objects.get(user=customer).balance == 0


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_expiry_at_once_expire_each_lot_once(program, customer, make_order):
    for _ in range(20):
        ledger.sync_order(make_order(lines=(("Bread", "10.00"),), shipping="0", user=customer))
    due = PAID_AT + timedelta(days=800)

    run_concurrently(lambda _: expiry.expire_due_lots(now=due, batch_size=3), workers=2)
    expiry.expire_due_lots(now=due)

    account = LoyaltyAccount.objects.get(user=customer)
    assert LedgerEntry.objects.filter(kind=EntryKind.EXPIRE).count() == 20
    assert account.balance == 0
    assert ledger.reconcile_account(account) == 0


def test_a_batch_expires_each_members_due_lots_together_within_its_bound(
    program, customer, django_user_model, make_order
):
    other = django_user_model.objects.create(username="noa", email="noa@example.co.il")
    for day, user in [(0, customer), (1, other), (2, customer), (3, other), (4, customer)]:
        facts = make_order(lines=(("Bread", "10.00"),), shipping="0", user=user)
        ledger.sync_order(dataclasses.replace(facts, paid_at=PAID_AT + timedelta(days=day)))
    lots = list(LedgerEntry.objects.filter(kind=EntryKind.EARN).order_by("expires_at", "id"))
    due = lots[-1].expires_at + timedelta(days=1)

    first = expiry.expire_due_lots(now=due, batch_size=4, max_batches=1)
    expired_first = set(
        LedgerEntry.objects.filter(kind=EntryKind.EXPIRE).values_list("reverses_id", flat=True)
    )
    rest = expiry.expire_due_lots(now=due, batch_size=4)

    # the first window is customer, other, customer, other: all three of the customer's lots go in
    # the first batch, the last of the four is the other member's second lot, left for the next batch
    assert (first.written, first.seen) == (4, 3)
    assert expired_first == {lots[0].pk, lots[1].pk, lots[2].pk, lots[4].pk}
    assert (rest.written, rest.seen) == (1, 2)
    for account in LoyaltyAccount.objects.all():
        assert account.balance == 0
        assert ledger.reconcile_account(account) == 0


def _wait_until_a_backend_waits_for_a_lock(timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("nobody waited for the lock")


@pytest.mark.django_db(transaction=True)
def test_expiry_waiting_for_a_member_lock_sees_what_the_holder_committed(program, customer, make_order):
    program.pending_days = 0
    program.save()
    lot = ledger.sync_order(make_order(lines=(("Shirt", "100.00"),), shipping="0", user=customer)).earned
    account = LoyaltyAccount.objects.get(user=customer)
    holding = threading.Event()

    def work(index):
        if index == 0:
            with transaction.atomic():
                ledger.adjust_points(account, -30, "spent at the counter", ledger.SYSTEM)
                holding.set()
                _wait_until_a_backend_waits_for_a_lock()
        else:
            holding.wait(10)
            expiry.expire_due_lots(now=lot.expires_at + timedelta(seconds=1))

    run_concurrently(work, workers=2)

    account.refresh_from_db()
    assert LedgerEntry.objects.get(kind=EntryKind.EXPIRE).points == -70
    assert account.balance == 0
    assert ledger.reconcile_account(account) == 0


def test_reminder_queued_once_per_lot_within_notice(program, customer, make_order):
    lot = ledger.sync_order(make_order(user=customer)).earned
    notice_starts = lot.expires_at - timedelta(days=program.expiry_reminder_days)

    before = expiry.queue_expiry_reminders(now=notice_starts - timedelta(days=1))
    inside = [expiry.queue_expiry_reminders(now=notice_starts + timedelta(days=1)) for _ in range(2)]

    assert before.written == 0
    reminder = ExpiryReminder.objects.get()
    assert (reminder.lot_id, reminder.points, reminder.expires_at) == (lot.pk, 150, lot.expires_at)
    assert inside[1].written == 0


def test_next_expiring_shows_amount_and_date(program, customer, make_order):
    lot = ledger.sync_order(make_order(user=customer)).earned

    assert expiry.next_expiring(LoyaltyAccount.objects.get(user=customer), now=PAID_AT) == (
        150,
        lot.expires_at,
    )
