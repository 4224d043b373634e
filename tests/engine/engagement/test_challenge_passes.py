"""The challenges beat job: after a full pass, a pass visits only members whose facts changed since."""

import dataclasses
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.engagement import challenge_passes, challenge_rewards, challenge_settings
from saleor_loyalty.models import (
    Challenge,
    ChallengeCompletion,
    ChallengePass,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    OrderCategories,
)
from tests.engine.engagement.challenge_shop import day, local

NOW = local(2026, 3, 25, 10)
# Rows are stamped with their transaction's start (`now()`): each write needs its own transaction here.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_in_march(program):
    return challenge_settings.create_challenge(
        program,
        name="Two in March",
        metric="paid_orders",
        target=2,
        starts_on=day("2026-03-01"),
        ends_on=day("2026-03-31"),
        reward_points=10,
    )


def ledger_only_order(make_order, paid_on: int, **who):
    """A paid order the ledger synced while its challenge hook was lost: only the beat job can see it."""
    facts = make_order(lines=(("Item", "100.00"),), shipping="0", **who)
    facts = dataclasses.replace(facts, paid_at=local(2026, 3, paid_on, 10))
    ledger.sync_order(facts)
    return facts


def members(count: int):
    return [
        get_user_model().objects.create(username=f"p{i}", email=f"p{i}@example.co.il") for i in range(count)
    ]


@pytest.fixture(autouse=True)
def no_margin(monkeypatch):
    """Facts here are recorded seconds apart: without the safety margin, "since the last pass" is exact."""
    monkeypatch.setattr(challenge_passes, "SINCE_MARGIN", timedelta(0))


def run():
    return challenge_passes.evaluate_all(now=NOW, batch_size=2)["il"]


def test_a_pass_after_the_first_visits_only_members_with_new_facts(program, make_order, two_in_march):
    users = members(5)
    for user in users:
        ledger_only_order(make_order, 2, user=user)
    first = run()
    assert (first.full, first.members, first.completed, first.passes_finished) == (True, 5, 0, 1)

    ledger_only_order(make_order, 9, user=users[3])
    second = run()
    assert (second.full, second.members, second.completed, second.passes_finished) == (False, 1, 1, 1)
    assert ChallengeCompletion.objects.get().account.user == users[3]

    # The pass's own reward rows are no new fact: a quiet day visits nobody.
    quiet = run()
    assert (quiet.full, quiet.members, quiet.passes_finished) == (False, 0, 1)


def test_a_pass_resumes_where_it_stopped_and_keeps_its_watermark(program, make_order, two_in_march):
    users = members(5)
    for user in users:
        ledger_only_order(make_order, 2, user=user)
    run()
    for user in users:
        ledger_only_order(make_order, 3, user=user)
    part = challenge_passes.evaluate_program(program, NOW, batch_size=2, max_batches=2)
    assert (part.full, part.members, part.completed, part.passes_finished) == (False, 4, 4, 0)
    rest = challenge_passes.evaluate_program(program, NOW, batch_size=2)
    assert (rest.members, rest.completed, rest.passes_finished) == (1, 1, 1)
    assert ChallengeCompletion.objects.count() == 5


def test_a_changed_challenge_or_a_week_makes_the_next_pass_full(program, make_order, two_in_march):
    for user in members(3):
        ledger_only_order(make_order, 2, user=user)
    run()
    assert run().members == 0

    challenge_settings.create_challenge(
        program, name="One", metric="paid_orders", target=1, starts_on=day("2026-03-01"), reward_points=5
    )
    after_change = run()
    assert (after_change.full, after_change.members, after_change.completed) == (True, 3, 3)
    assert run().members == 0

    ChallengePass.objects.update(
        full_from=ChallengePass.objects.get().full_from - challenge_passes.FULL_PASS_EVERY
    )
    weekly = run()
    assert (weekly.full, weekly.members, weekly.completed) == (True, 3, 0)


def test_facts_recorded_just_before_a_pass_began_are_looked_at_again(
    program, make_order, two_in_march, monkeypatch
):
    """A transaction that stamped its rows before the pass began may commit after the pass read them."""
    for user in members(3):
        ledger_only_order(make_order, 2, user=user)
    run()
    monkeypatch.setattr(challenge_passes, "SINCE_MARGIN", timedelta(minutes=15))
    a_day_ago = timezone.now() - timedelta(days=1)  # the club and its challenge are older than the margin
    Challenge.objects.update(updated_at=a_day_ago)
    LoyaltyProgram.objects.update(updated_at=a_day_ago)
    again = run()
    assert (again.full, again.members) == (False, 3)


def test_categories_recorded_late_are_new_facts(program, make_order, customer):
    challenge_settings.create_challenge(
        program, name="New", metric="new_category", target=1, starts_on=day("2026-03-01"), reward_points=5
    )
    order = ledger_only_order(make_order, 2, user=customer)
    assert run().completed == 0

    challenge_rewards.record_order_categories(order, [7], None)  # before the account was known
    late = run()
    assert (late.full, late.members, late.completed) == (False, 1, 1)


def test_a_guest_merged_in_since_the_last_pass_makes_its_member_visited(
    program, make_order, customer, two_in_march
):
    ledger_only_order(make_order, 2, user=customer)
    ledger_only_order(make_order, 3, email="dana.shop@example.co.il")
    assert run().completed == 0  # two accounts with one order each
    guest = LoyaltyAccount.objects.get(user=None)
    ledger.adjust_points(guest, -guest.balance, "Spent before signing up", ledger.SYSTEM)
    assert run().members == 1  # the guest's adjustment

    merged = ledger.attach_guest_accounts(customer.pk, "dana.shop@example.co.il")
    assert merged[0].user == customer
    assert not LedgerEntry.objects.filter(kind__in=(EntryKind.MERGE_IN, EntryKind.MERGE_OUT)).exists()
    after_merge = run()
    assert (after_merge.full, after_merge.members, after_merge.completed) == (False, 1, 1)
    assert ChallengeCompletion.objects.get().account == merged[0]


def test_categories_recorded_before_the_earn_get_its_account_when_the_hook_runs_again(
    program, make_order, customer
):
    order = make_order(lines=(("Item", "100.00"),), shipping="0", user=customer)
    challenge_rewards.record_order_categories(order, [7], None)  # the earn was not there yet
    ledger.sync_order(order)
    challenge_rewards.on_order(order, [7, 8])

    recorded = OrderCategories.objects.get()
    assert (recorded.account, recorded.category_ids) == (LoyaltyAccount.objects.get(user=customer), [7])


def test_a_merged_guests_order_keeps_its_categories_on_the_guest_account_that_holds_the_earn(
    program, make_order, customer
):
    order = ledger_only_order(make_order, 2, email="dana.shop@example.co.il")
    guest = LoyaltyAccount.objects.get(user=None)
    ledger.attach_guest_accounts(customer.pk, "dana.shop@example.co.il")
    challenge_rewards.on_order(order, [7])

    assert OrderCategories.objects.get().account == guest
