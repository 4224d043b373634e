"""`actionPointsCountTowardTiers`: off by default; on, in a points-basis program, action awards count in the
upgrade at award time, in `me` progress, in the member list and in the nightly job, all by one rule."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Actor, Requestor
from saleor_loyalty.engagement import actions
from saleor_loyalty.engagement.catalogue import find_action
from saleor_loyalty.exceptions import InvalidProgramSetting
from saleor_loyalty.ledger import programs
from saleor_loyalty.members.snapshot import with_totals
from saleor_loyalty.models import (
    BuiltinAction,
    LoyaltyAccount,
    LoyaltyProgram,
    TierBasis,
    TierCause,
    TierEvent,
)
from saleor_loyalty.tiers import evaluation as tier_evaluation
from saleor_loyalty.tiers import ladder as tiers
from tests.engine.api import run

STAFF_ACTOR = Actor(user_id=1, label="staff@shop.co.il")
SETTINGS_STAFF = Requestor(user_id=1, is_staff=True, permissions=frozenset({"MANAGE_SETTINGS"}))
ME = """query { me(channel: "il") { tier { name } progress { basis current target remaining } } }"""
UPDATE = """mutation($input: LoyaltyProgramInput!) { loyaltyProgramUpdate(channel: "il", input: $input) {
  errors { field code } program { actionPointsCountTowardTiers } } }"""


@pytest.fixture
def by_points(actions_on):
    """Gold from 2,000 points (the default ladder's threshold), measured in points."""
    actions_on.tier_basis = TierBasis.POINTS
    actions_on.save()
    return actions_on


def counting(program: LoyaltyProgram, on: bool) -> LoyaltyProgram:
    programs.update_program(program, action_points_count_toward_tiers=on)
    return LoyaltyProgram.objects.get(pk=program.pk)


def member_at_1950(program, customer) -> LoyaltyAccount:
    """1,950 points of staff adjustment: one 100-point share short of nothing, a share past Gold."""
    account = ledger.account_for(program, customer.pk, customer.email)
    ledger.adjust_points(account, 1950, "Opening balance", STAFF_ACTOR)
    return account


def share(program, account, visitor="v1"):
    action = find_action(program, BuiltinAction.SOCIAL_SHARE)
    return actions.award(action, account, object_id="link-1", occurrence=visitor)


def tier_of(customer) -> str:
    account = LoyaltyAccount.objects.select_related("tier").get(user=customer)
    return account.tier.name if account.tier else "Regular"


def amounts(program, account, now):
    """The same member's amount as each path reads it: accrual's, the batch job's and the member list's."""
    one = tiers.qualifying_amount(program, account, now)
    batch = tiers.qualifying_amounts(program, [account.pk], now)[account.pk]
    listed = with_totals(LoyaltyAccount.objects.filter(pk=account.pk), program, now, qualification=True)
    return one, batch, listed.get().qualifying_sum


def test_by_default_action_points_do_not_count(by_points, customer):
    account = member_at_1950(by_points, customer)

    assert share(by_points, account).awarded
    now = datetime.now(UTC)
    tier_evaluation.evaluate_program(by_points, now)

    assert LoyaltyProgram.objects.get(pk=by_points.pk).action_points_count_toward_tiers is False
    assert tier_of(customer) == "Regular"
    one, batch, listed = amounts(by_points, account, now)
    assert one == batch == Decimal(1950)
    assert Decimal(listed).quantize(tiers.AMOUNT_PLACES) == Decimal(1950)
    me = run(ME, Requestor(user_id=customer.pk, email=customer.email)).data["me"]
    assert me["progress"]["current"] == 1950.0


def test_counted_an_award_crossing_gold_upgrades_at_once(by_points, customer):
    program = counting(by_points, True)
    account = member_at_1950(program, customer)

    assert share(program, account).awarded

    assert tier_of(customer) == "Gold"
    event = TierEvent.objects.get(cause=TierCause.ACTION_UPGRADE)
    assert event.qualifying_amount == Decimal(2050)
    one, batch, listed = amounts(program, account, datetime.now(UTC))
    assert one == batch == Decimal(2050)
    assert Decimal(listed) == Decimal(2050)


def test_counted_me_progress_includes_action_points(by_points, customer):
    program = counting(by_points, True)
    account = ledger.account_for(program, customer.pk, customer.email)
    share(program, account, "v1")
    share(program, account, "v2")

    me = run(ME, Requestor(user_id=customer.pk, email=customer.email)).data["me"]

    assert me["progress"] == {"basis": "POINTS", "current": 200.0, "target": 2000.0, "remaining": 1800.0}


def test_switching_it_on_lets_the_nightly_job_count_earlier_awards(by_points, customer):
    account = member_at_1950(by_points, customer)
    share(by_points, account)
    assert tier_of(customer) == "Regular"

    program = counting(by_points, True)
    tier_evaluation.evaluate_program(program, datetime.now(UTC) + timedelta(minutes=1))

    assert tier_of(customer) == "Gold"
    assert TierEvent.objects.filter(cause=TierCause.EVALUATION_UPGRADE).count() == 1


def test_switching_it_off_counts_them_out_everywhere(by_points, customer):
    program = counting(by_points, True)
    account = member_at_1950(program, customer)
    share(program, account)
    program = counting(program, False)

    assert amounts(program, account, datetime.now(UTC))[:2] == (Decimal(1950), Decimal(1950))


def test_a_spend_basis_program_never_counts_action_points(actions_on, customer, make_order):
    program = counting(actions_on, True)
    account = ledger.account_for(program, customer.pk, customer.email)
    share(program, account)

    assert tiers.qualifying_amount(program, account, datetime.now(UTC)) == 0
    assert not TierEvent.objects.exists()


def test_staff_set_it_through_graphql(by_points):
    result = run(UPDATE, SETTINGS_STAFF, input={"actionPointsCountTowardTiers": True})

    assert result.errors is None
    assert result.data["loyaltyProgramUpdate"] == {
        "errors": [],
        "program": {"actionPointsCountTowardTiers": True},
    }


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_it_is_strictly_a_boolean(by_points, value):
    with pytest.raises(InvalidProgramSetting):
        programs.update_program(by_points, action_points_count_toward_tiers=value, pending_days=0)

    by_points.refresh_from_db()
    assert (by_points.action_points_count_toward_tiers, by_points.pending_days) == (False, 14)


def test_a_string_is_refused_by_the_schema(by_points):
    result = run(UPDATE, SETTINGS_STAFF, input={"actionPointsCountTowardTiers": "yes"})

    assert result.errors is not None
    assert LoyaltyProgram.objects.get(pk=by_points.pk).action_points_count_toward_tiers is False
