"""Cashback: earned on the accrual base, credited once after the pending period, reversed from the card then as debt."""

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from saleor_loyalty import ledger
from saleor_loyalty.models import CreditEntry, CreditKind, JobCursor, LoyaltyAccount, StoreCreditCard, Tier
from saleor_loyalty.rewards import cashback, store_credit
from saleor_loyalty.tiers import ladder as tiers
from tests.concurrency import run_concurrently
from tests.engine.conftest import PAID_AT


@pytest.fixture
def cashback_program(program):
    program.cashback_percent = Decimal("2")
    program.save()
    return program


def card_balance(cards, user):
    card = StoreCreditCard.objects.filter(user_id=user.pk).first()
    return cards.balance(card.gift_card_id) if card else Decimal(0)


def test_cashback_on_paid_order_is_pending_with_what_it_was_computed_from(
    cashback_program, customer, make_order, cards
):
    # given a paid order with ₪150 of goods and ₪25 shipping
    facts = make_order(user=customer)

    # when
    cashback.sync_order_cashback(facts, cards, now=PAID_AT)

    # then 2% of the goods (the points base) is pending, nothing is on a card yet
    earn = CreditEntry.objects.get(kind=CreditKind.CASHBACK_EARN)
    assert earn.amount == Decimal("3.00")
    assert (earn.detail["base"], earn.detail["cashback_percent"]) == ("150.00", "2.00")
    assert earn.available_at == PAID_AT + timedelta(days=14)
    account = LoyaltyAccount.objects.get(user=customer)
    assert store_credit.pending_cashback(account) == Decimal("3.00")
    assert not StoreCreditCard.objects.exists()


def test_cashback_is_off_by_default(program, customer, make_order, cards):
    cashback.sync_order_cashback(make_order(user=customer), cards, now=PAID_AT)

    assert not CreditEntry.objects.exists()


def test_platinum_tier_rate_overrides_the_programs_and_is_recorded(
    cashback_program, customer, make_order, cards
):
    # given Platinum pays 5 % while the program pays 2 %, and the member is Platinum
    ladder = tiers.ensure_default_tiers(cashback_program)
    Tier.objects.filter(pk=ladder[2].pk).update(cashback_percent=Decimal("5"))
    LoyaltyAccount.objects.update_or_create(
        program=cashback_program, user=customer, defaults={"email": customer.email, "tier": ladder[2]}
    )

    cashback.sync_order_cashback(make_order(user=customer), cards, now=PAID_AT)

    earn = CreditEntry.objects.get(kind=CreditKind.CASHBACK_EARN)
    assert (earn.amount, earn.detail["cashback_percent"]) == (Decimal("7.50"), "5.00")


def test_tier_without_its_own_rate_uses_the_programs(cashback_program, customer, make_order, cards):
    ladder = tiers.ensure_default_tiers(cashback_program)
    LoyaltyAccount.objects.update_or_create(
        program=cashback_program, user=customer, defaults={"email": customer.email, "tier": ladder[1]}
    )

    cashback.sync_order_cashback(make_order(user=customer), cards, now=PAID_AT)

    assert CreditEntry.objects.get(kind=CreditKind.CASHBACK_EARN).amount == Decimal("3.00")


def test_cashback_excludes_gift_card_money_like_points(cashback_program, customer, make_order, cards):
    # given a ₪175 order of which ₪87.50 was paid with gift cards
    facts = make_order(user=customer, gift_card_paid="87.50")

    cashback.sync_order_cashback(facts, cards, now=PAID_AT)

    assert CreditEntry.objects.get().amount == Decimal("1.50")


def test_full_cash_refund_of_a_legacy_order_paid_partly_by_gift_card_reverses_everything(
    cashback_program, customer, make_order, cards
):
    # given a legacy-flow order: ₪175 of which ₪75 came from a gift card, so Saleor's total is ₪100 cash
    facts = dataclasses.replace(
        make_order(user=customer), total_gross=Decimal("100.00"), legacy_gift_card_paid=Decimal("75.00")
    )
    ledger.sync_order(facts)
    cashback.sync_order_cashback(facts, cards, now=PAID_AT)

    # when all of the cash is refunded through Saleor
    refunded = dataclasses.replace(facts, refunded_amount=Decimal("100.00"))
    ledger.sync_order(refunded)
    cashback.sync_order_cashback(refunded, cards, now=PAID_AT)

    # then no points and no cashback remain for it
    account = LoyaltyAccount.objects.get(user=customer)
    assert account.balance == 0
    assert store_credit.pending_cashback(account) == 0


