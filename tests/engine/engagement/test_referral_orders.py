"""The friend's first paid order: fraud checks with their reasons, the reward after the pending period,
reversal on refund, replays and concurrent events, caps and loops."""

# ruff: noqa: F811  (the referral fixtures are imported from referral_shop, then named as test arguments)

import threading
from datetime import timedelta

import pytest
from django.db import connection

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.engagement import referral_orders, referrals
from saleor_loyalty.models import EntryKind, LedgerEntry, Referral, ReferralStatus

from .referral_shop import HOME, PAID, dana, noa, referral_rules, referral_shop  # noqa: F401  (fixtures)

GUEST = Requestor()
DUE = PAID + timedelta(days=30, minutes=1)


def invite(club, code, shop, email="noa@example.co.il", user=None):
    checkout = shop.add_checkout(email=None if user else email, user=user)
    referrals.apply_code(club, checkout.token, code, Requestor(user_id=user.pk) if user else GUEST, shop)
    return shop.checkouts[checkout.token]


def rewards(account, kind=EntryKind.REFERRAL_REWARD):
    return list(LedgerEntry.objects.filter(account=account, kind=kind).values_list("points", flat=True))


def test_the_referrer_is_rewarded_once_after_the_pending_period(club, referral_rules, dana, referral_shop):
    # given Noa ordered with Dana's code and her welcome voucher
    order = referral_shop.place_order(invite(club, dana.code, referral_shop))
    referral = referral_orders.sync_referral_order(order, referral_shop)
    assert referral.status == ReferralStatus.ORDERED
    assert referral.voucher_spent is True
    assert referral.reward_due_at == PAID + timedelta(days=30)

    # when the job runs before the pending period is over, then nothing is given
    assert referral_orders.reward_due(referral_shop, now=DUE - timedelta(days=1)).written == 0
    assert rewards(dana.account) == []

    # when it runs after it, twice, then Dana has 500 points, once, keyed by the referral
    runs = [referral_orders.reward_due(referral_shop, now=DUE) for _ in range(2)]
    assert [run.written for run in runs] == [1, 0]
    assert rewards(dana.account) == [500]
    assert LedgerEntry.objects.get(kind=EntryKind.REFERRAL_REWARD).source_key == f"referral:{referral.pk}"
    assert Referral.objects.get().status == ReferralStatus.REWARDED
    assert ledger.reconcile_account(dana.account) == 0


def test_replayed_order_events_change_nothing(club, referral_rules, dana, referral_shop):
    order = referral_shop.place_order(invite(club, dana.code, referral_shop))
    for _ in range(3):
        referral_orders.sync_referral_order(order, referral_shop)
    referral_orders.reward_due(referral_shop, now=DUE)
    for _ in range(3):
        referral_orders.sync_referral_order(order, referral_shop, now=DUE)
    assert Referral.objects.get().status == ReferralStatus.REWARDED
    assert rewards(dana.account) == [500]


def test_the_friends_order_refunded_after_the_reward_reverses_both_sides(
    club, referral_rules, dana, referral_shop
):
    referrals.update_settings(club, friend_benefit="points", friend_points=200)
    order = referral_shop.place_order(invite(club, dana.code, referral_shop), email="noa@example.co.il")
    referral_orders.sync_referral_order(order, referral_shop)
    referral_orders.reward_due(referral_shop, now=DUE)
    noa_account = ledger.account_for(club, None, "noa@example.co.il")
    assert rewards(noa_account, EntryKind.REFERRAL_WELCOME) == [200]

    # when Saleor refunds Noa's order (the event arrives twice)
    refunded = referral_shop.refund(order)
    for _ in range(2):
        referral_orders.sync_referral_order(refunded, referral_shop, now=DUE + timedelta(days=1))

    # then both sides' points are taken back by reversal rows, once each
    referral = Referral.objects.get()
    assert (referral.status, referral.reason_code) == (ReferralStatus.REVERSED, "order_refunded")
    reversals = LedgerEntry.objects.filter(kind=EntryKind.REFERRAL_REVERSAL)
    assert sorted(reversals.values_list("points", flat=True)) == [-500, -200]
    assert {row.reverses.kind for row in reversals} == {EntryKind.REFERRAL_REWARD, EntryKind.REFERRAL_WELCOME}
    dana.account.refresh_from_db()
    noa_account.refresh_from_db()
    assert (dana.account.balance, noa_account.balance) == (0, 0)
    assert ledger.reconcile_account(dana.account) == ledger.reconcile_account(noa_account) == 0


def test_a_refund_before_the_reward_means_no_reward(club, referral_rules, dana, referral_shop):
    checkout = invite(club, dana.code, referral_shop)
    order = referral_shop.place_order(checkout)
    referral_orders.sync_referral_order(order, referral_shop)
    referral_orders.sync_referral_order(referral_shop.refund(order, cancel=True), referral_shop)

    assert referral_orders.reward_due(referral_shop, now=DUE).written == 0
    referral = Referral.objects.get()
    assert (referral.status, referral.reason_code, referral.voucher_spent) == (
        ReferralStatus.REVERSED,
        "order_cancelled",
        True,
    )
    assert rewards(dana.account) == []


