"""Challenges: progress from the ledger, windows in local time (across DST), rewards once, refunds, archiving."""

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_loyalty import ledger
from saleor_loyalty.engagement import challenge_passes, challenge_rewards, challenge_settings
from saleor_loyalty.engagement.badges import member_badges
from saleor_loyalty.engagement.challenges import member_progress
from saleor_loyalty.exceptions import InvalidChallenge
from saleor_loyalty.models import (
    Badge,
    BadgeAward,
    ChallengeCompletion,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
)
from tests.engine.engagement.challenge_shop import day, local, pay, record_action, refund


@pytest.fixture
def badge(program):
    return Badge.objects.create(program=program, name="Regular", name_he="קבוע")


@pytest.fixture
def three_orders(program, badge):
    """ "3 orders in March" (Jerusalem dates), 100 points and a badge."""
    return challenge_settings.create_challenge(
        program,
        name="Three in March",
        name_he="שלוש במרץ",
        metric="paid_orders",
        target=3,
        starts_on=day("2026-03-01"),
        ends_on=day("2026-03-31"),
        reward_points=100,
        badge_id=badge.pk,
    )


def progress_of(program, customer, challenge, now):
    account = LoyaltyAccount.objects.filter(user=customer).first()
    return next(p for p in member_progress(program, account, now) if p.challenge.pk == challenge.pk)


def test_three_orders_complete_once_with_points_and_badge(program, customer, make_order, three_orders):
    pay(make_order, customer, local(2026, 3, 2, 10))
    _, none_yet = pay(make_order, customer, local(2026, 3, 9, 10))
    facts, completed = pay(make_order, customer, local(2026, 3, 20, 10))

    assert none_yet == []
    assert len(completed) == 1
    account = LoyaltyAccount.objects.get(user=customer)
    reward = LedgerEntry.objects.get(kind=EntryKind.CHALLENGE)
    assert reward.points == 100
    assert reward.source_key == f"challenge:{three_orders.pk}:{account.pk}:2026-03-01..2026-03-31"
    assert [award.badge.name for award in member_badges(account)] == ["Regular"]
    # The same order event again, the beat job, and a fourth order: nothing more.
    assert challenge_rewards.on_order(facts, now=local(2026, 3, 20, 11)) == []
    pay(make_order, customer, local(2026, 3, 25, 10))
    run = challenge_passes.evaluate_all(now=local(2026, 3, 26, 10))
    assert run["il"].completed == 0
    assert LedgerEntry.objects.filter(kind=EntryKind.CHALLENGE).count() == 1
    assert BadgeAward.objects.count() == ChallengeCompletion.objects.count() == 1
    assert ledger.reconcile_account(account) == 0
    progress = progress_of(program, customer, three_orders, local(2026, 3, 26, 10))
    assert progress.completed_at is not None
    assert progress.percent == 100


def test_fixed_window_across_dst_counts_by_local_days(program, customer, make_order, three_orders):
    """Israel moved to summer time on Friday 27 March 2026. The window is 1-31 March, local days."""
    pay(make_order, customer, local(2026, 2, 28, 23, 30))  # winter, UTC+2: 21:30Z on the 28th, before
    pay(make_order, customer, local(2026, 4, 1, 0, 30))  # summer, UTC+3: 21:30Z on 31 March, after
    assert progress_of(program, customer, three_orders, local(2026, 3, 31, 12)).current == 0

    pay(make_order, customer, local(2026, 3, 1, 0, 15))  # first minutes of the window (winter)
    pay(make_order, customer, local(2026, 3, 27, 2, 30))  # the DST night itself
    _, completed = pay(make_order, customer, local(2026, 3, 31, 23, 45))  # last minutes (summer)
    assert len(completed) == 1


def test_rolling_window_across_dst_is_seven_local_days(program, customer, make_order, badge):
    week = challenge_settings.create_challenge(
        program,
        name="Two in a week",
        metric="paid_orders",
        target=2,
        window="rolling",
        window_days=7,
        starts_on=day("2026-03-01"),
        badge_id=badge.pk,
    )
    pay(make_order, customer, local(2026, 3, 24, 0, 10))  # Tuesday, winter
    _, too_late = pay(make_order, customer, local(2026, 3, 31, 0, 5))  # the 8th local day: 6d23h55m later
    assert too_late == []
    assert progress_of(program, customer, week, local(2026, 3, 31, 1)).current == 1
    _, completed = pay(make_order, customer, local(2026, 4, 6, 23, 50))  # within 7 local days of the 31st
    assert len(completed) == 1
    assert completed[0].window_key == "2026-03-31..2026-04-06"  # the seven local days that reached it


