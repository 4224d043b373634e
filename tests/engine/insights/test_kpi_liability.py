"""Points flow, liability by expiry month and breakage, from real ledger rows rolled up by the cursor job."""

import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from saleor_loyalty import ledger
from saleor_loyalty.insights import book_rollups, kpis, liability
from saleor_loyalty.ledger import expiry
from saleor_loyalty.models import LoyaltyAccount, PointsDayRollup

LATER = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)


def books(program, customer, make_order, django_user_model):
    """A: earns 100, spends 30 at the counter, the other 70 expire. B: earns 150, 50 refunded."""
    program.pending_days = 0
    program.save()
    first = ledger.sync_order(make_order(lines=(("Shirt", "100.00"),), shipping="0", user=customer)).earned
    account = LoyaltyAccount.objects.get(user=customer)
    ledger.adjust_points(account, -30, "spent at the counter", ledger.SYSTEM)
    other = django_user_model.objects.create(username="b", email="b@example.co.il")
    paid = dataclasses.replace(
        make_order(lines=(("Coat", "150.00"),), shipping="0", user=other), paid_at=LATER
    )
    ledger.sync_order(paid)
    ledger.sync_order(dataclasses.replace(paid, refunded_amount=Decimal("50.00")))
    expiry.expire_due_lots(now=first.expires_at + timedelta(seconds=1))
    return first


def test_points_flow_counts_issued_reversed_and_expired(program, customer, make_order, django_user_model):
    books(program, customer, make_order, django_user_model)
    book_rollups.roll_up_books(now=timezone_far())
    flow = kpis.points_flow(program, date(2026, 1, 1), date(2030, 1, 1))
    assert (flow.issued, flow.reversed, flow.redeemed, flow.expired) == (250, 80, 0, 70)
    assert flow.redemption_rate == Decimal(0)


def test_liability_by_expiry_month_and_breakage_forecast(program, customer, make_order, django_user_model):
    books(program, customer, make_order, django_user_model)
    book_rollups.roll_up_books(now=timezone_far())
    result = liability.liability(program, NOW.date())
    assert result.outstanding_points == 100
    assert result.points_value == Decimal("5.00")  # 100 × ₪0.05
    assert [(bucket.month, bucket.points) for bucket in result.buckets] == [(date(2027, 9, 1), 100)]
    assert result.breakage.matured_points == 100
    assert result.breakage.expired_points == 70
    assert result.breakage.rate == Decimal("0.7")
    assert result.breakage.forecast_points == 70
    assert result.total == Decimal("5.00")
    assert result.credit_on_cards is None


def test_book_roll_up_resumes_and_never_counts_a_row_twice(program, customer, make_order, django_user_model):
    books(program, customer, make_order, django_user_model)
    book_rollups.roll_up_books(now=timezone_far(), batch_size=2, max_batches=1)
    assert sum(row.rows for row in PointsDayRollup.objects.all()) == 2
    book_rollups.roll_up_books(now=timezone_far(), batch_size=2)
    book_rollups.roll_up_books(now=timezone_far())
    assert (
        sum(row.rows for row in PointsDayRollup.objects.all()) == 5
    )  # 2 earns, a deduction, a reversal, an expiry


def test_rows_too_young_to_be_sure_of_wait_for_the_next_run(program, customer, make_order):
    program.pending_days = 0
    program.save()
    ledger.sync_order(make_order(user=customer))
    assert book_rollups.roll_up_books().batches == 0  # written just now: inside the settle window
    assert book_rollups.roll_up_books(now=timezone_far()).batches == 1


def timezone_far():
    from django.utils import timezone

    return timezone.now() + timedelta(hours=1)