def test_a_refund_whose_event_was_lost_still_stops_the_reward(club, referral_rules, dana, referral_shop):
    order = referral_shop.place_order(invite(club, dana.code, referral_shop))
    referral_orders.sync_referral_order(order, referral_shop)
    referral_shop.refund(order)  # Saleor refunded; no event reached the club

    assert referral_orders.reward_due(referral_shop, now=DUE).written == 0
    assert Referral.objects.get().status == ReferralStatus.REVERSED


def test_a_partial_refund_keeps_the_referral_unless_below_the_minimum(
    club, referral_rules, dana, referral_shop
):
    referrals.update_settings(club, min_order_total="150")
    order = referral_shop.place_order(invite(club, dana.code, referral_shop), total="200")
    referral_orders.sync_referral_order(order, referral_shop)

    referral_orders.sync_referral_order(referral_shop.refund(order, amount="40"), referral_shop)
    assert Referral.objects.get().status == ReferralStatus.ORDERED

    referral_orders.sync_referral_order(referral_shop.refund(order, amount="60"), referral_shop)
    assert Referral.objects.get().status == ReferralStatus.REVERSED


def test_a_second_account_with_the_members_address_is_rejected_as_self_referral(
    club, referral_rules, dana, django_user_model, referral_shop
):
    referral_shop.knows(dana, addresses=[HOME])
    second = django_user_model.objects.create(username="dana2", email="d.cohen@example.co.il")
    checkout = invite(club, dana.code, referral_shop, user=second)

    referral = referral_orders.sync_referral_order(
        referral_shop.place_order(checkout, user=second, address=("HERZL  1", "tel aviv", "6100000", "IL")),
        referral_shop,
    )

    assert (referral.status, referral.reason_code) == (ReferralStatus.REJECTED, "self_referral")
    assert referral.signals == {"match": "address"}
    assert "shipping address" in referral.reason
    assert referral_orders.reward_due(referral_shop, now=DUE).written == 0


def test_a_shared_address_can_be_held_for_review_instead(club, referral_rules, dana, referral_shop):
    referrals.update_settings(club, hold_shared_address=True)
    referral_shop.knows(dana, addresses=[HOME])
    order = referral_shop.place_order(invite(club, dana.code, referral_shop), address=HOME)
    assert referral_orders.sync_referral_order(order, referral_shop).status == ReferralStatus.HELD


@pytest.mark.parametrize(
    ("known", "order_kwargs", "match"),
    [
        ({"phones": ["+972 52-123-4567"]}, {"phone": "052-1234567"}, "phone"),
        ({"cards": ["visa:4242:12/2030"]}, {"card": "visa:4242:12/2030"}, "payment"),
    ],
)
def test_the_members_phone_or_card_is_self_referral(
    club, referral_rules, dana, referral_shop, known, order_kwargs, match
):
    referral_shop.knows(dana, **known)
    order = referral_shop.place_order(invite(club, dana.code, referral_shop), **order_kwargs)
    referral = referral_orders.sync_referral_order(order, referral_shop)
    assert (referral.status, referral.reason_code, referral.signals) == (
        ReferralStatus.REJECTED,
        "self_referral",
        {"match": match},
    )


def test_the_members_email_variant_on_the_order_is_self_referral(club, referral_rules, dana, referral_shop):
    order = referral_shop.place_order(
        invite(club, dana.code, referral_shop), email="Dana.Levi+2@googlemail.com"
    )
    referral = referral_orders.sync_referral_order(order, referral_shop)
    assert (referral.status, referral.reason_code) == (ReferralStatus.REJECTED, "self_referral")


def test_an_existing_customer_found_at_order_time_is_rejected_with_the_reason(
    club, referral_rules, dana, referral_shop
):
    order = referral_shop.place_order(invite(club, dana.code, referral_shop), earlier_orders=2)
    referral = referral_orders.sync_referral_order(order, referral_shop)
    assert (referral.status, referral.reason_code) == (ReferralStatus.REJECTED, "existing_customer")
    assert referral_orders.reward_due(referral_shop, now=DUE).written == 0


def test_the_monthly_cap_counts_per_referrer_and_month(club, referral_rules, dana, referral_shop):
    for i in range(4):
        order = referral_shop.place_order(invite(club, dana.code, referral_shop, email=f"f{i}@example.co.il"))
        referral_orders.sync_referral_order(order, referral_shop)

    statuses = list(Referral.objects.order_by("pk").values_list("status", "reason_code"))
    assert statuses == [("ordered", "")] * 3 + [("rejected", "monthly_cap")]