def test_a_rolling_challenge_completes_again_after_its_run(program, customer, make_order, badge):
    week = challenge_settings.create_challenge(
        program,
        name="Two in a week",
        metric="paid_orders",
        target=2,
        window="rolling",
        window_days=7,
        starts_on=day("2026-03-01"),
        reward_points=10,
        badge_id=badge.pk,
    )
    pay(make_order, customer, local(2026, 3, 2, 10))
    _, first = pay(make_order, customer, local(2026, 3, 4, 10))
    assert [c.window_key for c in first] == ["2026-03-01..2026-03-04"]
    # Another order on the day the run was completed belongs to that run: it starts nothing new.
    assert pay(make_order, customer, local(2026, 3, 4, 18))[1] == []
    shown = progress_of(program, customer, week, local(2026, 3, 4, 19))
    assert (shown.completed_at is not None, shown.percent, shown.window_end) == (True, 100, day("2026-03-04"))

    assert pay(make_order, customer, local(2026, 3, 5, 10))[1] == []
    shown = progress_of(program, customer, week, local(2026, 3, 6, 10))
    assert (shown.completed_at, shown.current, shown.window_start) == (None, 1, day("2026-03-05"))
    _, second = pay(make_order, customer, local(2026, 3, 9, 10))
    assert [c.window_key for c in second] == ["2026-03-05..2026-03-09"]

    assert challenge_passes.evaluate_all(now=local(2026, 3, 10))["il"].completed == 0
    account = LoyaltyAccount.objects.get(user=customer)
    assert challenge_rewards.evaluate_member(program, account, local(2026, 3, 10)) == []
    rewards = LedgerEntry.objects.filter(kind=EntryKind.CHALLENGE).order_by("pk")
    assert [(r.points, r.detail["window"]) for r in rewards] == [
        (10, "2026-03-01..2026-03-04"),
        (10, "2026-03-05..2026-03-09"),
    ]
    assert BadgeAward.objects.filter(account=account).count() == 1  # a badge is earned once
    assert ledger.reconcile_account(account) == 0


def test_refund_before_completion_undoes_progress(program, customer, make_order, three_orders):
    first, _ = pay(make_order, customer, local(2026, 3, 2, 10))
    pay(make_order, customer, local(2026, 3, 3, 10))
    refund(first, now=local(2026, 3, 4, 10))
    assert progress_of(program, customer, three_orders, local(2026, 3, 4, 11)).current == 2 - 1

    refund(first, amount="40.00")  # a partial refund of an order: it still counts as an order
    _, completed = pay(make_order, customer, local(2026, 3, 5, 10))
    assert completed == []
    assert progress_of(program, customer, three_orders, local(2026, 3, 5, 11)).current == 2


def test_refund_after_completion_keeps_the_reward(program, customer, make_order, three_orders):
    orders = [pay(make_order, customer, local(2026, 3, d, 10))[0] for d in (2, 3, 4)]
    refund(orders[0], now=local(2026, 3, 10, 10))

    progress = progress_of(program, customer, three_orders, local(2026, 3, 10, 11))
    assert progress.current == 2
    assert progress.completed_at is not None
    account = LoyaltyAccount.objects.get(user=customer)
    assert account.balance == 100 + 100 + 100 + 100 - 100  # the refunded order's points only
    assert BadgeAward.objects.filter(account=account).exists()


def test_spend_in_window_is_net_of_refunds(program, customer, make_order):
    spend = challenge_settings.create_challenge(
        program,
        name="Spend 500",
        metric="spend",
        target_amount=Decimal("500"),
        starts_on=day("2026-03-01"),
        ends_on=day("2026-03-31"),
        reward_points=250,
    )
    facts, _ = pay(make_order, customer, local(2026, 3, 2, 10), amount="400.00")
    refund(facts, amount="100.00")
    _, none = pay(make_order, customer, local(2026, 3, 3, 10), amount="150.00")
    assert none == []
    assert progress_of(program, customer, spend, local(2026, 3, 4)).current == Decimal("450")
    _, done = pay(make_order, customer, local(2026, 3, 4, 10), amount="50.00")
    assert len(done) == 1
    assert done[0].points == 250


