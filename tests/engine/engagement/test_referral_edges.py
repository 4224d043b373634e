"""Edges of referrals: a switched-off program, a forgotten friend, orders no referral is about."""

# ruff: noqa: F811  (the referral fixtures are imported from referral_shop, then named as test arguments)

from datetime import timedelta

import pytest

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.engagement import referral_orders, referrals
from saleor_loyalty.models import EntryKind, LedgerEntry, Referral, ReferralStatus

from .referral_shop import PAID, dana, noa, referral_rules, referral_shop  # noqa: F401  (fixtures)

DUE = PAID + timedelta(days=30, minutes=1)


def counted(club, dana, shop, email="noa@example.co.il"):
    checkout = shop.add_checkout(email=email)
    referrals.apply_code(club, checkout.token, dana.code, Requestor(), shop)
    order = shop.place_order(shop.checkouts[checkout.token])
    return referral_orders.sync_referral_order(order, shop), order


def test_a_due_reward_waits_while_the_program_is_switched_off(club, referral_rules, dana, referral_shop):
    counted(club, dana, referral_shop)
    club.is_active = False
    club.save()

    assert referral_orders.reward_due(referral_shop, now=DUE).written == 0
    assert Referral.objects.get().reward_due_at == DUE + referral_orders.PAUSED_RECHECK

    club.is_active = True
    club.save()
    assert referral_orders.reward_due(referral_shop, now=DUE + timedelta(days=1)).written == 1


def test_a_switched_off_program_takes_no_codes(club, referral_rules, dana, referral_shop):
    club.is_active = False
    club.save()
    checkout = referral_shop.add_checkout(email="noa@example.co.il")
    with pytest.raises(referrals.ReferralsDisabled):
        referrals.apply_code(club, checkout.token, dana.code, Requestor(), referral_shop)
    assert not Referral.objects.exists()


def test_a_deleted_friend_is_forgotten_but_still_counts_once(club, referral_rules, dana, referral_shop):
    referral, _ = counted(club, dana, referral_shop)

    assert referrals.forget_friend(4242, "noa@example.co.il") == 1

    referral.refresh_from_db()
    assert (referral.friend_email, referral.friend_name, referral.friend_user_id) == ("", "", None)
    assert referral.friend_key  # the hash stays: the same email cannot be referred again
    again, _ = counted(club, dana, referral_shop, email="Noa+again@example.co.il")
    assert (again.status, again.reason_code) == (ReferralStatus.REJECTED, "existing_customer")


def test_only_orders_a_referral_is_about_are_read_in_full(club, referral_rules, dana, referral_shop):
    referral, order = counted(club, dana, referral_shop)
    stranger = referral_shop.place_order(None, email="x@example.co.il")

    assert referral_orders.may_be_referred(order.order_id, "il", None, "")
    assert referral_orders.may_be_referred(stranger.order_id, "il", None, referral.voucher_code)
    assert not referral_orders.may_be_referred(stranger.order_id, "il", stranger.checkout_token, "")
    assert not referral_orders.may_be_referred(order.order_id, "us", None, "")


def test_points_as_welcome_go_to_the_friends_guest_account_with_the_reward(
    club, referral_rules, dana, referral_shop
):
    referrals.update_settings(club, friend_benefit="points", friend_points=150)
    referral, _ = counted(club, dana, referral_shop)
    assert referral.friend_points == 150

    referrals.update_settings(club, friend_points=999)  # later changes do not touch a counted referral
    referral_orders.reward_due(referral_shop, now=DUE)

    welcome = LedgerEntry.objects.get(kind=EntryKind.REFERRAL_WELCOME)
    assert (welcome.points, welcome.account.email, welcome.source_key) == (
        150,
        "noa@example.co.il",
        f"referral:{referral.pk}",
    )
