"""Segments on the club API: the member list and `member`, saved segments, settings, sizes, flows."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import graphene
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.insights import segments
from saleor_loyalty.messages import consent
from saleor_loyalty.messages.consent import subject_hash
from saleor_loyalty.models import (
    AbandonedCheckout,
    ConsentAction,
    ConsentSource,
    LoyaltyAccount,
    Medium,
    OrderLineFact,
    SavedSegment,
    SegmentSettings,
)
from tests.engine.api import run
from tests.engine.graphql.test_authorization_matrix import snapshot

from .conftest import T0

PAGE = """query($filter: LoyaltyMemberFilterInput) { members(channel: "il", filter: $filter, first: 50) {
  totalCount edges { node { email segments { segment since } rfm { recency frequency monetary orders } } } } }"""
CREATE = """mutation($input: LoyaltySavedSegmentInput!) { loyaltySavedSegmentCreate(channel: "il", input: $input) {
  errors { field code message } savedSegment { id name filters } } }"""
MEMBERS_OF = """query($id: ID!) { savedSegmentMembers(channel: "il", id: $id, first: 10) {
  totalCount edges { node { email } } } }"""
FLOW = """mutation($input: LoyaltyFlowInput!) { loyaltyFlowUpdate(channel: "il", kind: WINBACK_LAPSED, input: $input) {
  errors { field code } flow { kind enabled holdoutPercent steps { afterDays content { language subject } } } } }"""


@pytest.fixture
def shop_floor(club, members, buy):
    """Six members: four one-time buyers 100 days ago (at risk), two who order every 20 days, lately."""
    users = members(6)
    for user in users[:4]:
        buy(user, T0 - timedelta(days=100), amount="80.00")
    for user in users[4:]:
        for days in (50, 30, 10):
            buy(user, T0 - timedelta(days=days), amount="300.00")
    segments.compute_segments(now=T0)
    return users


def test_the_member_list_filters_by_segment_and_shows_segments_in_constant_queries(shop_floor, staff):
    result = run(PAGE, staff, filter={"segment": "AT_RISK"})
    assert result.errors is None
    page = result.data["members"]
    assert page["totalCount"] == 4
    node = page["edges"][0]["node"]
    assert {s["segment"] for s in node["segments"]} == {"ONE_TIME", "AT_RISK"}
    assert node["rfm"]["orders"] == 1
    repeat = run(PAGE, staff, filter={"segment": "REPEAT"}).data["members"]
    assert repeat["totalCount"] == 2
    assert {e["node"]["rfm"]["frequency"] for e in repeat["edges"]} == {4}  # 1 + floor(5 × 4 below / 6)

    with CaptureQueriesContext(connection) as two:
        run(PAGE, staff, filter={"segment": "REPEAT"})
    with CaptureQueriesContext(connection) as six:
        run(PAGE, staff)
    assert len(six) == len(two)  # one read per kind for the whole page, not one per member


def test_a_member_does_not_see_their_own_segments(shop_floor):
    user = shop_floor[0]
    me = run(
        'query { me(channel: "il") { segments { segment } rfm { orders } signals { shrinkingBasket } } }',
        Requestor(user_id=user.pk, email=user.email),
    )
    assert me.data["me"] == {"segments": [], "rfm": None, "signals": None}


def test_signals_name_items_carted_again_and_a_shrinking_basket(club, members, buy, staff):
    (user,) = members(1)
    for days, amount in ((60, "400"), (50, "380"), (40, "420"), (30, "150"), (20, "120"), (10, "100")):
        buy(user, T0 - timedelta(days=days), amount=amount)
    for index in range(3):
        AbandonedCheckout.objects.create(
            checkout_token=f"7a8b4d0e-7a4c-4c0e-9e8e-2b9d7c1e0a1{index}",
            channel_slug="il",
            user_id=user.pk,
            email=user.email,
            email_hash=subject_hash(Medium.EMAIL, user.email),
            currency="ILS",
            total_gross=Decimal("90"),
            lines=[{"name": "Sourdough", "quantity": 1, "total": "30"}]
            + ([{"name": "Olive oil", "quantity": 1, "total": "60"}] if index == 0 else []),
            checkout_changed_at=T0,
            detected_at=T0 - timedelta(days=index),
            lost_at=T0 + timedelta(days=7),
        )
    segments.compute_segments(now=T0)
    gid = graphene.Node.to_global_id("User", user.pk)

    with mock.patch.object(timezone, "now", return_value=T0):
        result = run(
            f'query {{ member(channel: "il", userId: "{gid}") {{ signals {{ cartedAgain {{ name times }} '
            "basketTrend shrinkingBasket } } }",
            staff,
        )
    signals = result.data["member"]["signals"]
    assert signals["cartedAgain"] == [{"name": "Sourdough", "times": 3}]
    assert signals["shrinkingBasket"] is True
    assert signals["basketTrend"] == pytest.approx((150 + 120 + 100) / (400 + 380 + 420), abs=1e-4)


def test_a_saved_segment_counts_and_lists_its_members(shop_floor, staff, club):
    loyal = LoyaltyAccount.objects.get(user=shop_floor[5])
    OrderLineFact.objects.create(
        program=club,
        account=loyal,
        order_id="7a8b4d0e-7a4c-4c0e-9e8e-2b9d7c1e0a99",
        line_id="1",
        product_id=42,
        category_id=7,
        collection_ids=[3, 5],
        ordered_at=T0,
    )
    consent.record(
        "il", Medium.EMAIL, loyal.email, ConsentAction.GRANT, ConsentSource.ACCOUNT_PAGE, wording="yes"
    )
    segments.compute_segments(now=T0 + timedelta(days=1))  # stats carry the consent subject
    product = graphene.Node.to_global_id("Product", 42)
    collection = graphene.Node.to_global_id("Collection", 5)
    created = run(
        CREATE,
        staff,
        input={
            "name": "Big spenders who bought bread",
            "filters": {"spendMin": "500", "boughtProducts": [product], "boughtCollections": [collection]},
        },
    ).data["loyaltySavedSegmentCreate"]
    assert created["errors"] == []
    saved = created["savedSegment"]
    listed = run(MEMBERS_OF, staff, id=saved["id"]).data["savedSegmentMembers"]
    assert (listed["totalCount"], listed["edges"][0]["node"]["email"]) == (1, loyal.email)

    consenting = run(CREATE, staff, input={"name": "Mailable", "filters": {"emailConsent": True}})
    gid = consenting.data["loyaltySavedSegmentCreate"]["savedSegment"]["id"]
    assert run(MEMBERS_OF, staff, id=gid).data["savedSegmentMembers"]["totalCount"] == 1
    consent.record("il", Medium.EMAIL, loyal.email, ConsentAction.WITHDRAW, ConsentSource.ACCOUNT_PAGE)
    assert run(MEMBERS_OF, staff, id=gid).data["savedSegmentMembers"]["totalCount"] == 0

    at_risk = run(
        CREATE, staff, input={"name": "At risk", "filters": {"segments": ["AT_RISK"], "ordersMax": 1}}
    )
    gid = at_risk.data["loyaltySavedSegmentCreate"]["savedSegment"]["id"]
    assert run(MEMBERS_OF, staff, id=gid).data["savedSegmentMembers"]["totalCount"] == 4


@pytest.mark.parametrize(
    ("saved_input", "field"),
    [
        ({"name": "x" * 101, "filters": {"ordersMin": 1}}, "name"),
        ({"name": "Empty", "filters": {}}, "filters"),
        ({"name": "Range", "filters": {"spendMin": "500", "spendMax": "100"}}, "spendMin"),
        ({"name": "Orders", "filters": {"ordersMin": -1}}, "ordersMin"),
        (
            {"name": "Tier", "filters": {"tierId": graphene.Node.to_global_id("LoyaltyTier", 999999)}},
            "tierId",
        ),
        (
            {
                "name": "Many",
                "filters": {
                    "boughtProducts": [graphene.Node.to_global_id("Product", i) for i in range(1, 22)]
                },
            },
            "boughtProducts",
        ),
        (
            {"name": "Wrong type", "filters": {"boughtProducts": [graphene.Node.to_global_id("User", 1)]}},
            "boughtProducts",
        ),
        ({"name": "Naive", "filters": {"lastOrderFrom": "2026-01-01T00:00:00"}}, None),
    ],
)
def test_bad_saved_segments_are_typed_errors_and_write_nothing(club, staff, saved_input, field):
    before = snapshot()
    result = run(CREATE, staff, input=saved_input)
    payload = (result.data or {}).get("loyaltySavedSegmentCreate") or {}
    assert result.errors or payload["errors"]
    if field is not None:
        assert payload["errors"][0]["field"] == field
    assert snapshot() == before


def test_a_saved_segment_name_is_unique_per_channel(club, staff):
    run(CREATE, staff, input={"name": "VIP", "filters": {"ordersMin": 4}})
    again = run(CREATE, staff, input={"name": " VIP ", "filters": {"ordersMin": 5}}).data
    assert again["loyaltySavedSegmentCreate"]["errors"][0]["field"] == "name"
    assert SavedSegment.objects.count() == 1


def test_flow_settings_are_validated_whole(club, staff):
    good_step = {"afterDays": 0, "content": [{"language": "he", "subject": "חוזרים?", "body": "מחכים לך"}]}
    for bad, field in (
        ({"steps": [good_step, {**good_step, "afterDays": 0}]}, "steps.1.afterDays"),
        ({"steps": [{**good_step, "content": [{"language": "fr", "subject": "a", "body": "b"}]}]}, "steps"),
        (
            {"steps": [{**good_step, "content": [{"language": "he", "subject": "x" * 151, "body": "b"}]}]},
            "steps",
        ),
        ({"enabled": True}, "steps"),
        ({"steps": [good_step], "holdoutPercent": 51}, "holdoutPercent"),
        ({"steps": [good_step], "incentive": "POINTS"}, "incentivePoints"),
    ):
        errors = run(FLOW, staff, input=bad).data["loyaltyFlowUpdate"]["errors"]
        assert errors[0]["field"] == field, bad
    saved = run(FLOW, staff, input={"steps": [good_step], "enabled": True, "holdoutPercent": 20}).data
    assert saved["loyaltyFlowUpdate"]["flow"]["enabled"] is True
    flows = run('query { flows(channel: "il") { kind enabled } }', staff).data["flows"]
    assert {f["kind"]: f["enabled"] for f in flows}["WINBACK_LAPSED"] is True


def test_segment_settings_and_sizes(shop_floor, staff, club):
    update = """mutation($input: LoyaltySegmentSettingsInput!) {
      loyaltySegmentSettingsUpdate(channel: "il", input: $input) { errors { field } settings { atRiskFactor } } }"""
    bad = run(update, staff, input={"atRiskFactor": "4", "lapsedFactor": "3"}).data
    assert bad["loyaltySegmentSettingsUpdate"]["errors"][0]["field"] == "lapsedFactor"
    assert not SegmentSettings.objects.exists()
    good = run(update, staff, input={"atRiskFactor": "2.5", "lapsedFactor": "4"}).data
    assert good["loyaltySegmentSettingsUpdate"]["settings"]["atRiskFactor"] == 2.5
    sizes = run(
        'query { segmentSizes(channel: "il", since: "2026-11-01", until: "2026-11-30") { day segment size } }',
        staff,
    ).data["segmentSizes"]
    assert {"day": "2026-11-17", "segment": "AT_RISK", "size": 4} in sizes
    too_long = run(
        'query { segmentSizes(channel: "il", since: "2024-01-01", until: "2026-01-01") { size } }', staff
    )
    assert too_long.errors