def test_streak_of_calendar_months(program, customer, make_order, badge):
    streak = challenge_settings.create_challenge(
        program,
        name="Four months",
        metric="monthly_streak",
        target=4,
        starts_on=day("2026-01-01"),
        ends_on=day("2026-12-31"),
        badge_id=badge.pk,
    )
    pay(make_order, customer, local(2026, 1, 31, 23, 30))  # 21:30Z: still January in Jerusalem
    pay(make_order, customer, local(2026, 2, 10, 10))
    pay(make_order, customer, local(2026, 4, 1, 0, 30))  # 31 March 21:30Z: April locally, March skipped
    pay(make_order, customer, local(2026, 5, 3, 10))
    pay(make_order, customer, local(2026, 6, 3, 10))
    assert progress_of(program, customer, streak, local(2026, 6, 4)).current == 3  # Apr-Jun
    _, completed = pay(make_order, customer, local(2026, 7, 1, 9))
    assert len(completed) == 1


def test_first_order_in_a_new_category(program, customer, make_order, badge):
    explorer = challenge_settings.create_challenge(
        program,
        name="Try something new",
        metric="new_category",
        target=1,
        starts_on=day("2026-03-01"),
        ends_on=day("2026-03-31"),
        badge_id=badge.pk,
    )
    pay(make_order, customer, local(2026, 2, 10, 10), categories=[7])  # before: 7 is not new any more
    _, none = pay(make_order, customer, local(2026, 3, 2, 10), categories=[7])
    assert none == []
    shoes, _ = pay(make_order, customer, local(2026, 3, 3, 10), categories=[7, 9])
    assert ChallengeCompletion.objects.filter(challenge=explorer).count() == 1
    assert progress_of(program, customer, explorer, local(2026, 3, 4)).current == 1


def test_refunded_first_order_in_a_category_does_not_count(program, customer, make_order, badge):
    explorer = challenge_settings.create_challenge(
        program, name="New", metric="new_category", target=2, starts_on=day("2026-03-01"), badge_id=badge.pk
    )
    shoes, _ = pay(make_order, customer, local(2026, 3, 2, 10), categories=[9])
    pay(make_order, customer, local(2026, 3, 3, 10), categories=[10])
    refund(shoes)
    assert progress_of(program, customer, explorer, local(2026, 3, 4)).current == 1


def test_actions_of_a_kind_count_once_per_object(program, customer, make_order, badge):
    reviews = challenge_settings.create_challenge(
        program,
        name="Five reviews",
        metric="actions",
        action_kind="product_review",
        target=5,
        starts_on=day("2026-03-01"),
        reward_points=50,
    )
    pay(make_order, customer, local(2026, 3, 1, 9))
    account = LoyaltyAccount.objects.get(user=customer)
    for product in range(4):
        record_action(account, "product_review", f"P{product}", local(2026, 3, 2 + product, 10))
    again = record_action(account, "product_review", "P0", local(2026, 3, 9, 10), key="replayed-elsewhere")
    assert again.outcome == "already_awarded"  # the writer's once-per-object rule: no second row
    record_action(account, "social_share", "P9", local(2026, 3, 9, 10))
    assert challenge_rewards.evaluate_member(program, account, local(2026, 3, 10)) == []
    assert progress_of(program, customer, reviews, local(2026, 3, 10)).current == 4

    record_action(account, "product_review", "P4", local(2026, 3, 11, 10))
    completed = challenge_rewards.evaluate_member(program, account, local(2026, 3, 11, 11))
    assert [c.points for c in completed] == [50]


