"""The KPI, liability, backtest and consent-evidence fields through the club schema, as staff call them."""

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.insights import rollups
from saleor_loyalty.insights.rollups import OrderRollupFacts
from saleor_loyalty.models import (
    ConsentEvent,
    ConsentImport,
    EvidenceAccess,
    LoyaltyProgram,
    NpsStatus,
    NpsSurvey,
    Referral,
    ReferralStatus,
)
from tests.engine.api import run
from tests.engine.graphql.test_authorization_matrix import snapshot

STAFF = Requestor(
    user_id=9,
    email="staff@shop.co.il",
    is_staff=True,
    permissions=frozenset({"MANAGE_USERS", "MANAGE_SETTINGS"}),
)
HEADER = "medium,address,action,occurred_at,wording,locale,origin,evidence"

KPIS = """query($channel: String!) { kpis(channel: $channel, since: "2026-03-01", until: "2026-03-31") {
  currency orders revenue { amount currency } memberAov { amount currency } guestAov { amount }
  months { month orders activeCustomers } membersCount points { issued redemptionRate } recoveryRate nps } }"""


def paid(total, user, channel, currency):
    return OrderRollupFacts(
        order_id=uuid.uuid4(), channel_slug=channel, currency=currency, user_id=user,
        email="guest@example.co.il", created_at=datetime(2026, 3, 10, 9, tzinfo=UTC),
        total_gross=Decimal(total), is_paid=True,
    )  # fmt: skip


def test_kpis_answer_each_channel_in_its_own_currency(club):
    LoyaltyProgram.objects.create(channel_slug="us", currency="USD", timezone="America/New_York")
    rollups.record_order(paid("300.00", 1, "il", "ILS"))
    rollups.record_order(paid("100.00", None, "il", "ILS"))
    rollups.record_order(paid("40.00", 1, "us", "USD"))
    israel = run(KPIS, STAFF, channel="il")
    assert not israel.errors, israel.errors
    data = israel.data["kpis"]
    assert (data["currency"], data["orders"], data["revenue"]) == (
        "ILS",
        2,
        {"amount": 400.0, "currency": "ILS"},
    )
    assert data["memberAov"] == {"amount": 300.0, "currency": "ILS"}
    assert data["guestAov"] == {"amount": 100.0}
    assert data["months"] == [{"month": "2026-03-01", "orders": 2, "activeCustomers": 2}]
    assert data["nps"] is None
    america = run(KPIS, STAFF, channel="us").data["kpis"]
    assert (america["currency"], america["revenue"]) == ("USD", {"amount": 40.0, "currency": "USD"})


def test_a_period_too_long_is_a_coded_error(club):
    result = run('query { kpis(channel: "il", since: "2020-01-01", until: "2026-01-01") { orders } }', STAFF)
    assert result.errors[0].extensions["exception"]["field"] == "until"


def test_liability_and_cohorts_answer(club):
    rollups.record_order(paid("300.00", 1, "il", "ILS"))
    result = run(
        'query { liability(channel: "il") { outstandingPoints total { amount currency } creditOnCards { amount } '
        "breakage { rate } } "
        'kpiCohorts(channel: "il", since: "2026-03-01", until: "2026-03-01") { size ltv { amount } cells { retention } } }',
        STAFF,
    )
    assert not result.errors, result.errors
    assert result.data["liability"]["total"] == {"amount": 0.0, "currency": "ILS"}
    assert result.data["liability"]["creditOnCards"] is None
    assert result.data["kpiCohorts"][0]["size"] == 1
    assert result.data["kpiCohorts"][0]["ltv"] == {"amount": 300.0}


def test_backtest_through_the_api_writes_nothing(club):
    before = snapshot()
    result = run(
        'query { ruleBacktest(channel: "il", months: 12, input: {earnRate: "2", tiers: [{name: "Base", '
        'entryThreshold: "0"}, {name: "VIP", entryThreshold: "500", earnMultiplier: "2"}]}) '
        "{ currency current { orders tierDistribution { tier members } } proposed { netPoints "
        "tierDistribution { tier } } } }",
        STAFF,
    )
    assert not result.errors, result.errors
    assert [t["tier"] for t in result.data["ruleBacktest"]["proposed"]["tierDistribution"]] == ["Base", "VIP"]
    assert snapshot() == before
    bad = run('query { ruleBacktest(channel: "il", months: 30, input: {}) { currency } }', STAFF)
    assert bad.errors[0].extensions["exception"]["field"] == "months"


