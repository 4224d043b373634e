"""Recording actions: one ledger row per action, member and object; caps in the program's days; keys that
conflict; the program switch; the exact `detail` shape challenges count."""

from datetime import UTC, datetime, timedelta

import graphene
import pytest

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.engagement import actions, catalogue
from saleor_loyalty.exceptions import IdempotencyConflict, LoyaltyError, ProgramInactive
from saleor_loyalty.ledger import programs
from saleor_loyalty.members.summary import summarize
from saleor_loyalty.models import (
    ActionOutcome,
    ActionRecording,
    BuiltinAction,
    ClubAction,
    EntryKind,
    LedgerEntry,
)
from tests.concurrency import run_concurrently
from tests.engine.api import run
from tests.engine.engagement.conftest import APP
from tests.engine.graphql.test_authorization_matrix import snapshot

REVIEW = BuiltinAction.PRODUCT_REVIEW
# 22:30 UTC on 9 March is already 00:30 on 10 March in Jerusalem (UTC+2 in winter).
NIGHT = datetime(2026, 3, 9, 22, 30, tzinfo=UTC)
RECORD = """mutation($userId: ID!, $action: String!, $objectId: String, $key: String!) {
  loyaltyActionRecord(channel: "il", action: $action, userId: $userId, objectId: $objectId, idempotencyKey: $key) {
    errors { field code } outcome transaction { points kind } member { points { available pending lifetime } } } }"""


def gid(user):
    return graphene.Node.to_global_id("User", user.pk)


def action_rows(account=None):
    rows = LedgerEntry.objects.filter(kind=EntryKind.ACTION)
    return rows.filter(account=account) if account else rows


@pytest.fixture
def member(actions_on, customer):
    return ledger.account_for(actions_on, customer.pk, customer.email)


def record(member, key, object_id="", idem="k", now=None, action=REVIEW):
    return actions.record(member.program, action, member, object_id, idem, APP.as_actor(), now=now)


def test_the_same_review_delivered_twice_awards_once(member):
    # when an app sends the same review twice (a retry with the same key) and once more with a new key
    first = record(member, REVIEW, "product-1", idem="review-77")
    retry = record(member, REVIEW, "product-1", idem="review-77")
    second_delivery = record(member, REVIEW, "product-1", idem="review-77-again")

    # then one row of 50 points, the retry answers the first outcome, the new key is "awarded before"
    assert (first.outcome, retry.outcome) == (ActionOutcome.AWARDED, ActionOutcome.AWARDED)
    assert second_delivery.outcome == ActionOutcome.ALREADY_AWARDED
    assert retry.entry.pk == first.entry.pk == second_delivery.entry.pk
    assert action_rows(member).count() == 1
    member.refresh_from_db()
    assert member.balance == 50
    assert ledger.reconcile_account(member) == 0


def test_an_award_row_has_the_shape_challenges_count(member):
    entry = record(member, REVIEW, "product-1").entry

    assert entry.kind == EntryKind.ACTION
    assert entry.detail == {"action": "product_review", "object": "product-1"}
    assert entry.source_key == f"action:product_review:{member.pk}:product-1"
    assert entry.actor_label == "app:Reviews app"


def test_objectless_builtin_hooks_award_once(member, customer):
    # when Saleor tells us twice that the account was created
    first = actions.record_builtin(BuiltinAction.ACCOUNT_CREATED, customer.pk, customer.email)
    again = actions.record_builtin(BuiltinAction.ACCOUNT_CREATED, customer.pk, customer.email)

    assert [r.outcome for r in first] == [ActionOutcome.AWARDED]
    assert [r.outcome for r in again] == [ActionOutcome.ALREADY_AWARDED]
    assert action_rows(member).get().detail == {"action": "account_created", "object": ""}