def test_repeats_of_a_kind_on_one_object_count_once_and_other_members_rows_never(
    program, customer, make_order
):
    """A kind that awards each occurrence (a share) still counts once per object toward a challenge."""
    shares = challenge_settings.create_challenge(
        program,
        name="Share three products",
        metric="actions",
        action_kind="social_share",
        target=3,
        starts_on=day("2026-03-01"),
        reward_points=20,
    )
    pay(make_order, customer, local(2026, 3, 1, 9))
    account = LoyaltyAccount.objects.get(user=customer)
    other = ledger.account_for(program, None, "other@example.co.il")
    for hour in (10, 11, 12):  # three visits through one share link: three awards, one object
        assert record_action(account, "social_share", "P1", local(2026, 3, 2, hour)).awarded
    record_action(other, "social_share", "P2", local(2026, 3, 2, 10))
    record_action(other, "social_share", "P3", local(2026, 3, 2, 10))
    assert progress_of(program, customer, shares, local(2026, 3, 3)).current == 1


def test_deleting_a_challenge_mid_way_archives_it(program, customer, make_order, three_orders):
    other = LoyaltyAccount.objects.create(program=program, email="noa@example.co.il")
    pay(make_order, customer, local(2026, 3, 2, 10))
    pay(make_order, customer, local(2026, 3, 3, 10))

    assert challenge_settings.delete_challenge(program, three_orders.pk, local(2026, 3, 4)) is True
    _, completed = pay(make_order, customer, local(2026, 3, 5, 10))

    assert completed == []
    assert not ChallengeCompletion.objects.exists()
    assert member_progress(program, LoyaltyAccount.objects.get(user=customer), local(2026, 3, 6)) == []
    listed = challenge_settings.staff_challenges(program, include_archived=True)
    assert [c.pk for c in listed] == [three_orders.pk]
    assert listed[0].archived_at is not None
    assert challenge_settings.staff_challenges(program) == []
    assert challenge_passes.evaluate_all(now=local(2026, 3, 6))["il"].completed == 0
    assert other.badge_awards.count() == 0


def test_archiving_keeps_rewards_already_given(program, customer, make_order, three_orders):
    for d in (2, 3, 4):
        pay(make_order, customer, local(2026, 3, d, 10))
    challenge_settings.delete_challenge(program, three_orders.pk, local(2026, 3, 5))
    assert LedgerEntry.objects.filter(kind=EntryKind.CHALLENGE).count() == 1
    assert BadgeAward.objects.count() == 1
    assert challenge_settings.summary(program, three_orders.pk).completed == 1


def test_a_challenge_not_begun_is_deleted_outright(program, three_orders):
    assert challenge_settings.delete_challenge(program, three_orders.pk, local(2026, 2, 1)) is False
    assert challenge_settings.staff_challenges(program, include_archived=True) == []


def test_rules_freeze_once_completed(program, customer, make_order, three_orders):
    for d in (2, 3, 4):
        pay(make_order, customer, local(2026, 3, d, 10))
    with pytest.raises(InvalidChallenge) as error:
        challenge_settings.update_challenge(program, three_orders.pk, target=5)
    assert error.value.field == "target"
    renamed = challenge_settings.update_challenge(program, three_orders.pk, name="Three in spring")
    assert renamed.name == "Three in spring"


def test_progress_of_a_member_takes_two_queries(program, customer, make_order, three_orders, badge):
    challenge_settings.create_challenge(
        program,
        name="Spend",
        metric="spend",
        target_amount=Decimal(900),
        starts_on=day("2026-03-01"),
        badge_id=badge.pk,
    )
    challenge_settings.create_challenge(
        program,
        name="Streak",
        metric="monthly_streak",
        target=3,
        starts_on=day("2026-01-01"),
        badge_id=badge.pk,
    )
    for d in (2, 3):
        pay(make_order, customer, local(2026, 3, d, 10), categories=[d])
    account = LoyaltyAccount.objects.get(user=customer)
    with CaptureQueriesContext(connection) as queries:
        progresses = member_progress(program, account, local(2026, 3, 10))
    assert len(progresses) == 3
    assert len(queries) == 2
    with CaptureQueriesContext(connection) as queries:
        assert challenge_rewards.evaluate_member(program, account, local(2026, 3, 10)) == []
    assert len(queries) == 2