def test_consent_import_and_export_through_the_api(club):
    lines = [
        HEADER,
        'email,dana@example.co.il,grant,2024-05-01T10:00:00+03:00,"Yes, club news",en,Old shop,form 7',
    ]
    mutation = 'mutation($lines: [String!]!) { loyaltyConsentImport(channel: "il", csvLines: $lines) { created alreadyImported rowErrors { row field code } errors { field code } } }'  # noqa: E501
    first = run(mutation, STAFF, lines=lines).data["loyaltyConsentImport"]
    again = run(mutation, STAFF, lines=lines).data["loyaltyConsentImport"]
    assert (first["created"], first["errors"], again["alreadyImported"]) == (1, [], 1)
    before = snapshot()
    bad = run(mutation, STAFF, lines=[HEADER, "email,nobody,grant,yesterday,,en,,"]).data[
        "loyaltyConsentImport"
    ]
    assert {(e["row"], e["field"], e["code"]) for e in bad["rowErrors"]} == {
        (1, "address", "INVALID"), (1, "occurredAt", "INVALID"), (1, "wording", "REQUIRED"),
        (1, "origin", "REQUIRED"), (1, "evidence", "REQUIRED"),
    }  # fmt: skip
    assert len(bad["errors"]) == 5
    assert snapshot() == before
    exported = run(
        'mutation { loyaltyConsentEvidenceExport(channel: "il", medium: EMAIL, address: "dana@example.co.il", '
        "format: JSON) { content filename errors { code } } }",
        STAFF,
    ).data["loyaltyConsentEvidenceExport"]
    assert json.loads(exported["content"])["events"][0]["import_origin"] == "Old shop"
    assert EvidenceAccess.objects.get().actor_label == "staff@shop.co.il"
    assert ConsentEvent.objects.count() == 1
    assert ConsentImport.objects.count() == 2


RATES = (
    """{ kpis(channel: "il", since: "2026-03-01", until: "2026-03-31") { membersActive referralRate nps } }"""
)
MARCH, APRIL, FEBRUARY = (datetime(2026, month, 12, 10, tzinfo=UTC) for month in (3, 4, 2))


def referral(program, status, rewarded_at):
    referrer = ledger.account_for(program, None, f"ref-{uuid.uuid4().hex[:8]}@example.co.il")
    return Referral.objects.create(
        program=program, referrer=referrer, code="ABC", checkout_token=uuid.uuid4(), status=status,
        rewarded_at=rewarded_at, reversed_at=MARCH if status == ReferralStatus.REVERSED else None,
    )  # fmt: skip


def answer(score, at, channel="il"):
    NpsSurvey.objects.create(
        order_id=uuid.uuid4(), channel_slug=channel, email="a@example.co.il", due_at=at, score=score,
        answered_at=at, status=NpsStatus.ANSWERED,
    )  # fmt: skip


def test_referral_rate_and_nps_by_hand_count(club):
    for user in (1, 2, 3):  # three members ordered in March
        rollups.record_order(paid("100.00", user, "il", "ILS"))
    rollups.record_order(paid("50.00", None, "il", "ILS"))  # a guest: not a member
    referral(club, ReferralStatus.REWARDED, MARCH)  # counts
    referral(club, ReferralStatus.REWARDED, APRIL)  # outside the period
    referral(club, ReferralStatus.REVERSED, MARCH)  # rewarded, then taken back: not counted
    referral(club, ReferralStatus.ORDERED, None)  # not rewarded yet
    for score in (10, 9, 7, 3):  # 2 promoters, 1 passive, 1 detractor: (2 - 1) / 4 = 25
        answer(score, MARCH)
    answer(0, FEBRUARY)  # outside the period
    answer(0, MARCH, channel="us")  # another channel
    data = run(RATES, STAFF).data["kpis"]
    assert data == {"membersActive": 3, "referralRate": 0.3333, "nps": 25.0}


def test_rates_are_null_without_members_or_answers(club):
    referral(club, ReferralStatus.REWARDED, MARCH)
    assert run(RATES, STAFF).data["kpis"] == {"membersActive": 0, "referralRate": None, "nps": None}
