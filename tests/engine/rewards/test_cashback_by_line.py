"""Refunds take back the refunded lines' recorded cashback (engine tier, no Saleor).

`make_order`'s default order: a ₪120 shirt (line l0) and ₪30 socks (line l1), ₪25 shipping; at 2 %
the ₪150 of goods give ₪3.00 cashback, recorded as ₪2.40 on the shirt and ₪0.60 on the socks.
"""

import dataclasses
from decimal import Decimal

import pytest

from saleor_loyalty import ledger
from saleor_loyalty.models import CreditEntry, CreditKind, LoyaltyAccount, StoreCreditCard
from saleor_loyalty.rewards import cashback, store_credit
from saleor_loyalty.rewards.cashback_refunds import split_over_lines
from tests.engine.conftest import PAID_AT
from tests.engine.ledger.test_refunds_by_line import refunded


@pytest.fixture
def cashback_program(program):
    program.cashback_percent = Decimal("2")
    program.save()
    return program


def taken_back(facts) -> Decimal:
    rows = CreditEntry.objects.filter(kind=CreditKind.CASHBACK_REVERSAL, order_id=facts.order_id)
    return -sum((row.amount for row in rows), Decimal(0))


def card_balance(cards, user) -> Decimal:
    card = StoreCreditCard.objects.filter(user_id=user.pk).first()
    return cards.balance(card.gift_card_id) if card else Decimal(0)


def test_the_earn_records_each_lines_cashback_adding_up_to_the_whole(
    cashback_program, customer, make_order, cards
):
    cashback.sync_order_cashback(make_order(user=customer), cards, now=PAID_AT)

    earn = CreditEntry.objects.get(kind=CreditKind.CASHBACK_EARN)
    assert [line["cashback"] for line in earn.detail["lines"]] == ["2.40", "0.60"]


def test_shipping_only_refund_takes_no_cashback_back(
    cashback_program, customer, make_order, cards, after_pending
):
    # given ₪3.00 cashback on the order, credited to the card
    order = make_order(user=customer)
    cashback.sync_order_cashback(order, cards, now=PAID_AT)
    cashback.credit_due_cashback(cards, now=after_pending)

    # when Saleor refunds the ₪25 shipping alone (twice: a replayed event)
    for _ in range(2):
        cashback.sync_order_cashback(refunded(order, shipping=True), cards, now=after_pending)

    # then nothing is taken back: shipping earned no cashback
    assert taken_back(order) == 0
    assert card_balance(cards, customer) == Decimal("3.00")


def test_one_line_refund_takes_back_exactly_that_lines_cashback(
    cashback_program, customer, make_order, cards, after_pending
):
    # given the order credited, then the program's rate raised to 10 %
    order = make_order(user=customer)
    cashback.sync_order_cashback(order, cards, now=PAID_AT)
    cashback.credit_due_cashback(cards, now=after_pending)
    cashback_program.cashback_percent = Decimal("10")
    cashback_program.save()

    # when Saleor refunds the socks line (₪30 of ₪175), with the event delivered twice
    for _ in range(2):
        cashback.sync_order_cashback(refunded(order, ("l1", 1)), cards, now=after_pending)

    # then the socks' recorded ₪0.60 is taken off the card (not 30/175 of ₪3.00 = ₪0.51, not 10 %)
    assert taken_back(order) == Decimal("0.60")
    assert card_balance(cards, customer) == Decimal("2.40")
    assert CreditEntry.objects.filter(kind=CreditKind.CASHBACK_REVERSAL).count() == 1


def test_part_of_a_lines_quantity_then_all_of_it_adds_up(cashback_program, customer, make_order, cards):
    # given 3 mugs at ₪40 (₪2.40 cashback) and socks (₪0.60), still pending
    order = make_order(user=customer, lines=(("Mugs", "120.00"), ("Socks", "30.00")))
    order = dataclasses.replace(
        order, lines=(dataclasses.replace(order.lines[0], quantity=3), order.lines[1])
    )
    cashback.sync_order_cashback(order, cards, now=PAID_AT)

    # when one mug is refunded
    cashback.sync_order_cashback(refunded(order, ("l0", 1)), cards, now=PAID_AT)
    # then a third of the mugs' cashback is taken back
    assert taken_back(order) == Decimal("0.80")

    # and when all three mugs, the socks and shipping are refunded, all of it is, with no drift
    cashback.sync_order_cashback(refunded(order, ("l0", 3), ("l1", 1), shipping=True), cards, now=PAID_AT)
    assert taken_back(order) == Decimal("3.00")
    account = LoyaltyAccount.objects.get(user=customer)
    assert store_credit.pending_cashback(account) == 0


def test_lines_plus_money_refunded_alone_take_the_line_and_the_share_of_the_rest(
    cashback_program, customer, make_order, cards
):
    order = make_order(user=customer)
    cashback.sync_order_cashback(order, cards, now=PAID_AT)

    # the socks itemized, plus ₪35 refunded as an amount alone (20 % of the ₪175 order)
    cashback.sync_order_cashback(refunded(order, ("l1", 1), extra="35"), cards, now=PAID_AT)

    assert taken_back(order) == Decimal("0.60") + Decimal("0.60")


def test_amount_alone_refund_keeps_the_proportional_rule(cashback_program, customer, make_order, cards):
    order = make_order(user=customer)
    cashback.sync_order_cashback(order, cards, now=PAID_AT)

    cashback.sync_order_cashback(
        dataclasses.replace(order, refunded_amount=Decimal("70")), cards, now=PAID_AT
    )

    assert taken_back(order) == Decimal("1.20")  # 40 % of ₪3.00


def test_an_earn_recorded_before_per_line_cashback_splits_it_by_the_recorded_bases(
    cashback_program, customer, make_order, cards
):
    # given an earn row as older versions wrote it: lines with their bases, no cashback per line
    order = make_order(user=customer)
    account = ledger.account_for(cashback_program, customer.pk, customer.email)
    lines = [
        {"line_id": "l0", "quantity": 1, "base": "120.00"},
        {"line_id": "l1", "quantity": 1, "base": "30.00"},
    ]
    store_credit.append(
        account,
        kind=CreditKind.CASHBACK_EARN,
        amount=Decimal("3.00"),
        source_key=cashback.earn_key(order.order_id),
        order_id=order.order_id,
        available_at=PAID_AT,
        detail={"cashback_percent": "2", "base": "150.00", "refund_basis": "175.00", "lines": lines},
    )

    cashback.sync_order_cashback(refunded(order, ("l1", 1)), cards, now=PAID_AT)

    assert taken_back(order) == Decimal("0.60")


@pytest.mark.parametrize(
    ("amount", "bases", "expected"),
    [
        ("3.00", ["120", "30"], ["2.40", "0.60"]),
        ("1.00", ["1", "1", "1"], ["0.34", "0.33", "0.33"]),
        ("0.01", ["5", "5"], ["0.01", "0.00"]),
        ("7", ["2", "1"], ["5", "2"]),  # a currency without minor units
    ],
)
def test_split_over_lines_adds_up_exactly(amount, bases, expected):
    shares = split_over_lines(Decimal(amount), [{"base": base} for base in bases])

    assert shares == expected
    assert sum(Decimal(share) for share in shares) == Decimal(amount)