def test_replayed_paid_order_earns_cashback_once(cashback_program, customer, make_order, cards):
    facts = make_order(user=customer)

    for _ in range(5):
        cashback.sync_order_cashback(facts, cards, now=PAID_AT)

    assert CreditEntry.objects.filter(kind=CreditKind.CASHBACK_EARN).count() == 1


def test_credit_job_credits_due_cashback_once_onto_the_members_card(
    cashback_program, customer, make_order, cards, after_pending
):
    # given pending cashback of ₪3
    cashback.sync_order_cashback(make_order(user=customer), cards, now=PAID_AT)

    # when the job runs before the pending period ends, then nothing happens
    assert cashback.credit_due_cashback(cards, now=PAID_AT + timedelta(days=13)) == 0

    # when it runs after, twice
    first = cashback.credit_due_cashback(cards, now=after_pending)
    second = cashback.credit_due_cashback(cards, now=after_pending)

    # then one credit, on a card assigned to the member
    assert (first, second) == (1, 0)
    card = StoreCreditCard.objects.get()
    assert cards.cards[card.gift_card_id]["user_id"] == customer.pk
    assert cards.balance(card.gift_card_id) == Decimal("3.00")
    assert store_credit.pending_cashback(LoyaltyAccount.objects.get(user=customer)) == 0


def test_credit_job_works_in_bounded_batches(cashback_program, customer, make_order, cards, after_pending):
    for _ in range(5):
        cashback.sync_order_cashback(make_order(user=customer), cards, now=PAID_AT)

    credited = cashback.credit_due_cashback(cards, now=after_pending, batch_size=2, max_batches=2)
    rest = cashback.credit_due_cashback(cards, now=after_pending, batch_size=2, max_batches=2)

    assert (credited, rest) == (4, 1)
    assert card_balance(cards, customer) == Decimal("15.00")


def test_refund_before_crediting_lowers_what_is_credited(
    cashback_program, customer, make_order, cards, after_pending
):
    # given ₪3 pending on a ₪175 order, and ₪70 of it refunded (40 %)
    facts = make_order(user=customer)
    cashback.sync_order_cashback(facts, cards, now=PAID_AT)
    cashback.sync_order_cashback(
        dataclasses.replace(facts, refunded_amount=Decimal("70")), cards, now=PAID_AT
    )

    # when the pending period ends
    cashback.credit_due_cashback(cards, now=after_pending)

    # then 60 % reaches the card
    assert card_balance(cards, customer) == Decimal("1.80")


def test_partial_refunds_add_up_to_the_whole_cashback(
    cashback_program, customer, make_order, cards, after_pending
):
    facts = make_order(user=customer)
    cashback.sync_order_cashback(facts, cards, now=PAID_AT)
    cashback.credit_due_cashback(cards, now=after_pending)

    for refunded in ("35", "35", "100", "175", "100"):
        cashback.sync_order_cashback(
            dataclasses.replace(facts, refunded_amount=Decimal(refunded)), cards, now=PAID_AT
        )

    assert card_balance(cards, customer) == 0
    reversals = CreditEntry.objects.filter(kind=CreditKind.CASHBACK_REVERSAL)
    assert sum(r.amount for r in reversals) == Decimal("-3.00")


def test_reversal_after_spending_takes_the_card_rest_then_records_debt_repaid_by_next_cashback(
    cashback_program, customer, make_order, cards, after_pending
):
    # given ₪3 credited of which the member spent ₪2.50
    facts = make_order(user=customer)
    cashback.sync_order_cashback(facts, cards, now=PAID_AT)
    cashback.credit_due_cashback(cards, now=after_pending)
    card = StoreCreditCard.objects.get()
    cards.spend_on_order(card.gift_card_id, "other-order", "2.50")

    # when the order is cancelled
    cashback.sync_order_cashback(dataclasses.replace(facts, is_cancelled=True), cards, now=PAID_AT)

    # then the card's ₪0.50 is taken and ₪2.50 is debt
    account = LoyaltyAccount.objects.get(user=customer)
    assert cards.balance(card.gift_card_id) == 0
    assert store_credit.outstanding_debt(account) == Decimal("2.50")

    # when the next order's ₪3 cashback is credited, it pays the debt first
    cashback.sync_order_cashback(make_order(user=customer), cards, now=PAID_AT)
    cashback.credit_due_cashback(cards, now=after_pending)

    assert cards.balance(card.gift_card_id) == Decimal("0.50")
    assert store_credit.outstanding_debt(account) == 0


def test_guest_cashback_waits_until_the_email_signs_up(
    cashback_program, make_order, cards, after_pending, django_user_model
):
    # given a guest's paid order
    cashback.sync_order_cashback(make_order(email="guest@example.co.il"), cards, now=PAID_AT)

    # when the job runs, then there is no card to credit
    assert cashback.credit_due_cashback(cards, now=after_pending) == 0

    # when the guest signs up (what the customer_created task does)
    user = django_user_model.objects.create(username="guest", email="guest@example.co.il")
    (account,) = ledger.attach_guest_accounts(user.pk, user.email)

    assert cashback.credit_member_cashback(account, cards, now=after_pending) == 1
    assert card_balance(cards, user) == Decimal("3.00")