def test_reviews_past_the_daily_cap_wait_for_the_next_local_day(member):
    # given the review cap of 3 a day (Jerusalem days)
    outcomes = [record(member, REVIEW, f"p{i}", idem=f"r{i}", now=NIGHT).outcome for i in range(4)]
    # 23:30 UTC on 9 March is still 10 March in Jerusalem: capped; 22:30 UTC on 10 March is 11 March
    same_local_day = record(member, REVIEW, "p9", idem="r9", now=NIGHT + timedelta(hours=1))
    next_local_day = record(member, REVIEW, "p10", idem="r10", now=NIGHT + timedelta(days=1))

    assert outcomes == [ActionOutcome.AWARDED] * 3 + [ActionOutcome.CAPPED]
    assert same_local_day.outcome == ActionOutcome.CAPPED
    assert next_local_day.outcome == ActionOutcome.AWARDED
    assert action_rows(member).count() == 4


def test_the_day_before_in_jerusalem_is_another_day(member):
    # 21:59 UTC on 9 March is 23:59 on 9 March locally: the day before the three reviews
    for i in range(3):
        record(member, REVIEW, f"p{i}", idem=f"r{i}", now=NIGHT)
    earlier_local_day = record(member, REVIEW, "p5", idem="r5", now=NIGHT - timedelta(minutes=31))

    assert earlier_local_day.outcome == ActionOutcome.AWARDED


def test_monthly_and_lifetime_caps(member):
    ClubAction.objects.filter(key=REVIEW).update(cap_per_day=None, cap_per_month=2)
    march = [record(member, REVIEW, f"p{i}", idem=f"m{i}", now=NIGHT).outcome for i in range(3)]
    april = record(member, REVIEW, "p-april", idem="a1", now=datetime(2026, 3, 31, 22, 30, tzinfo=UTC))
    assert march == [ActionOutcome.AWARDED, ActionOutcome.AWARDED, ActionOutcome.CAPPED]
    assert april.outcome == ActionOutcome.AWARDED  # 1 April already in Jerusalem

    ClubAction.objects.filter(key=REVIEW).update(cap_per_month=None, cap_lifetime=3)
    later = record(member, REVIEW, "p-june", idem="j1", now=datetime(2026, 6, 1, tzinfo=UTC))
    assert later.outcome == ActionOutcome.CAPPED
    assert action_rows(member).count() == 3


def test_one_review_per_product_per_member(member, customer, django_user_model):
    other = django_user_model.objects.create(username="noa", email="noa@example.co.il")
    other_member = ledger.account_for(member.program, other.pk, other.email)

    assert record(member, REVIEW, "product-1", idem="a").outcome == ActionOutcome.AWARDED
    assert record(member, REVIEW, "product-1", idem="b").outcome == ActionOutcome.ALREADY_AWARDED
    assert record(member, REVIEW, "product-2", idem="c").outcome == ActionOutcome.AWARDED
    assert record(other_member, REVIEW, "product-1", idem="d").outcome == ActionOutcome.AWARDED


def test_a_per_object_action_needs_its_object(member):
    with pytest.raises(LoyaltyError) as refused:
        record(member, REVIEW, "")
    assert refused.value.field == "object_id"
    assert not action_rows().exists()
    assert not ActionRecording.objects.exists()


def test_the_same_key_with_other_arguments_is_a_conflict(member):
    record(member, REVIEW, "product-1", idem="k1")
    with pytest.raises(IdempotencyConflict):
        record(member, REVIEW, "product-2", idem="k1")
    assert action_rows(member).count() == 1


def test_a_repeatable_custom_action_awards_per_key_within_its_caps(member):
    catalogue.create_action(
        member.program, key="quiz", name_en="Weekly quiz", points=10, cap_per_day=2, is_enabled=True
    )

    results = [record(member, "quiz", "", idem=f"quiz-{i}", action="quiz").outcome for i in range(3)]
    retry = record(member, "quiz", "", idem="quiz-0", action="quiz")

    assert results == [ActionOutcome.AWARDED, ActionOutcome.AWARDED, ActionOutcome.CAPPED]
    assert retry.outcome == ActionOutcome.AWARDED
    assert action_rows(member).count() == 2


