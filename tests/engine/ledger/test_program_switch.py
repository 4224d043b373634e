"""The program switch: with `isActive` off nothing gives or spends value, yet balances read and staff fix."""

import dataclasses
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.benefits import birthdays
from saleor_loyalty.benefits import checkout as benefits
from saleor_loyalty.benefits.checkout import Keep, Remove
from saleor_loyalty.core.facts import Actor
from saleor_loyalty.error_codes import LoyaltyErrorCode
from saleor_loyalty.exceptions import (
    ClubBenefitRefused,
    ClubCodeRefused,
    ClubShippingRefused,
    ProgramInactive,
)
from saleor_loyalty.ledger import expiry, programs
from saleor_loyalty.members.summary import summarize
from saleor_loyalty.models import (
    ClubShippingMethod,
    CreditEntry,
    CreditKind,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    MemberVoucherCode,
    StoreCreditCard,
)
from saleor_loyalty.rewards import cashback, redemption
from saleor_loyalty.tiers.settings import set_floor
from tests.engine.benefits.test_checkout_benefits import FakeVouchers, facts, member
from tests.engine.conftest import PAID_AT

STAFF = Actor(user_id=1, label="staff@example.com")


def switch(program, on: bool):
    return programs.update_program(program, is_active=on)


@pytest.fixture
def cashback_club(club):
    club.cashback_percent = Decimal("2")
    club.save()
    return club


def test_paid_order_while_switched_off_earns_no_points_and_no_cashback(
    cashback_club, customer, make_order, cards
):
    # given the club in `il` switched off
    switch(cashback_club, False)

    # when a paid order of ₪150 goods arrives, twice
    order = make_order(user=customer)
    for _ in range(2):
        ledger.sync_order(order)
        cashback.sync_order_cashback(order, cards, now=PAID_AT)

    # then neither points nor cashback are recorded
    assert not LedgerEntry.objects.exists()
    assert not CreditEntry.objects.exists()


def test_order_paid_while_off_never_earns_even_when_synced_again_after_reactivation(
    cashback_club, customer, make_order, cards
):
    # given an order paid while the club was off
    switch(cashback_club, False)
    paid_while_off = dataclasses.replace(make_order(user=customer), paid_at=timezone.now())
    ledger.sync_order(paid_while_off)

    # when staff switch it back on and Saleor (or the order sweep) re-sends that order
    program = switch(cashback_club, True)
    assert ledger.sync_order(paid_while_off).earned is None
    cashback.sync_order_cashback(paid_while_off, cards)

    # then it still earns nothing, while an order paid after reactivation earns as usual
    assert not LedgerEntry.objects.exists()
    assert not CreditEntry.objects.exists()
    paid_after = dataclasses.replace(
        make_order(user=customer), paid_at=program.live_since + timedelta(seconds=1)
    )
    assert ledger.sync_order(paid_after).earned.points == 150


def test_refund_while_off_still_reverses_points_earned_before(club, customer, make_order):
    # given 150 points earned while the club was on, then the club switched off
    order = make_order(user=customer)
    ledger.sync_order(order)
    switch(club, False)

    # when the order is refunded in full while off
    ledger.sync_order(dataclasses.replace(order, refunded_amount=order.total_gross))

    # then the reversal is recorded: taking back what the order no longer earns gives nothing
    account = LoyaltyAccount.objects.get(user=customer)
    assert account.balance == 0
    assert LedgerEntry.objects.filter(kind=EntryKind.EARN_REVERSAL).count() == 1


def test_cashback_earned_before_is_not_credited_while_off_and_is_credited_once_back_on(
    cashback_club, customer, make_order, cards, after_pending
):
    # given ₪3 cashback earned while on, pending until after_pending, and then the club switched off
    cashback.sync_order_cashback(make_order(user=customer), cards, now=PAID_AT)
    switch(cashback_club, False)

    # when the crediting job runs after the pending period, twice
    credited_while_off = [cashback.credit_due_cashback(cards, now=after_pending) for _ in range(2)]

    # then nothing reaches a card; switched back on, the next run credits it (the checkpoint held it)
    assert credited_while_off == [0, 0]
    assert not CreditEntry.objects.filter(kind=CreditKind.CASHBACK_CREDIT).exists()
    switch(cashback_club, True)
    assert cashback.credit_due_cashback(cards, now=after_pending + timedelta(days=1)) == 1
    card = StoreCreditCard.objects.get(user_id=customer.pk)
    assert cards.balance(card.gift_card_id) == Decimal("3.00")


def test_gold_member_gets_no_club_code_while_off_and_a_code_on_the_checkout_is_taken_off(club):
    # given Gold Dana (5 %) holds her club code, and the club is switched off
    vouchers = FakeVouchers()
    dana = member(club, "dana", "Gold")
    code = benefits.member_code(LoyaltyAccount.objects.get(user=dana), club.tiers.get(name="Gold"), vouchers)
    switch(club, False)

    # when her checkouts change: one without a code, one still carrying her code
    plain = benefits.plan_checkout(facts(dana), vouchers)
    coded = benefits.plan_checkout(facts(dana, code=code, is_club=True, percent=Decimal("5")), vouchers)

    # then no code is applied, her code is removed, and no reserved shipping is picked
    assert plain.voucher == Keep()
    assert coded.voucher == Remove()
    assert plain.method_to_pick(lambda: [1, 2]) is None


