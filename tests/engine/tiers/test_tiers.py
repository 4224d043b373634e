"""Tier rules without Saleor: windows in Asia/Jerusalem, upgrade on paid orders, refunds, grace, floor."""

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Actor, ChannelFacts
from saleor_loyalty.exceptions import ReasonRequired
from saleor_loyalty.ledger import programs
from saleor_loyalty.models import LoyaltyAccount, TierBasis, TierCause, TierEvent, TierWindow
from saleor_loyalty.tiers import evaluation as tier_evaluation
from saleor_loyalty.tiers import ladder as tiers
from saleor_loyalty.tiers.settings import set_floor
from tests.concurrency import run_concurrently

STAFF = Actor(user_id=1, label="staff@shop.co.il")


def paid(make_order, customer, amount, at, **kwargs):
    facts = make_order(lines=(("Goods", amount),), user=customer, shipping="0", **kwargs)
    return dataclasses.replace(facts, paid_at=at)


def tier_name(customer):
    account = LoyaltyAccount.objects.get(user=customer)
    return tiers.current_tier(account, tiers.ladder(account.program)).name


def test_program_is_created_with_three_default_tiers(club):
    ladder = tiers.ladder(club)

    assert [(t.position, t.name, t.translations.get(language_code="he").name) for t in ladder] == [
        (0, "Regular", "רגיל"),
        (1, "Gold", "זהב"),
        (2, "Platinum", "פלטינום"),
    ]
    assert ladder[1].earn_multiplier == Decimal("1.5")


def test_paid_order_crossing_gold_entry_upgrades_at_once(club, customer, make_order):
    # given a Regular member with ₪1,500 spent this year
    now = datetime.now(UTC)
    ledger.sync_order(paid(make_order, customer, "1500.00", now))
    assert tier_name(customer) == "Regular"

    # when an order of ₪600 is paid (₪2,100 > Gold's ₪2,000)
    facts = paid(make_order, customer, "600.00", now)
    ledger.sync_order(facts)

    # then the member is Gold right away, and the event names the order
    assert tier_name(customer) == "Gold"
    event = TierEvent.objects.get(cause=TierCause.ORDER_UPGRADE)
    assert (event.from_tier_name, event.to_tier_name, event.order_id) == ("Regular", "Gold", facts.order_id)
    assert event.qualifying_amount == Decimal("2100")


def test_gold_earns_one_and_a_half_and_reversal_keeps_the_snapshot(club, customer, make_order):
    # given a Gold member
    now = datetime.now(UTC)
    ledger.sync_order(paid(make_order, customer, "2000.00", now))
    assert tier_name(customer) == "Gold"

    # when a ₪100 order is paid, then it earns 150 points and the snapshot says why
    order = paid(make_order, customer, "100.00", now)
    earn = ledger.sync_order(order).earned
    assert earn.points == 150
    assert (earn.detail["tier"], earn.detail["earn_multiplier"]) == ("Gold", "1.5")

    # when the tier's multiplier changes and the order is refunded in full
    club.tiers.filter(name="Gold").update(earn_multiplier=Decimal(3))
    reversal = ledger.sync_order(dataclasses.replace(order, refunded_amount=Decimal("100.00"))).reversed

    # then exactly what was earned is reversed
    assert reversal.points == -150


def test_refund_after_upgrade_never_downgrades_before_evaluation(club, customer, make_order):
    # given a member made Gold by a ₪2,400 order
    now = datetime.now(UTC)
    order = paid(make_order, customer, "2400.00", now)
    ledger.sync_order(order)

    # when half is refunded (spend ₪1,200: below Gold's retain threshold of ₪1,500)
    ledger.sync_order(dataclasses.replace(order, refunded_amount=Decimal("1200.00")))

    # then the member stays Gold until the evaluation, which starts the grace period
    assert tier_name(customer) == "Gold"
    account = LoyaltyAccount.objects.get(user=customer)
    assert tiers.qualifying_amount(club, account, now) == Decimal("1200")
    report = tier_evaluation.evaluate_program(club, now)
    assert report.grace_started == 1
    assert tier_name(customer) == "Gold"
    account.refresh_from_db()
    assert account.tier_downgrade_due_on == tiers.grace_end(club, now.date())