def test_a_referral_loop_is_refused(club, referral_rules, dana, noa, referral_shop):
    # given Noa joined with Dana's code, and has a code of her own
    order = referral_shop.place_order(invite(club, dana.code, referral_shop, user=noa), user=noa)
    referral_orders.sync_referral_order(order, referral_shop)
    noa_code = referrals.code_for(ledger.account_for(club, noa.pk, noa.email))

    # when Dana (no orders of her own yet) applies Noa's code
    checkout = referral_shop.add_checkout(user=dana)
    with pytest.raises(referrals.ReferralNotEligible) as refused:
        referrals.apply_code(club, checkout.token, noa_code, Requestor(user_id=dana.pk), referral_shop)

    # then it is refused as a loop
    assert refused.value.reason_code == "referral_loop"


def test_a_longer_loop_found_at_order_time_is_rejected(
    club, referral_rules, dana, django_user_model, referral_shop
):
    # Dana → Noa → Yael; then Dana's own first order arrives with Yael's code (applied as a guest)
    noa = django_user_model.objects.create(username="noa", email="noa@example.co.il")
    yael = django_user_model.objects.create(username="yael", email="yael@example.co.il")
    referral_orders.sync_referral_order(
        referral_shop.place_order(invite(club, dana.code, referral_shop, user=noa), user=noa), referral_shop
    )
    noa_code = referrals.code_for(ledger.account_for(club, noa.pk, noa.email))
    referral_orders.sync_referral_order(
        referral_shop.place_order(invite(club, noa_code, referral_shop, user=yael), user=yael), referral_shop
    )
    yael_code = referrals.code_for(ledger.account_for(club, yael.pk, yael.email))
    checkout = invite(club, yael_code, referral_shop, email="someone.new@example.co.il")

    referral = referral_orders.sync_referral_order(
        referral_shop.place_order(checkout, user=dana, email=dana.email), referral_shop
    )

    assert (referral.status, referral.reason_code) == (ReferralStatus.REJECTED, "referral_loop")


def test_one_friend_counts_once_even_with_two_first_orders(club, referral_rules, dana, referral_shop):
    # two carts with the code, both before any order (the adapter counts earlier orders by creation time)
    carts = [invite(club, dana.code, referral_shop) for _ in range(2)]
    first, second = (referral_shop.place_order(cart) for cart in carts)
    referral_orders.sync_referral_order(first, referral_shop)
    referral = referral_orders.sync_referral_order(second, referral_shop)
    assert (referral.status, referral.reason_code) == (ReferralStatus.REJECTED, "existing_customer")
    assert Referral.objects.filter(status=ReferralStatus.ORDERED).count() == 1


def test_an_unpaid_order_counts_nothing_yet(club, referral_rules, dana, referral_shop):
    order = referral_shop.place_order(invite(club, dana.code, referral_shop), paid=False)
    assert referral_orders.sync_referral_order(order, referral_shop).status == ReferralStatus.INVITED


def test_an_order_without_a_referral_is_left_alone(club, referral_rules, referral_shop):
    assert (
        referral_orders.sync_referral_order(referral_shop.place_order(None, email="x@example.co.il")) is None
    )
    assert not Referral.objects.exists()


def test_a_welcome_voucher_typed_on_a_new_checkout_still_finds_its_referral(
    club, referral_rules, dana, referral_shop
):
    voucher = invite(club, dana.code, referral_shop).voucher_code
    new_checkout = referral_shop.add_checkout(email="noa@example.co.il", voucher=voucher)
    referral = referral_orders.sync_referral_order(referral_shop.place_order(new_checkout), referral_shop)
    assert referral.status == ReferralStatus.ORDERED
    assert referral.voucher_spent


@pytest.mark.django_db(transaction=True)
def test_concurrent_events_for_one_order_reward_once(club, referral_rules, dana, referral_shop):
    order = referral_shop.place_order(invite(club, dana.code, referral_shop))
    barrier = threading.Barrier(4)
    errors = []

    def deliver(now):
        try:
            barrier.wait()
            referral_orders.sync_referral_order(order, referral_shop)
            referral_orders.reward_due(referral_shop, now=now)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(DUE,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert rewards(dana.account) == [500]
    assert ledger.reconcile_account(dana.account) == 0


@pytest.mark.django_db(transaction=True)
def test_two_friends_racing_for_the_last_place_under_the_cap(club, referral_rules, dana, referral_shop):
    referrals.update_settings(club, monthly_cap=1)
    orders = [
        referral_shop.place_order(invite(club, dana.code, referral_shop, email=f"f{i}@example.co.il"))
        for i in range(2)
    ]
    barrier = threading.Barrier(2)

    def deliver(order):
        try:
            barrier.wait()
            referral_orders.sync_referral_order(order, referral_shop)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(Referral.objects.values_list("status", flat=True)) == ["ordered", "rejected"]
