"""A friend applies a member's code to their checkout: the welcome voucher, and what is refused at once."""

# ruff: noqa: F811  (the referral fixtures are imported from referral_shop, then named as test arguments)

import pytest

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.engagement import referrals
from saleor_loyalty.exceptions import CheckoutNotFound, NotYourCheckout
from saleor_loyalty.models import Referral, ReferralStatus

from .referral_shop import as_customer, dana, noa, referral_rules, referral_shop  # noqa: F401  (fixtures)

GUEST = Requestor()


def test_a_guest_friend_gets_the_welcome_voucher_on_the_checkout(club, referral_rules, dana, referral_shop):
    checkout = referral_shop.add_checkout(email="noa@example.co.il")

    referral, applied = referrals.apply_code(club, checkout.token, dana.code.lower(), GUEST, referral_shop)

    assert applied is True
    assert referral.status == ReferralStatus.INVITED
    assert referral.referrer == dana.account
    assert referral_shop.checkouts[checkout.token].voucher_code == referral.voucher_code
    assert referral_shop.vouchers == [(referral.voucher_code, False, referral_rules.friend_value)]


def test_applying_again_makes_no_second_referral_or_voucher(club, referral_rules, dana, referral_shop):
    checkout = referral_shop.add_checkout(email="noa@example.co.il")
    first, _ = referrals.apply_code(club, checkout.token, dana.code, GUEST, referral_shop)
    again, applied = referrals.apply_code(club, checkout.token, dana.code, GUEST, referral_shop)

    assert (again.pk, again.voucher_code, applied) == (first.pk, first.voucher_code, True)
    assert Referral.objects.count() == 1
    assert len(referral_shop.vouchers) == 1


def test_a_voucher_the_customer_typed_is_never_replaced(club, referral_rules, dana, referral_shop):
    checkout = referral_shop.add_checkout(email="noa@example.co.il", voucher="SUMMER20", typed=True)

    referral, applied = referrals.apply_code(club, checkout.token, dana.code, GUEST, referral_shop)

    assert applied is False
    assert referral_shop.checkouts[checkout.token].voucher_code == "SUMMER20"
    assert referral.voucher_code.startswith("FRIEND-")  # handed back for the storefront to offer


def test_the_clubs_own_tier_code_makes_way_for_the_welcome_voucher(club, referral_rules, dana, referral_shop):
    checkout = referral_shop.add_checkout(email="noa@example.co.il", voucher="CLUB-1234", typed=False)
    referral, applied = referrals.apply_code(club, checkout.token, dana.code, GUEST, referral_shop)
    assert applied
    assert referral_shop.checkouts[checkout.token].voucher_code == referral.voucher_code


def test_welcome_points_make_no_voucher(club, referral_rules, dana, referral_shop):
    referrals.update_settings(club, friend_benefit="points", friend_points=200)
    checkout = referral_shop.add_checkout(email="noa@example.co.il")
    referral, applied = referrals.apply_code(club, checkout.token, dana.code, GUEST, referral_shop)
    assert (referral.voucher_code, applied, referral_shop.vouchers) == ("", False, [])


def test_a_member_applying_their_own_code_is_refused(club, referral_rules, dana, referral_shop):
    checkout = referral_shop.add_checkout(user=dana)
    with pytest.raises(referrals.ReferralNotEligible) as refused:
        referrals.apply_code(club, checkout.token, dana.code, as_customer(dana), referral_shop)
    assert refused.value.reason_code == "self_referral"
    assert not Referral.objects.exists()
    assert referral_shop.vouchers == []


@pytest.mark.parametrize(
    "variant", ["DANA.LEVI@gmail.com", "danalevi+friend@gmail.com", "d.a.n.a.levi@googlemail.com"]
)
def test_the_members_own_email_in_another_spelling_is_refused(
    club, referral_rules, dana, referral_shop, variant
):
    checkout = referral_shop.add_checkout(email=variant)
    with pytest.raises(referrals.ReferralNotEligible) as refused:
        referrals.apply_code(club, checkout.token, dana.code, GUEST, referral_shop)
    assert refused.value.reason_code == "self_referral"
    assert not Referral.objects.exists()


def test_an_existing_customer_using_a_code_is_refused_with_the_reason(
    club, referral_rules, dana, noa, referral_shop
):
    referral_shop.place_order(None, user=noa)  # Noa has ordered before
    checkout = referral_shop.add_checkout(user=noa)

    with pytest.raises(referrals.ReferralNotEligible) as refused:
        referrals.apply_code(club, checkout.token, dana.code, as_customer(noa), referral_shop)

    assert refused.value.reason_code == "existing_customer"
    assert "first order" in refused.value.message
    assert not Referral.objects.exists()


def test_another_customers_checkout_is_refused(club, referral_rules, dana, noa, referral_shop):
    checkout = referral_shop.add_checkout(user=noa)
    for caller in (GUEST, Requestor(user_id=dana.pk + 100, email="x@example.co.il")):
        with pytest.raises(NotYourCheckout):
            referrals.apply_code(club, checkout.token, dana.code, caller, referral_shop)


def test_a_checkout_of_another_channel_or_none_is_not_found(club, referral_rules, dana, referral_shop):
    elsewhere = referral_shop.add_checkout(email="noa@example.co.il", channel="us")
    for token in (elsewhere.token, referral_shop.add_checkout().token.__class__(int=5)):
        with pytest.raises(CheckoutNotFound):
            referrals.apply_code(club, token, dana.code, GUEST, referral_shop)


def test_referrals_switched_off_refuse_codes(club, referral_rules, dana, referral_shop):
    referrals.update_settings(club, enabled=False)
    checkout = referral_shop.add_checkout(email="noa@example.co.il")
    with pytest.raises(referrals.ReferralsDisabled):
        referrals.apply_code(club, checkout.token, dana.code, GUEST, referral_shop)


def test_another_code_on_the_same_checkout_changes_the_referrer_before_any_order(
    club, referral_rules, dana, django_user_model, referral_shop
):
    from saleor_loyalty import ledger

    yael = django_user_model.objects.create(username="yael", email="yael@example.co.il")
    yael_code = referrals.code_for(ledger.account_for(club, yael.pk, yael.email))
    checkout = referral_shop.add_checkout(email="noa@example.co.il")
    first, _ = referrals.apply_code(club, checkout.token, dana.code, GUEST, referral_shop)

    second, _ = referrals.apply_code(club, checkout.token, yael_code, GUEST, referral_shop)

    assert second.pk == first.pk
    assert second.code == yael_code
    assert second.voucher_code == first.voucher_code