def test_downgrade_only_after_grace_days_to_highest_retained_tier(club, customer, make_order):
    # given a Platinum member whose spend fell to ₪1,600 (Gold's retain ₪1,500 is met, Platinum's is not)
    now = datetime(2026, 6, 1, 9, tzinfo=UTC)
    order = paid(make_order, customer, "6400.00", now)
    ledger.sync_order(order)
    ledger.sync_order(dataclasses.replace(order, refunded_amount=Decimal("4800.00")))
    assert tier_name(customer) == "Platinum"

    # when evaluated today, then within the grace period, then the day it ends
    tier_evaluation.evaluate_program(club, now)
    tier_evaluation.evaluate_program(club, now + timedelta(days=club.tier_grace_days - 1))
    assert tier_name(customer) == "Platinum"
    report = tier_evaluation.evaluate_program(club, now + timedelta(days=club.tier_grace_days))

    # then the member moves down to Gold, not to Regular
    assert report.downgraded == 1
    assert tier_name(customer) == "Gold"
    assert TierEvent.objects.filter(cause=TierCause.EVALUATION_DOWNGRADE, to_tier_name="Gold").count() == 1


def test_evaluation_is_idempotent_within_a_local_day(club, customer, make_order):
    now = datetime(2026, 6, 1, 9, tzinfo=UTC)
    order = paid(make_order, customer, "2400.00", now)
    ledger.sync_order(order)
    ledger.sync_order(dataclasses.replace(order, is_cancelled=True))

    first = tier_evaluation.evaluate_program(club, now)
    second = tier_evaluation.evaluate_program(club, now + timedelta(hours=1))

    assert (first.evaluated, second.evaluated) == (1, 0)
    assert TierEvent.objects.filter(cause=TierCause.GRACE_STARTED).count() == 1


def test_manual_floor_keeps_member_at_least_gold(club, customer, make_order):
    # given a member with no spend whom staff raised to Gold with a reason
    now = datetime(2026, 6, 1, 9, tzinfo=UTC)
    account = ledger.account_for(club, customer.pk, customer.email)
    gold = club.tiers.get(name="Gold")
    set_floor(account, gold, "Influencer agreement", STAFF)
    assert tier_name(customer) == "Gold"

    # when evaluations run long after any grace period
    for days in (0, 60, 400):
        tier_evaluation.evaluate_program(club, now + timedelta(days=days))

    # then the member is still Gold, and the history says who set the floor and why
    assert tier_name(customer) == "Gold"
    floor_event = TierEvent.objects.filter(cause=TierCause.FLOOR_SET).order_by("pk").first()
    assert (floor_event.reason, floor_event.actor_label) == ("Influencer agreement", "staff@shop.co.il")


def test_floor_without_reason_writes_nothing(club, customer):
    account = ledger.account_for(club, customer.pk, customer.email)

    with pytest.raises(ReasonRequired):
        set_floor(account, club.tiers.get(name="Gold"), "  ", STAFF)

    account.refresh_from_db()
    assert account.tier_floor_id is None
    assert not TierEvent.objects.exists()


@pytest.mark.parametrize(
    ("paid_at", "counts_in_2027"),
    [
        (datetime(2026, 12, 31, 21, 59, tzinfo=UTC), False),  # 23:59 on 31 Dec in Jerusalem
        (datetime(2026, 12, 31, 22, 0, tzinfo=UTC), True),  # 00:00 on 1 Jan in Jerusalem
    ],
)
def test_calendar_year_window_starts_at_local_midnight(club, customer, make_order, paid_at, counts_in_2027):
    ledger.sync_order(paid(make_order, customer, "500.00", paid_at))
    account = LoyaltyAccount.objects.get(user=customer)

    amount = tiers.qualifying_amount(club, account, datetime(2027, 1, 15, tzinfo=UTC))

    assert amount == (Decimal("500") if counts_in_2027 else Decimal(0))


def test_rolling_window_is_twelve_months_back_to_local_midnight(club, customer, make_order):
    # given a rolling window and orders just before and at local midnight 12 months ago (IST, UTC+2)
    club.tier_window = TierWindow.ROLLING_12_MONTHS
    club.save()
    ledger.sync_order(paid(make_order, customer, "300.00", datetime(2025, 3, 9, 21, 59, tzinfo=UTC)))
    ledger.sync_order(paid(make_order, customer, "200.00", datetime(2025, 3, 9, 22, 0, tzinfo=UTC)))
    account = LoyaltyAccount.objects.get(user=customer)

    # when evaluated on 10 March 2026 local time
    amount = tiers.qualifying_amount(club, account, datetime(2026, 3, 10, 12, tzinfo=UTC))

    assert amount == Decimal("200")


def test_points_basis_staff_adjustment_upgrades_at_once(club, customer):
    club.tier_basis = TierBasis.POINTS
    club.save()
    account = ledger.account_for(club, customer.pk, customer.email)

    ledger.adjust_points(account, 2000, "Welcome back bonus", STAFF)

    assert tier_name(customer) == "Gold"
    assert TierEvent.objects.get(cause=TierCause.ADJUSTMENT_UPGRADE).actor_label == STAFF.label