def test_switched_off_program_gives_no_rewards(program, customer, make_order, three_orders):
    for d in (2, 3):
        pay(make_order, customer, local(2026, 3, d, 10))
    account = LoyaltyAccount.objects.get(user=customer)
    record_action(account, "product_review", "y", local(2026, 3, 4))
    program.is_active = False
    program.save()
    assert challenge_rewards.evaluate_member(program, account, local(2026, 3, 4)) == []
    assert challenge_passes.evaluate_all(now=local(2026, 3, 4)) == {}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "", "metric": "paid_orders"}, "name"),
        ({"name": "x" * 101, "metric": "paid_orders"}, "name"),
        ({"name": "A", "metric": "paid_orders", "target": 0}, "target"),
        ({"name": "A", "metric": "spend"}, "target_amount"),
        ({"name": "A", "metric": "spend", "target_amount": Decimal("-5")}, "target_amount"),
        ({"name": "A", "metric": "spend", "target_amount": Decimal("1.005")}, "target_amount"),
        ({"name": "A", "metric": "actions"}, "action_kind"),
        ({"name": "A", "metric": "actions", "action_kind": "Bad Kind!"}, "action_kind"),
        ({"name": "A", "metric": "paid_orders", "action_kind": "review"}, "action_kind"),
        ({"name": "A", "metric": "paid_orders", "window": "rolling"}, "window_days"),
        ({"name": "A", "metric": "paid_orders", "window": "rolling", "window_days": 5000}, "window_days"),
        ({"name": "A", "metric": "monthly_streak", "window": "rolling", "window_days": 90}, "window"),
        (
            {
                "name": "A",
                "metric": "paid_orders",
                "starts_on": day("2026-03-05"),
                "ends_on": day("2026-03-01"),
            },
            "ends_on",
        ),
        ({"name": "A", "metric": "paid_orders", "reward_points": 0}, "reward_points"),
        ({"name": "A", "metric": "paid_orders", "reward_points": 10_000_000}, "reward_points"),
    ],
)
def test_bad_challenge_settings_are_refused_and_nothing_is_written(program, values, field):
    values = {"reward_points": 10, **values}
    with pytest.raises(InvalidChallenge) as error:
        challenge_settings.create_challenge(program, **values)
    assert error.value.field == field
    assert challenge_settings.staff_challenges(program, include_archived=True) == []


def test_beat_job_is_resumable_and_catches_missed_events(program, make_order, three_orders):
    users = [get_user_model().objects.create(username=f"u{i}", email=f"u{i}@example.co.il") for i in range(5)]
    for user in users:
        for d in (2, 3, 4):  # the ledger only: as if every order event's challenge hook was lost
            facts = make_order(lines=(("Item", "100.00"),), shipping="0", user=user)
            ledger.sync_order(dataclasses.replace(facts, paid_at=local(2026, 3, d, 10)))
    now = local(2026, 3, 5)
    first = challenge_passes.evaluate_program(program, now, batch_size=2, max_batches=2)
    assert (first.members, first.completed, first.passes_finished) == (4, 4, 0)
    rest = challenge_passes.evaluate_program(program, now, batch_size=2)
    assert (rest.members, rest.completed, rest.passes_finished) == (1, 1, 1)
    again = challenge_passes.evaluate_program(program, now + timedelta(hours=1), batch_size=2)
    assert again.completed == 0
    assert ChallengeCompletion.objects.count() == 5


def test_the_worked_example_of_the_guide(program, customer, make_order, three_orders):
    """docs/challenges-and-badges.md, "Worked example (₪)", step by step."""
    challenge_settings.create_challenge(
        program,
        name="Spend 500",
        metric="spend",
        target_amount=Decimal("500"),
        starts_on=day("2026-03-01"),
        ends_on=day("2026-03-31"),
        reward_points=250,
    )
    first, _ = pay(make_order, customer, local(2026, 3, 2, 10), amount="400.00")
    refund(first, amount="100.00", now=local(2026, 3, 2, 18))
    pay(make_order, customer, local(2026, 3, 3, 10), amount="150.00")
    shown = {
        p.challenge.name: p.current
        for p in member_progress(program, first_account(customer), local(2026, 3, 3, 13))
    }
    assert shown == {"Three in March": 2, "Spend 500": Decimal("450")}

    last, completed = pay(make_order, customer, local(2026, 3, 4, 10), amount="50.00")
    assert sorted(c.points for c in completed) == [100, 250]
    assert first_account(customer).balance == 850
    refund(last, now=local(2026, 3, 10, 10))
    account = first_account(customer)
    assert account.balance == 800
    assert BadgeAward.objects.filter(account=account).count() == 1


def first_account(customer):
    return LoyaltyAccount.objects.get(user=customer)
