"""The public club page: what a storefront needs, for anyone, in at most two SQL queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.engagement import club_page, referrals
from saleor_loyalty.exceptions import InvalidProgramSetting
from saleor_loyalty.ledger import programs
from saleor_loyalty.models import ClubAction
from saleor_loyalty.tiers import settings as tier_settings
from tests.engine.api import run

CLUB = """{ club(channel: "il") {
  channel currency isActive
  earning { pointsPerCurrencyUnit includesTax includesShipping pendingDays expiryMonths }
  redeeming { pointValue { amount currency } minPoints stepPoints maxSharePercent }
  tierBasis tierWindow
  tiers { id name position entryThreshold retainThreshold translation(languageCode: HE) { name }
          benefits { discountPercent freeShipping earlyAccess birthdayPoints birthdayCredit { amount currency } } }
  waysToEarn { key nameEn nameHe points pendingDays caps { perDay perMonth lifetime oncePerObject } }
  he: terms(languageCode: HE) en: terms(languageCode: EN) fr: terms(languageCode: FR) } }"""


@pytest.fixture
def page(actions_on):
    ClubAction.objects.filter(key="birthday_set").update(is_enabled=False)
    club_page.update_settings(
        actions_on, terms_en="Points expire after 12 months.", terms_he="הנקודות פגות אחרי 12 חודשים."
    )
    gold = actions_on.tiers.get(name="Gold")
    tier_settings.translate_tier(actions_on, gold.pk, "he", "זהב")
    return actions_on


def test_anyone_reads_the_club_page(page):
    club = run(CLUB).data["club"]

    assert club["currency"] == "ILS"
    assert club["isActive"] is True
    assert club["earning"] == {
        "pointsPerCurrencyUnit": 1.0,
        "includesTax": True,
        "includesShipping": False,
        "pendingDays": 14,
        "expiryMonths": 12,
    }
    assert club["redeeming"]["pointValue"] == {"amount": 0.05, "currency": "ILS"}
    assert [tier["name"] for tier in club["tiers"]] == ["Regular", "Gold", "Platinum"]
    assert club["tiers"][1]["translation"] == {"name": "זהב"}
    assert club["tiers"][1]["benefits"]["discountPercent"] == 5.0
    ways = {way["key"]: way for way in club["waysToEarn"]}
    assert "birthday_set" not in ways  # switched off
    assert ways["product_review"] == {
        "key": "product_review",
        "nameEn": "Review a product",
        "nameHe": "ביקורת על מוצר",
        "points": 50,
        "pendingDays": 14,
        "caps": {"perDay": 3, "perMonth": 20, "lifetime": None, "oncePerObject": True},
    }
    assert (club["he"], club["en"], club["fr"]) == (
        "הנקודות פגות אחרי 12 חודשים.",
        "Points expire after 12 months.",
        None,
    )


def test_the_page_costs_at_most_two_queries(page):
    run(CLUB)  # warm: nothing is created on a read of an existing program
    with CaptureQueriesContext(connection) as queries:
        result = run(CLUB)
    assert result.errors is None
    assert len(queries) == 2, [query["sql"][:120] for query in queries]


def test_nothing_member_specific_or_staff_only(page, customer):
    account = ledger.account_for(page, customer.pk, customer.email)
    ledger.adjust_points(account, 900, "gift", ledger.SYSTEM)

    anonymous = run(CLUB).data
    signed_in = run(CLUB, Requestor(user_id=customer.pk, email=customer.email)).data

    assert anonymous == signed_in
    assert "900" not in str(anonymous)
    assert "dana" not in str(anonymous)


def test_a_switched_off_club_says_so(page):
    programs.update_program(page, is_active=False)
    assert run(CLUB).data["club"]["isActive"] is False


def test_an_unknown_channel_is_a_typed_error(db):
    result = run('{ club(channel: "nope") { currency } }')
    assert result.errors[0].extensions["exception"]["code"] == "CHANNEL_NOT_FOUND"


def test_terms_are_length_limited(page, staff):
    result = run(
        'mutation($t: String!) { loyaltyActionSettingsUpdate(channel: "il", input: {termsHe: $t}) { errors { field code } } }',
        staff,
        t="א" * (club_page.MAX_TERMS + 1),
    )
    # the endpoint refuses strings over 2,000 characters earlier; the engine's own limit backs it
    assert result.errors or result.data["loyaltyActionSettingsUpdate"]["errors"]
    with pytest.raises(InvalidProgramSetting) as refused:
        club_page.update_settings(page, terms_he="א" * (club_page.MAX_TERMS + 1))
    assert refused.value.field == "terms_he"


def test_the_anniversary_credit_is_in_the_channels_currency(page):
    with pytest.raises(InvalidProgramSetting) as refused:
        club_page.update_settings(page, anniversary_credit=(Decimal("5"), "USD"))
    assert refused.value.field == "anniversary_credit"


def test_a_section_added_by_another_feature_costs_no_extra_query(page, monkeypatch):
    # given a feature that adds its own section
    sql = "SELECT json_build_object('rule', 'friend gets 10%%', 'program', %(program)s)::text"
    monkeypatch.setitem(club_page.SECTIONS, "referral_rules", sql)  # undone after the test

    with CaptureQueriesContext(connection) as queries:
        loaded = club_page.club_page("il")

    assert len(queries) == 2
    assert loaded.sections["referral_rules"] == [{"rule": "friend gets 10%", "program": page.pk}]


OFFER_AND_REFERRALS = """{ club(channel: "il") {
  referral { enabled referrerPoints friendBenefit friendPercent friendAmount { amount currency } friendPoints
             pendingDays minOrderTotal { amount currency } }
  membershipOffers { name productName price { amount currency } term tier { name } monthlyGiftPoints
                     monthlyGiftCredit { amount currency } }
  tiers { name } waysToEarn { key } } }"""


def test_the_page_shows_the_referral_rules_and_the_paid_membership_offer(
    page, gold_plan, platinum_plan, catalog
):
    referrals.update_settings(
        page, enabled=True, referrer_points=300, friend_benefit="voucher_fixed", friend_value=Decimal("25")
    )
    platinum_plan.is_active = False  # withdrawn: not on sale
    platinum_plan.save()
    club = run(OFFER_AND_REFERRALS, variants=catalog).data["club"]
    assert club["referral"] == {
        "enabled": True,
        "referrerPoints": 300,
        "friendBenefit": "VOUCHER_FIXED",
        "friendPercent": None,
        "friendAmount": {"amount": 25.0, "currency": "ILS"},
        "friendPoints": 0,
        "pendingDays": 30,
        "minOrderTotal": {"amount": 0.0, "currency": "ILS"},
    }
    assert club["membershipOffers"] == [
        {
            "name": "Gold club",
            "productName": "Gold club",
            "price": {"amount": 29.9, "currency": "ILS"},
            "term": "MONTHLY",
            "tier": {"name": "Gold"},
            "monthlyGiftPoints": 100,
            "monthlyGiftCredit": {"amount": 0.0, "currency": "ILS"},
        }
    ]


def test_no_referral_rules_yet_and_no_plans_read_as_null_and_empty(page, catalog):
    club = run(OFFER_AND_REFERRALS, variants=catalog).data["club"]
    assert (club["referral"], club["membershipOffers"]) == (None, [])
    assert catalog.calls == 0  # nothing on sale: Saleor is not asked


def test_the_page_with_its_offer_and_referrals_costs_two_queries_and_one_saleor_read(
    page, gold_plan, platinum_plan, catalog
):
    referrals.update_settings(page, enabled=True)
    run(OFFER_AND_REFERRALS, variants=catalog)  # warm
    catalog.calls = 0
    with CaptureQueriesContext(connection) as queries:
        result = run(OFFER_AND_REFERRALS, variants=catalog)
    assert result.errors is None
    assert len(result.data["club"]["membershipOffers"]) == 2
    assert len(queries) == 2, [query["sql"][:120] for query in queries]
    assert catalog.calls == 1


def test_the_public_types_hold_no_staff_only_rules():
    from saleor_loyalty.graphql.schema import schema

    referral = schema.get_type("LoyaltyClubReferral").fields
    offer = schema.get_type("LoyaltyMembershipOffer").fields
    assert not {"monthlyCap", "holdAll", "holdOrderTotalOver", "holdSharedAddress", "linkTemplate"} & set(
        referral
    )
    assert not {"reminderDays", "isActive"} & set(offer)