def test_spend_net_of_cancellation_and_birthday_points_do_not_count(club, customer, make_order):
    now = datetime.now(UTC)
    kept = paid(make_order, customer, "700.00", now)
    cancelled = paid(make_order, customer, "900.00", now)
    ledger.sync_order(kept)
    ledger.sync_order(cancelled)
    ledger.sync_order(dataclasses.replace(cancelled, is_cancelled=True))
    account = LoyaltyAccount.objects.get(user=customer)
    ledger.award_birthday_points(account, 500, now.year, "Regular")

    club.tier_basis = TierBasis.POINTS
    points = tiers.qualifying_amount(club, account, now)
    club.tier_basis = TierBasis.SPEND
    spend = tiers.qualifying_amount(club, account, now)

    assert (spend, points) == (Decimal("700"), Decimal("700"))


@pytest.mark.django_db(transaction=True)
def test_two_evaluation_workers_never_evaluate_a_member_twice(make_order, django_user_model):
    # given 30 members below their retain threshold
    club = programs.ensure_program(ChannelFacts("il", "ILS", "IL"))
    now = datetime(2026, 6, 1, 9, tzinfo=UTC)
    for i in range(30):
        user = django_user_model.objects.create(username=f"m{i}", email=f"m{i}@example.co.il")
        order = paid(make_order, user, "2400.00", now)
        ledger.sync_order(order)
        ledger.sync_order(dataclasses.replace(order, refunded_amount=Decimal("1200.00")))
    reports = []

    # when two workers evaluate at the same time (any error is re-raised)
    run_concurrently(
        lambda _: reports.append(tier_evaluation.evaluate_program(club, now, batch_size=4)), workers=2
    )

    # then every member was evaluated exactly once
    assert sum(r.evaluated for r in reports) == 30
    assert TierEvent.objects.filter(cause=TierCause.GRACE_STARTED).count() == 30


def test_evaluation_resumes_where_the_last_committed_batch_stopped(club, make_order, django_user_model):
    # given five members below their retain threshold
    now = datetime(2026, 6, 1, 9, tzinfo=UTC)
    for i in range(5):
        user = django_user_model.objects.create(username=f"r{i}", email=f"r{i}@example.co.il")
        order = paid(make_order, user, "2400.00", now)
        ledger.sync_order(order)
        ledger.sync_order(dataclasses.replace(order, refunded_amount=Decimal("1200.00")))

    # when a run stops after one batch of two (a worker restart), and a later run continues the day
    first = tier_evaluation.evaluate_program(club, now, batch_size=2, max_batches=1)
    rest = tier_evaluation.evaluate_program(club, now + timedelta(hours=1), batch_size=2)

    # then all five were evaluated once, and the day's run is finished
    assert (first.evaluated, first.finished, rest.evaluated, rest.finished) == (2, False, 3, True)
    assert TierEvent.objects.filter(cause=TierCause.GRACE_STARTED).count() == 5


def test_tier_events_cannot_be_edited_or_deleted(club, customer):
    account = ledger.account_for(club, customer.pk, customer.email)
    set_floor(account, club.tiers.get(name="Gold"), "Ambassador", STAFF)
    event = TierEvent.objects.first()

    with pytest.raises(IntegrityError), transaction.atomic():
        TierEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(IntegrityError), transaction.atomic():
        TierEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.parametrize("basis", [TierBasis.SPEND, TierBasis.POINTS])
def test_member_and_batch_qualification_agree(club, make_order, django_user_model, basis):
    # given members with plain, refunded, cancelled and out-of-window orders and staff adjustments
    club.tier_basis = basis
    now = datetime(2026, 6, 1, 9, tzinfo=UTC)
    accounts = []
    for i, (amount, refunded, cancelled, days_ago, adjusted) in enumerate(
        [
            ("900.00", "0", False, 3, 0),
            ("1200.00", "300.00", False, 10, 40),
            ("800.00", "0", True, 20, 0),
            ("650.00", "650.00", False, 1, -5),
            ("300.00", "0", False, 400, 0),
            ("0.00", "0", False, 0, 0),
        ]
    ):
        user = django_user_model.objects.create(username=f"q{i}", email=f"q{i}@example.co.il")
        order = paid(make_order, user, amount, now - timedelta(days=days_ago))
        ledger.sync_order(order)
        ledger.sync_order(
            dataclasses.replace(order, refunded_amount=Decimal(refunded), is_cancelled=cancelled)
        )
        account = ledger.account_for(club, user.pk, user.email)
        if adjusted > 0:
            ledger.adjust_points(account, adjusted, "Goodwill", STAFF)
        accounts.append(account)

    batch = tiers.qualifying_amounts(club, [a.pk for a in accounts], now)
    single = {a.pk: tiers.qualifying_amount(club, a, now) for a in accounts}

    assert batch == single
    assert sorted(batch.values()) != [Decimal(0)] * len(accounts)
