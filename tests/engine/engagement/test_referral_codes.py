"""Members' codes and links, and the program's referral rules as staff set them."""

# ruff: noqa: F811  (the referral fixtures are imported from referral_shop, then named as test arguments)

from decimal import Decimal

import pytest

from saleor_loyalty import ledger
from saleor_loyalty.engagement import referrals
from saleor_loyalty.models import ReferralCode, ReferralSettings

from .referral_shop import dana, referral_rules  # noqa: F401  (fixtures)


def test_a_member_has_one_human_typeable_code_and_a_link_from_the_template(dana, referral_rules):
    code = referrals.code_for(dana.account)

    assert code == dana.code  # stable: made once
    assert len(code) == 8
    assert set(code) <= set(referrals.CODE_ALPHABET)
    assert not set(code) & set("IO01")
    assert referrals.link_for(referral_rules, code) == f"https://shop.example.co.il/join?ref={code}"


def test_codes_differ_between_members(club, django_user_model):
    codes = {referrals.code_for(ledger.account_for(club, None, f"m{i}@example.co.il")) for i in range(30)}
    assert len(codes) == 30 == ReferralCode.objects.count()


def test_a_code_is_found_however_it_is_typed(club, dana):
    typed = f" {dana.code[:4].lower()}-{dana.code[4:].lower()} "
    assert referrals.find_code(club, typed).account == dana.account


@pytest.mark.parametrize("typed", ["", "x" * 40, "ABC$1234", "0000OOOO", None])
def test_something_that_is_no_code_is_not_found(club, dana, typed):
    with pytest.raises(referrals.ReferralCodeNotFound):
        referrals.find_code(club, typed)


def test_a_code_of_another_channel_is_not_found_here(club, other_club, dana):
    with pytest.raises(referrals.ReferralCodeNotFound):
        referrals.find_code(other_club, dana.code)


@pytest.mark.parametrize(
    "template",
    [
        "javascript:alert(1)//{code}",
        "ftp://shop.example.co.il/{code}",
        "https://shop.example.co.il/join",  # no {code}
        "https://shop.example.co.il/{code}/{code}",
        "https:///{code}",
        "https://shop.example.co.il/ join?ref={code}",
        "https://shop.example.co.il/{codes}",
        "https://shop.example.co.il/" + "a" * 500 + "{code}",
    ],
)
def test_a_link_template_must_be_an_http_url_with_the_code_once(club, template):
    with pytest.raises(referrals.InvalidReferralSetting) as refused:
        referrals.update_settings(club, enabled=True, link_template=template)
    assert refused.value.field == "link_template"
    assert not ReferralSettings.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"friend_benefit": "voucher_percent", "friend_value": "150"}, "friend_value"),
        ({"friend_benefit": "voucher_fixed", "friend_value": "0"}, "friend_value"),
        ({"friend_value": "10.005"}, "friend_value"),
        ({"friend_value": "NaN"}, "friend_value"),
        ({"referrer_points": -1}, "referrer_points"),
        ({"pending_days": 400}, "pending_days"),
        ({"monthly_cap": True}, "monthly_cap"),
        ({"friend_benefit": "a hug"}, "friend_benefit"),
        ({"hold_order_total_over": "-5"}, "hold_order_total_over"),
    ],
)
def test_bad_rules_are_refused_whole(club, referral_rules, changes, field):
    with pytest.raises(referrals.InvalidReferralSetting) as refused:
        referrals.update_settings(club, **{"referrer_points": 900, **changes})
    assert refused.value.field == field
    assert ReferralSettings.objects.get(program=club).referrer_points == 500  # nothing of the call saved


def test_rules_change_only_what_is_given(club, referral_rules):
    saved = referrals.update_settings(club, friend_benefit="voucher_fixed", friend_value="25.50")
    assert (saved.friend_benefit, saved.friend_value, saved.referrer_points) == (
        "voucher_fixed",
        Decimal("25.50"),
        500,
    )
    assert saved.link_template == "https://shop.example.co.il/join?ref={code}"


def test_a_program_that_never_set_rules_has_referrals_off(club):
    assert referrals.settings_for(club).enabled is False
