"""The club schema without Saleor: permissions, typed errors, and that bad input writes nothing."""

import graphene
import pytest

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.models import LedgerEntry, LoyaltyProgram
from tests.engine.api import run

ME = """query($channel: String!, $after: String) { me(channel: $channel) {
  points { available pending lifetime debt } pointsValue { amount currency } nextExpiring { points expiresAt }
  transactions(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor }
    edges { node { kind points reason } } } } }"""
ADJUST = """mutation($channel: String!, $userId: ID!, $points: Int!, $reason: String!, $key: String) {
  loyaltyPointsAdjust(channel: $channel, userId: $userId, points: $points, reason: $reason, idempotencyKey: $key) {
    errors { field message code } transaction { points kind } member { points { available } } } }"""
PROGRAM_UPDATE = """mutation($channel: String!, $input: LoyaltyProgramInput!) {
  loyaltyProgramUpdate(channel: $channel, input: $input) {
    errors { field message code } program { earnRate pointValue { amount currency } pendingDays } } }"""


def gid(user):
    return graphene.Node.to_global_id("User", user.pk)


def test_me_shows_points_value_and_paginated_history(program, customer, make_order):
    program.pending_days = 0
    program.save()
    for _ in range(3):
        ledger.sync_order(make_order(user=customer))
    me = Requestor(user_id=customer.pk, email=customer.email)

    first = run(ME, me, channel="il")
    data = first.data["me"]
    second = run(ME, me, channel="il", after=data["transactions"]["pageInfo"]["endCursor"]).data["me"]

    assert first.errors is None
    assert data["points"] == {"available": 450, "pending": 0, "lifetime": 450, "debt": 0}
    assert data["pointsValue"] == {"amount": 22.5, "currency": "ILS"}
    assert data["nextExpiring"] == {"points": 450, "expiresAt": "2027-03-10T23:59:59.999999+02:00"}
    assert data["transactions"]["totalCount"] == 3
    assert data["transactions"]["pageInfo"]["hasNextPage"] is True
    assert len(second["transactions"]["edges"]) == 1
    assert second["transactions"]["pageInfo"]["hasNextPage"] is False


def test_me_for_anonymous_is_a_typed_error(program):
    result = run(ME, Requestor(), channel="il")

    assert result.data["me"] is None
    assert result.errors[0].extensions["exception"]["code"] == "UNAUTHENTICATED"


def test_me_with_forged_cursor_is_a_typed_error(program, customer):
    result = run(ME, Requestor(user_id=customer.pk), channel="il", after="bm90LWEtY3Vyc29y")

    assert result.errors[0].extensions["exception"]["field"] == "after"


def test_adjust_requires_manage_users(program, customer):
    customer_requestor = Requestor(user_id=customer.pk, permissions=frozenset({"MANAGE_SETTINGS"}))

    result = run(ADJUST, customer_requestor, channel="il", userId=gid(customer), points=10, reason="x")

    assert result.data["loyaltyPointsAdjust"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert not LedgerEntry.objects.exists()


def test_app_with_manage_users_can_adjust_and_is_recorded(program, customer):
    app = Requestor(app_id=7, app_name="crm", permissions=frozenset({"MANAGE_USERS"}))

    result = run(ADJUST, app, channel="il", userId=gid(customer), points=40, reason="Welcome bonus")

    payload = result.data["loyaltyPointsAdjust"]
    assert payload["errors"] == []
    assert payload["transaction"] == {"points": 40, "kind": "ADJUSTMENT"}
    entry = LedgerEntry.objects.get()
    assert (entry.actor_app_id, entry.actor_label) == (7, "app:crm")


def test_adjust_with_same_idempotency_key_adjusts_once(program, customer, staff):
    for _ in range(3):
        run(ADJUST, staff, channel="il", userId=gid(customer), points=15, reason="sorry", key="ticket-9")

    assert LedgerEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("points", "reason", "user", "channel", "code", "field"),
    [
        (0, "zero", "customer", "il", "OUT_OF_RANGE", "points"),
        (1_000_001, "huge", "customer", "il", "OUT_OF_RANGE", "points"),
        (-5, "deduct more than held", "customer", "il", "INSUFFICIENT_POINTS", "points"),
        (10, "   ", "customer", "il", "REQUIRED", "reason"),
        (10, "unknown channel", "customer", "nowhere", "CHANNEL_NOT_FOUND", "channel"),
        (10, "unknown user", "VXNlcjo5OTk5OTk=", "il", "NOT_FOUND", "userId"),
        (10, "not a user id", "T3JkZXI6MQ==", "il", "NOT_FOUND", "userId"),
    ],
)
def test_bad_adjustments_are_typed_errors_and_write_nothing(
    program, customer, staff, points, reason, user, channel, code, field
):
    user_id = gid(customer) if user == "customer" else user

    result = run(ADJUST, staff, channel=channel, userId=user_id, points=points, reason=reason)

    error = result.data["loyaltyPointsAdjust"]["errors"][0]
    assert (error["code"], error["field"]) == (code, field)
    assert not LedgerEntry.objects.exists()


def test_non_integer_points_are_rejected_before_anything_runs(program, customer, staff):
    result = run(
        ADJUST.replace("$points: Int!", "$points: Float!"),
        staff,
        channel="il",
        userId=gid(customer),
        points=1.5,
        reason="half",
    )

    assert result.errors
    assert "Int" in str(result.errors[0])
    assert not LedgerEntry.objects.exists()


def test_program_update_changes_settings_for_manage_settings(program, staff):
    result = run(
        PROGRAM_UPDATE,
        staff,
        channel="il",
        input={"earnRate": "2", "pointValue": {"amount": "0.10", "currency": "ILS"}, "pendingDays": 0},
    )

    payload = result.data["loyaltyProgramUpdate"]
    assert payload["errors"] == []
    assert payload["program"] == {
        "earnRate": 2.0,
        "pointValue": {"amount": 0.1, "currency": "ILS"},
        "pendingDays": 0,
    }


@pytest.mark.parametrize(
    ("program_input", "code", "field"),
    [
        (
            {"pointValue": {"amount": "0.10", "currency": "USD"}, "pendingDays": 0},
            "CURRENCY_MISMATCH",
            "pointValue",
        ),
        ({"earnRate": "-1", "pendingDays": 0}, "INVALID", "earnRate"),
        ({"pendingDays": -3}, "INVALID", "pendingDays"),
        ({"timezone": "Mars/Olympus", "pendingDays": 0}, "INVALID", "timezone"),
    ],
)
def test_bad_program_update_writes_nothing(program, staff, program_input, code, field):
    result = run(PROGRAM_UPDATE, staff, channel="il", input=program_input)

    error = result.data["loyaltyProgramUpdate"]["errors"][0]
    assert (error["code"], error["field"]) == (code, field)
    program.refresh_from_db()
    assert program.pending_days == 14


def test_program_update_requires_manage_settings(program):
    users_only = Requestor(user_id=1, is_staff=True, permissions=frozenset({"MANAGE_USERS"}))

    result = run(PROGRAM_UPDATE, users_only, channel="il", input={"pendingDays": 0})

    assert result.data["loyaltyProgramUpdate"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert LoyaltyProgram.objects.get().pending_days == 14
