"""A referral's welcome voucher is the referred friend's alone: refused at order creation for anyone else,
through the entry point the plugin's `preprocess_order_creation` calls (`order_guard.check_order_creation`,
which checks a leaked tier code too)."""

# ruff: noqa: F811  (the referral fixtures are imported from referral_shop, then named as test arguments)

import pytest
from django.contrib.auth import get_user_model

from saleor_loyalty.benefits.checkout import CheckoutBenefitFacts
from saleor_loyalty.core.facts import ChannelFacts, Requestor
from saleor_loyalty.engagement import order_guard, referrals
from saleor_loyalty.exceptions import ClubCodeRefused
from saleor_loyalty.ledger import programs

from .referral_shop import as_customer, dana, noa, referral_rules, referral_shop  # noqa: F401  (fixtures)

GUEST = Requestor()


def order_creation(code, *, token=None, user=None, email="", welcome=True, channel="il"):
    """What the adapter reads off the checkout at Saleor's last look before the order."""
    return CheckoutBenefitFacts(
        channel_slug=channel,
        user_id=user.pk if user else None,
        voucher_code=code,
        voucher_is_club=False,
        voucher_percent=None,
        shipping_method_id=None,
        voucher_is_welcome=welcome,
        checkout_token=str(token) if token else None,
        email=email,
    )


@pytest.fixture
def guest_welcome(club, referral_rules, dana, referral_shop):
    """Noa, as a guest, applied Dana's code: her checkout carries the welcome voucher."""
    checkout = referral_shop.add_checkout(email="noa@example.co.il")
    referral, applied = referrals.apply_code(club, checkout.token, dana.code, GUEST, referral_shop)
    assert applied
    return checkout, referral


@pytest.fixture
def stranger(db):
    return get_user_model().objects.create(username="eli", email="eli@example.co.il")


def test_the_friends_own_checkout_passes(guest_welcome):
    checkout, referral = guest_welcome

    order_guard.check_order_creation(
        order_creation(referral.voucher_code, token=checkout.token, email="noa@example.co.il")
    )


def test_the_friend_typing_it_on_a_new_checkout_passes_by_email(guest_welcome, referral_shop):
    _, referral = guest_welcome
    other = referral_shop.add_checkout(email="Noa@Example.co.il")  # another spelling of the same email

    order_guard.check_order_creation(
        order_creation(referral.voucher_code, token=other.token, email=other.email)
    )


def test_a_leaked_code_on_someone_elses_checkout_is_refused(guest_welcome, referral_shop, stranger):
    _, referral = guest_welcome
    elsewhere = referral_shop.add_checkout(email="eli@example.co.il")

    for facts in (
        order_creation(referral.voucher_code, token=elsewhere.token, email="eli@example.co.il"),
        order_creation(referral.voucher_code, token=elsewhere.token, user=stranger, email=stranger.email),
        order_creation(referral.voucher_code),  # no checkout, no customer
    ):
        with pytest.raises(ClubCodeRefused) as refused:
            order_guard.check_order_creation(facts)
        assert refused.value.field == "promo_code"


def test_a_signed_in_friend_is_known_by_account(club, referral_rules, dana, noa, referral_shop, stranger):
    checkout = referral_shop.add_checkout(user=noa)
    referral, _ = referrals.apply_code(club, checkout.token, dana.code, as_customer(noa), referral_shop)
    other = referral_shop.add_checkout(user=noa)

    order_guard.check_order_creation(
        order_creation(referral.voucher_code, token=other.token, user=noa, email=noa.email)
    )
    with pytest.raises(ClubCodeRefused):  # another account, even typing Noa's email as its contact
        order_guard.check_order_creation(
            order_creation(referral.voucher_code, token=other.token, user=stranger, email=noa.email)
        )


def test_a_welcome_marked_code_the_club_does_not_know_is_refused(club, referral_rules):
    with pytest.raises(ClubCodeRefused):
        order_guard.check_order_creation(order_creation("FRIEND-FORGED00", email="noa@example.co.il"))


def test_a_welcome_code_in_a_channel_without_a_club_is_refused(db):
    with pytest.raises(ClubCodeRefused, match="not valid in this channel"):
        order_guard.check_order_creation(order_creation("FRIEND-0000000000", channel="nowhere"))


def test_a_shop_voucher_that_is_not_a_welcome_one_is_not_checked(club, referral_rules):
    order_guard.check_order_creation(order_creation("SUMMER10", welcome=False, email="eli@example.co.il"))


def test_another_programs_welcome_code_is_refused(club, guest_welcome):
    _, referral = guest_welcome
    programs.ensure_program(ChannelFacts("us", "USD", "US"))

    with pytest.raises(ClubCodeRefused):
        order_guard.check_order_creation(
            order_creation(referral.voucher_code, email="noa@example.co.il", channel="us")
        )


def test_the_same_entry_point_still_refuses_a_club_code_the_club_does_not_know(club, referral_rules):
    facts = CheckoutBenefitFacts(
        channel_slug="il",
        user_id=None,
        voucher_code="CLUB-FORGOTTEN",
        voucher_is_club=True,
        voucher_percent=None,
        shipping_method_id=None,
    )

    with pytest.raises(ClubCodeRefused):
        order_guard.check_order_creation(facts)
