"""Tier names per language, the way Saleor translates its objects: staff set them, the API and messages use them."""

import graphene
import pytest

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.models import TierTranslation
from tests.engine.api import run

TRANSLATE = """mutation($id: ID!, $lang: LoyaltyLanguageCode!, $name: String!) {
  loyaltyTierTranslate(channel: "il", id: $id, languageCode: $lang, input: {name: $name}) {
    errors { field code } tier { name translation(languageCode: $lang) { languageCode name } } } }"""
TRANSLATOR = Requestor(
    user_id=1, email="t@shop.co.il", is_staff=True, permissions=frozenset({"MANAGE_TRANSLATIONS"})
)


def gold_id(club):
    return graphene.Node.to_global_id("LoyaltyTier", club.tiers.get(name="Gold").pk)


def test_staff_name_a_tier_in_arabic_and_read_it_back(club):
    # when a translator names Gold in Arabic
    result = run(TRANSLATE, TRANSLATOR, id=gold_id(club), lang="AR", name="ذهبي")

    # then the tier answers with it for that language, and Hebrew keeps the seeded name
    payload = result.data["loyaltyTierTranslate"]
    assert payload["errors"] == []
    assert payload["tier"] == {"name": "Gold", "translation": {"languageCode": "AR", "name": "ذهبي"}}
    names = dict(club.tiers.get(name="Gold").translations.values_list("language_code", "name"))
    assert names == {"he": "זהב", "ar": "ذهبي"}


def test_an_empty_name_removes_the_translation(club):
    run(TRANSLATE, TRANSLATOR, id=gold_id(club), lang="HE", name="  ")
    assert not TierTranslation.objects.filter(tier__name="Gold", language_code="he").exists()


@pytest.mark.parametrize(
    ("requestor", "name", "code"),
    [
        (
            Requestor(
                user_id=2, email="s@shop.co.il", is_staff=True, permissions=frozenset({"MANAGE_SETTINGS"})
            ),
            "x",
            "PERMISSION_DENIED",
        ),
        (TRANSLATOR, "x" * 65, "INVALID"),
    ],
)
def test_translating_without_permission_or_too_long_writes_nothing(club, requestor, name, code):
    before = list(TierTranslation.objects.values_list("tier_id", "language_code", "name").order_by("pk"))
    result = run(TRANSLATE, requestor, id=gold_id(club), lang="AR", name=name)
    assert result.data["loyaltyTierTranslate"]["errors"][0]["code"] == code
    assert (
        list(TierTranslation.objects.values_list("tier_id", "language_code", "name").order_by("pk")) == before
    )


def test_a_language_code_outside_the_enum_is_refused_by_the_schema(club):
    result = run(TRANSLATE, TRANSLATOR, id=gold_id(club), lang="KLINGON", name="x")
    assert result.errors
    assert result.data is None


def test_message_names_fall_back_from_regional_to_base_language_then_default(club):
    gold = club.tiers.get(name="Gold")
    assert TierTranslation.objects.name_for(gold.pk, gold.name, "he-IL") == "זהב"
    assert TierTranslation.objects.name_for(gold.pk, gold.name, "en") == "Gold"
    assert TierTranslation.objects.name_for(None, "Gold", "he") == "Gold"