def test_a_switched_off_action_awards_nothing(member):
    ClubAction.objects.filter(key=REVIEW).update(is_enabled=False)
    assert record(member, REVIEW, "product-1").outcome == ActionOutcome.DISABLED
    assert not action_rows().exists()


def test_an_inactive_program_records_nothing(member, customer):
    programs.update_program(member.program, is_active=False)
    member.program.refresh_from_db()

    with pytest.raises(ProgramInactive):
        record(member, REVIEW, "product-1")
    assert actions.record_builtin(BuiltinAction.ACCOUNT_CREATED, customer.pk, customer.email) == []
    assert not action_rows().exists()
    assert not ActionRecording.objects.exists()


def test_pending_days_keep_the_points_pending(member):
    entry = record(member, REVIEW, "product-1").entry
    member.refresh_from_db()

    points = summarize(member)
    assert entry.available_at - entry.occurred_at == timedelta(days=14)
    assert (points.pending, points.available) == (50, 0)
    assert summarize(member, entry.available_at + timedelta(seconds=1)).available == 50


@pytest.mark.django_db(transaction=True)
def test_a_double_click_from_many_workers_awards_once(actions_on, customer):
    member = ledger.account_for(actions_on, customer.pk, customer.email)

    run_concurrently(lambda i: record(member, REVIEW, "product-1", idem=f"click-{i}"), 6)

    assert action_rows(member).count() == 1
    member.refresh_from_db()
    assert member.balance == 50
    assert ledger.reconcile_account(member) == 0


def test_an_app_records_a_review_through_the_api_once(member, customer):
    variables = {"userId": gid(customer), "action": REVIEW, "objectId": "product-1", "key": "review-1"}

    first = run(RECORD, APP, **variables).data["loyaltyActionRecord"]
    again = run(RECORD, APP, **variables).data["loyaltyActionRecord"]
    conflict = run(RECORD, APP, **{**variables, "objectId": "product-2"}).data["loyaltyActionRecord"]

    assert first["errors"] == []
    assert first["outcome"] == "AWARDED"
    assert first["transaction"] == {"points": 50, "kind": "ACTION"}
    assert first["member"]["points"] == {"available": 0, "pending": 50, "lifetime": 0}
    assert again["outcome"] == "AWARDED"
    assert again["member"]["points"]["pending"] == 50
    assert conflict["errors"] == [{"field": "idempotencyKey", "code": "IDEMPOTENCY_CONFLICT"}]
    assert action_rows().count() == 1


def test_a_customer_cannot_record_their_own_action(member, customer):
    before = snapshot()
    me = Requestor(user_id=customer.pk, email=customer.email)

    result = run(RECORD, me, userId=gid(customer), action=REVIEW, objectId="product-1", key="self")

    assert result.data["loyaltyActionRecord"]["errors"] == [{"field": None, "code": "PERMISSION_DENIED"}]
    assert snapshot() == before


def test_unknown_actions_and_long_objects_are_typed_errors(member, customer):
    unknown = run(RECORD, APP, userId=gid(customer), action="nope", objectId="x", key="k1")
    too_long = run(RECORD, APP, userId=gid(customer), action=REVIEW, objectId="p" * 81, key="k2")

    assert unknown.data["loyaltyActionRecord"]["errors"] == [{"field": "action", "code": "NOT_FOUND"}]
    assert too_long.data["loyaltyActionRecord"]["errors"] == [{"field": "objectId", "code": "INVALID"}]
    assert not action_rows().exists()


def test_an_action_award_is_pending_wherever_the_member_is_shown(member, customer, staff):
    # given a review award still inside its 14 pending days
    record(member, REVIEW, "product-1")
    me = run('{ me(channel: "il") { points { available pending } } }', Requestor(user_id=customer.pk))
    listed = run(
        '{ members(channel: "il", first: 5) { edges { node { points { available pending } } } } }', staff
    )

    # then the member's own page and the staff list agree with the ledger's pending rule
    assert me.errors is None
    assert me.data["me"]["points"] == {"available": 0, "pending": 50}
    assert listed.data["members"]["edges"][0]["node"]["points"] == {"available": 0, "pending": 50}
