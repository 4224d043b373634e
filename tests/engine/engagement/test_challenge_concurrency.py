"""Order events of one member arriving at once on several workers: the challenge rewards once."""

import dataclasses

import pytest
from django.contrib.auth import get_user_model

from saleor_loyalty import ledger
from saleor_loyalty.engagement import challenge_passes, challenge_rewards, challenge_settings
from saleor_loyalty.models import (
    Badge,
    BadgeAward,
    ChallengeCompletion,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
)
from tests.concurrency import run_concurrently
from tests.engine.engagement.challenge_shop import day, local

WORKERS = 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_order_events_complete_a_challenge_once(program, customer, make_order):
    badge = Badge.objects.create(program=program, name="Regular")
    challenge_settings.create_challenge(
        program,
        name="Three orders",
        metric="paid_orders",
        target=3,
        starts_on=day("2026-03-01"),
        ends_on=day("2026-03-31"),
        reward_points=100,
        badge_id=badge.pk,
    )
    orders = [
        dataclasses.replace(
            make_order(lines=(("Item", "100.00"),), shipping="0", user=customer),
            paid_at=local(2026, 3, 2 + i, 10),
        )
        for i in range(WORKERS)
    ]

    def deliver(i):  # each worker: the order's sync, its challenge hook, and a replay of another's event
        ledger.sync_order(orders[i])
        challenge_rewards.on_order(orders[i], now=local(2026, 3, 20))
        challenge_rewards.on_order(orders[(i + 1) % WORKERS], now=local(2026, 3, 20))

    run_concurrently(deliver, WORKERS)
    challenge_passes.evaluate_all(now=local(2026, 3, 21))

    account = LoyaltyAccount.objects.get(user=customer)
    assert ChallengeCompletion.objects.count() == 1
    assert BadgeAward.objects.count() == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.CHALLENGE).count() == 1
    assert account.balance == WORKERS * 100 + 100
    assert ledger.reconcile_account(account) == 0


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_beat_job_share_the_pass(program, make_order):
    challenge_settings.create_challenge(
        program,
        name="One order",
        metric="paid_orders",
        target=1,
        starts_on=day("2026-03-01"),
        reward_points=5,
    )
    for i in range(12):
        user = get_user_model().objects.create(username=f"w{i}", email=f"w{i}@example.co.il")
        ledger.sync_order(
            dataclasses.replace(
                make_order(lines=(("Item", "10.00"),), shipping="0", user=user), paid_at=local(2026, 3, 2, 10)
            )
        )

    run_concurrently(lambda _: challenge_passes.evaluate_all(now=local(2026, 3, 3), batch_size=2), 2)
    challenge_passes.evaluate_all(now=local(2026, 3, 3), batch_size=2)  # finishes what a busy worker left

    assert ChallengeCompletion.objects.count() == 12
    assert LedgerEntry.objects.filter(kind=EntryKind.CHALLENGE).count() == 12
