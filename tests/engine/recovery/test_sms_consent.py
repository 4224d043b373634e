"""SMS consent only for a number the person has shown to be theirs: on their Saleor addresses, or on the
checkout they hold. A stranger can neither grant nor withdraw consent for someone else's number, nor read it."""

import graphene
import pytest

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.messages import consent
from saleor_loyalty.models import ConsentEvent, Medium
from tests.engine.api import run

from .conftest import WORDING

SET = """mutation($granted: Boolean!, $phone: String, $checkoutId: ID) {
  loyaltyConsentSet(channel: "il", medium: SMS, granted: $granted, source: CHECKOUT_CHECKBOX,
                    wording: $wording, phone: $phone, checkoutId: $checkoutId) {
    errors { field code } consent { medium granted } } }""".replace("$wording", '"' + WORDING + '"')
MINE = 'query($phone: String) { myConsent(channel: "il", phone: $phone) { medium granted } }'
DANA = Requestor(user_id=7, email="dana@example.co.il")


def test_a_customer_grants_sms_consent_for_the_number_on_their_address(channel, shop):
    shop.phones[DANA.user_id] = {"+972 50-123-4567"}
    result = run(SET, DANA, shop=shop, granted=True, phone="+972501234567")
    assert result.data["loyaltyConsentSet"] == {"errors": [], "consent": {"medium": "SMS", "granted": True}}


@pytest.mark.parametrize("granted", [True, False])
def test_nobody_grants_or_withdraws_consent_for_someone_elses_number(channel, shop, granted):
    # given a member who consented to SMS on their own number
    consent.record("il", Medium.SMS, "+972509999999", "grant", "checkout_checkbox", wording=WORDING)
    before = ConsentEvent.objects.count()
    shop.phones[DANA.user_id] = {"+972501234567"}

    # when Dana tries to grant or withdraw for that number
    result = run(SET, DANA, shop=shop, granted=granted, phone="+972509999999")

    # then it is refused and the member's consent stands
    assert result.data["loyaltyConsentSet"]["errors"] == [{"field": "phone", "code": "PHONE_NOT_VERIFIED"}]
    assert ConsentEvent.objects.count() == before
    assert consent.current_state("il", Medium.SMS, "+972509999999").may_market


def test_a_guest_gives_sms_consent_for_the_number_on_their_checkout(channel, shop):
    checkout = shop.add_checkout(email="guest@example.co.il", phone="050-7654321")
    checkout_id = graphene.Node.to_global_id("Checkout", checkout.token)
    ok = run(SET, Requestor(), shop=shop, granted=True, phone="0507654321", checkoutId=checkout_id)
    assert ok.data["loyaltyConsentSet"]["errors"] == []
    other = run(SET, Requestor(), shop=shop, granted=True, phone="0501111111", checkoutId=checkout_id)
    assert other.data["loyaltyConsentSet"]["errors"] == [{"field": "phone", "code": "PHONE_NOT_VERIFIED"}]


def test_someone_elses_checkout_is_not_a_way_in(channel, shop):
    checkout = shop.add_checkout(email="noa@example.co.il", user_id=99, phone="0507654321")
    result = run(
        SET,
        DANA,
        shop=shop,
        granted=False,
        phone="0507654321",
        checkoutId=graphene.Node.to_global_id("Checkout", checkout.token),
    )
    assert result.data["loyaltyConsentSet"]["errors"] == [
        {"field": "checkoutId", "code": "NOT_YOUR_CHECKOUT"}
    ]


def test_my_consent_answers_only_for_the_callers_own_numbers(channel, shop):
    shop.phones[DANA.user_id] = {"+972501234567"}
    mine = run(MINE, DANA, shop=shop, phone="+972501234567")
    assert [state["medium"] for state in mine.data["myConsent"]] == ["EMAIL", "SMS"]
    theirs = run(MINE, DANA, shop=shop, phone="+972509999999")
    assert theirs.errors[0].extensions["exception"]["code"] == "PHONE_NOT_VERIFIED"


def test_consent_for_an_unknown_channel_writes_nothing(channel, shop):
    result = run(
        'mutation { loyaltyConsentSet(channel: "nowhere", medium: EMAIL, granted: true, '
        'source: ACCOUNT_PAGE, wording: "yes") { errors { field code } } }',
        DANA,
        shop=shop,
    )
    assert result.data["loyaltyConsentSet"]["errors"] == [{"field": "channel", "code": "CHANNEL_NOT_FOUND"}]
    assert not ConsentEvent.objects.exists()
