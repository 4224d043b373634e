"""An idempotency key names one request: repeating it changes nothing, reusing it for another request is refused."""

import graphene
import pytest

from saleor_loyalty import ledger
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.models import LedgerEntry
from tests.engine.api import run

ADJUST = """mutation($userId: ID!, $points: Int!, $reason: String!, $key: String) {
  loyaltyPointsAdjust(channel: "il", userId: $userId, points: $points, reason: $reason, idempotencyKey: $key) {
    errors { field code } transaction { points } } }"""


def test_the_same_key_with_the_same_request_adjusts_once(program, customer, staff):
    user_id = graphene.Node.to_global_id("User", customer.pk)
    for _ in range(2):
        result = run(ADJUST, staff, userId=user_id, points=50, reason="goodwill", key="ticket-1")
        assert result.data["loyaltyPointsAdjust"]["errors"] == []
    assert list(LedgerEntry.objects.values_list("points", flat=True)) == [50]


@pytest.mark.parametrize(("points", "reason"), [(500, "goodwill"), (50, "another reason")])
def test_the_same_key_with_another_request_is_a_conflict_and_writes_nothing(
    program, customer, staff, points, reason
):
    user_id = graphene.Node.to_global_id("User", customer.pk)
    run(ADJUST, staff, userId=user_id, points=50, reason="goodwill", key="ticket-1")

    result = run(ADJUST, staff, userId=user_id, points=points, reason=reason, key="ticket-1")

    assert result.data["loyaltyPointsAdjust"]["errors"] == [
        {"field": "idempotencyKey", "code": "IDEMPOTENCY_CONFLICT"}
    ]
    assert list(LedgerEntry.objects.values_list("points", flat=True)) == [50]


def test_a_replayed_deduction_is_not_refused_for_the_points_it_already_took(program, customer):
    account = ledger.account_for(program, customer.pk, customer.email)
    ledger.adjust_points(account, 100, "welcome", ledger.SYSTEM, "welcome")
    ledger.adjust_points(account, -100, "spent at the counter", ledger.SYSTEM, "till-7")

    replay = ledger.adjust_points(account, -100, "spent at the counter", ledger.SYSTEM, "till-7")

    assert replay.points == -100
    account.refresh_from_db()
    assert account.balance == 0


def test_an_over_long_key_is_refused(program, customer):
    account = ledger.account_for(program, customer.pk, customer.email)
    with pytest.raises(LoyaltyError, match="1-128 characters"):
        ledger.adjust_points(account, 10, "goodwill", ledger.SYSTEM, "k" * 129)