def test_order_creation_refuses_the_members_own_club_code_and_reserved_method_while_off(club):
    # given Platinum Dana's own code and a reserved free-shipping method, and the club switched off
    dana = member(club, "dana", "Platinum")
    benefits.set_club_shipping_methods(club, [7])
    code = MemberVoucherCode.objects.create(
        account=LoyaltyAccount.objects.get(user=dana), tier=club.tiers.get(name="Platinum"), code="CLUB-DANA"
    ).code
    switch(club, False)

    # when her checkout is completed with the code, or with the reserved method
    with pytest.raises(ClubBenefitRefused) as by_code:
        benefits.check_order_creation(facts(dana, code=code, is_club=True, percent=Decimal("10")))
    with pytest.raises(ClubBenefitRefused) as by_method:
        benefits.check_order_creation(facts(dana, shipping=7))

    # then both are refused, each on its field (the adapter maps them to Saleor's checkout error codes)
    assert (type(by_code.value), by_code.value.field) == (ClubCodeRefused, "promo_code")
    assert (type(by_method.value), by_method.value.field) == (ClubShippingRefused, "shipping_method")
    assert ClubShippingMethod.objects.filter(program=club).count() == 1


def test_redeem_while_off_is_a_typed_error_and_writes_nothing(program, customer, make_checkout, cards):
    # given Dana with 1,000 spendable points and an open checkout, and the club switched off
    program.pending_days = 0
    program.save()
    account = ledger.account_for(program, customer.pk, customer.email)
    ledger.adjust_points(account, 1000, "opening balance", STAFF)
    checkout = make_checkout(user=customer)
    program = switch(program, False)

    # when she redeems 200 points
    with pytest.raises(ProgramInactive) as refused:
        redemption.redeem(program, customer.pk, checkout.token, 200, "tab-1", cards)

    # then the error is typed, and no row, card or balance moved; the preview offers nothing to redeem
    assert refused.value.code == LoyaltyErrorCode.PROGRAM_INACTIVE
    account.refresh_from_db()
    assert account.balance == 1000
    assert not LedgerEntry.objects.filter(kind=EntryKind.REDEMPTION).exists()
    assert not CreditEntry.objects.exists()
    assert not StoreCreditCard.objects.exists()
    assert redemption.most_redeemable(program, account, checkout) == 0


def test_no_birthday_gift_while_off(club, customer, cards):
    # given Gold Dana, whose tier gives 100 points on her birthday, 10 March
    gold = club.tiers.get(name="Gold")
    gold.birthday_points = 100
    gold.save()
    account = ledger.account_for(club, customer.pk, customer.email)
    set_floor(account, gold, "VIP", STAFF)
    birthdays.set_birthday(account, 3, 10, now=PAID_AT - timedelta(days=400))
    club = switch(club, False)

    # when the birthday job runs on her birthday, by program and for all programs
    report = birthdays.give_birthday_gifts(club, now=PAID_AT, cards=cards)
    everyone = birthdays.give_all_birthday_gifts(now=PAID_AT, cards=cards)

    # then no gift is given
    assert report.gifted == 0
    assert everyone == {}
    assert not LedgerEntry.objects.filter(kind=EntryKind.BIRTHDAY).exists()


def test_staff_adjustment_tier_override_and_balances_still_work_while_off(club, customer, make_order):
    # given Dana earned 150 points, then the club was switched off
    ledger.sync_order(make_order(user=customer))
    switch(club, False)
    account = LoyaltyAccount.objects.get(user=customer)

    # when staff add 50 points and put her on Gold
    ledger.adjust_points(account, 50, "goodwill", STAFF)
    set_floor(account, club.tiers.get(name="Gold"), "VIP", STAFF)

    # then both are recorded, and her points read as before
    account.refresh_from_db()
    assert account.balance == 200
    assert account.tier_floor.name == "Gold"
    assert summarize(account, now=PAID_AT + timedelta(days=30)).available == 200


def test_expiry_keeps_running_while_off(program, customer, make_order):
    # given a lot of 150 points that expires, and the club switched off before it does
    lot = ledger.sync_order(make_order(user=customer)).earned
    switch(program, False)

    # when the expiry job runs after the lot's end of day
    run = expiry.expire_due_lots(now=lot.expires_at + timedelta(minutes=1))

    # then the lot expires as promised when it was earned (see docs/program-guide.md)
    assert (run.written, run.points) == (1, 150)
    assert LoyaltyAccount.objects.get(user=customer).balance == 0


def test_switching_on_stamps_live_since_and_switching_off_keeps_it(program):
    # given a program that was never switched off
    assert program.live_since is None
    assert program.gives_value(PAID_AT)

    # when it is switched off, then on, then off again
    off = switch(program, False)
    on = switch(off, True)
    off_again = switch(on, False)

    # then only switching back on moves `live_since`, and the rule reads it
    assert off.live_since is None
    assert not off.gives_value()
    assert isinstance(on.live_since, datetime)
    assert on.gives_value()
    assert not on.gives_value(PAID_AT)
    assert off_again.live_since == on.live_since
    assert not off_again.gives_value()