def test_guest_cashback_merged_into_an_existing_member_is_pending_then_credited_there(
    cashback_program, customer, make_order, cards, after_pending
):
    # given a member with an account, and a pending guest order placed with their email
    ledger.account_for(cashback_program, customer.pk, customer.email)
    cashback.sync_order_cashback(make_order(email=customer.email), cards, now=PAID_AT)

    # when the guest account is merged into the member's
    (account,) = ledger.attach_guest_accounts(customer.pk, customer.email)

    # then the member sees it pending, and it is credited onto their card
    assert store_credit.pending_cashback(account) == Decimal("3.00")
    assert cashback.credit_member_cashback(account, cards, now=after_pending) == 1
    assert card_balance(cards, customer) == Decimal("3.00")
    assert store_credit.pending_cashback(account) == 0


def test_already_due_cashback_of_a_late_event_is_credited_at_once(
    cashback_program, customer, make_order, cards
):
    # given an order paid long ago whose event arrives after its pending period
    cashback.sync_order_cashback(make_order(user=customer), cards, now=PAID_AT + timedelta(days=30))

    assert card_balance(cards, customer) == Decimal("3.00")


def test_credit_job_resumes_from_its_checkpoint(cashback_program, customer, make_order, cards, after_pending):
    # given one earn credited by a run, then another paid a day later
    cashback.sync_order_cashback(make_order(user=customer), cards, now=PAID_AT)
    cashback.credit_due_cashback(cards, now=after_pending)
    later = dataclasses.replace(make_order(user=customer), paid_at=PAID_AT + timedelta(days=1))
    cashback.sync_order_cashback(later, cards, now=PAID_AT)

    # when the next run starts, then it reads from its checkpoint and credits only the new one
    with CaptureQueriesContext(connection) as queries:
        credited = cashback.credit_due_cashback(cards, now=after_pending + timedelta(days=1))

    assert credited == 1
    cursor = JobCursor.objects.get(name=cashback.CREDIT_JOB)
    assert cursor.moment == PAID_AT + timedelta(days=15)
    scans = [q["sql"] for q in queries.captured_queries if "\"kind\" = 'cashback_earn'" in q["sql"]]
    assert scans
    assert all('"available_at" >' in sql for sql in scans)


def test_cashback_goes_to_a_new_card_when_staff_deleted_the_old_one(
    cashback_program, customer, make_order, cards, after_pending
):
    # given a member whose card staff deleted in Saleor
    cashback.sync_order_cashback(make_order(user=customer), cards, now=PAID_AT)
    cashback.credit_due_cashback(cards, now=after_pending)
    old = StoreCreditCard.objects.get().gift_card_id
    del cards.cards[old]

    # when the next cashback is credited
    cashback.sync_order_cashback(make_order(user=customer), cards, now=after_pending)

    # then it lands on a new card assigned to the member
    card = StoreCreditCard.objects.get()
    assert card.gift_card_id != old
    assert cards.cards[card.gift_card_id] == {
        "user_id": customer.pk,
        "currency": "ILS",
        "balance": Decimal("3.00"),
    }


def test_credit_rows_are_append_only_in_the_database(cashback_program, customer, make_order, cards):
    cashback.sync_order_cashback(make_order(user=customer), cards, now=PAID_AT)

    with pytest.raises(DatabaseError), transaction.atomic():
        CreditEntry.objects.update(amount=Decimal("999"))


@pytest.mark.django_db(transaction=True)
def test_concurrent_credit_jobs_credit_each_earn_once(
    cashback_program, customer, make_order, cards, after_pending, django_user_model
):
    # given due cashback of several members
    members = [customer] + [
        django_user_model.objects.create(username=f"m{i}", email=f"m{i}@example.co.il") for i in range(3)
    ]
    for member in members:
        for _ in range(3):
            cashback.sync_order_cashback(make_order(user=member), cards, now=PAID_AT)

    # when four workers run the job at once (any error is re-raised), then again once everything is quiet
    run_concurrently(lambda _: cashback.credit_due_cashback(cards, now=after_pending), workers=4)
    cashback.credit_due_cashback(cards, now=after_pending)

    # then every earn was credited exactly once
    assert CreditEntry.objects.filter(kind=CreditKind.CASHBACK_CREDIT).count() == 12
    assert all(card_balance(cards, member) == Decimal("9.00") for member in members)
