"""RFM quintiles and named segments: borders with ties, one-order members, each member's own rhythm."""

import random
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from saleor_loyalty import ledger
from saleor_loyalty.insights import rfm, segments
from saleor_loyalty.models import (
    LoyaltyAccount,
    MemberOrderStats,
    NamedSegment,
    SegmentEvent,
    SegmentMembership,
    SegmentSettings,
    SegmentSnapshot,
)

from .conftest import T0


def _in(account) -> set[str]:
    return set(SegmentMembership.objects.filter(account=account).values_list("segment", flat=True))


def _account(club, user) -> LoyaltyAccount:
    return LoyaltyAccount.objects.get(program=club, user=user)


def test_borders_score_every_value_as_its_rank_says_ties_never_split(club, members):
    """score = 1 + floor(5 × members strictly below / members), checked against a brute force."""
    rng = random.Random(7)
    users = members(37)
    values = [rng.choice([1, 1, 1, 2, 2, 3, 5, 8]) for _ in users]
    for user, orders in zip(users, values, strict=True):
        account = LoyaltyAccount.objects.create(program=club, user=user, email=user.email)
        MemberOrderStats.objects.create(
            account=account,
            program=club,
            orders=orders,
            first_order_at=T0 - timedelta(days=400),
            last_order_at=T0 - timedelta(days=orders * 3),
            monetary=Decimal(orders * 10),
            computed_at=T0,
        )
    borders = rfm.compute_borders(club.pk)
    assert borders["members"] == 37
    with transaction.atomic():
        segments.assign_segments(club, borders, T0, 0, 100)
    for stats in MemberOrderStats.objects.all():
        below = sum(1 for other in values if other < stats.orders)
        assert stats.f_score == 1 + (5 * below) // 37
        assert stats.m_score == 1 + (5 * below) // 37
        earlier = sum(
            1 for other in values if other > stats.orders
        )  # more orders here: an earlier last order
        assert stats.r_score == 1 + (5 * earlier) // 37


def test_most_members_with_one_order_all_score_one_and_the_rest_five(club, members, buy):
    users = members(10)
    for user in users[:8]:
        buy(user, T0 - timedelta(days=5))
    for user in users[8:]:
        for days in (30, 20, 5):
            buy(user, T0 - timedelta(days=days))
    segments.compute_segments(now=T0)
    stats = {s.account.user_id: s for s in MemberOrderStats.objects.select_related("account")}
    assert {stats[u.pk].f_score for u in users[:8]} == {1}
    assert {stats[u.pk].f_score for u in users[8:]} == {5}


def test_a_single_member_scores_one_everywhere(club, members, buy):
    (user,) = members(1)
    buy(user, T0 - timedelta(days=3))
    segments.compute_segments(now=T0)
    stats = MemberOrderStats.objects.get()
    assert (stats.r_score, stats.f_score, stats.m_score) == (1, 1, 1)
    assert _in(stats.account) == {NamedSegment.NEW}


def test_one_order_members_are_measured_against_the_program_default(club, members, buy):
    """Default interval 60 days: at risk after 1.5 × 60 = 90 days, lapsed after 3 × 60 = 180."""
    fresh, one_time, at_risk, lapsed = members(4)
    buy(fresh, T0 - timedelta(days=10))
    buy(one_time, T0 - timedelta(days=89))
    buy(at_risk, T0 - timedelta(days=91))
    buy(lapsed, T0 - timedelta(days=181))
    segments.compute_segments(now=T0)
    assert _in(_account(club, fresh)) == {NamedSegment.NEW}
    assert _in(_account(club, one_time)) == {NamedSegment.ONE_TIME}
    assert _in(_account(club, at_risk)) == {NamedSegment.ONE_TIME, NamedSegment.AT_RISK}
    assert _in(_account(club, lapsed)) == {NamedSegment.ONE_TIME, NamedSegment.LAPSED}


def test_at_risk_and_lapsed_follow_the_members_own_interval(club, members, buy):
    """Orders every 10 days: at risk after 15 idle days, lapsed after 30; every 60 days: not yet at 40."""
    weekly, slow = members(2)
    for days in (60, 50, 40):
        buy(weekly, T0 - timedelta(days=days))
    for days in (160, 100, 40):
        buy(slow, T0 - timedelta(days=days))
    segments.compute_segments(now=T0)
    assert _in(_account(club, weekly)) == {NamedSegment.REPEAT, NamedSegment.LAPSED}
    assert _in(_account(club, slow)) == {NamedSegment.REPEAT}
    stats = MemberOrderStats.objects.get(account=_account(club, weekly))
    assert (stats.interval_days, stats.orders) == (Decimal("10.00"), 3)

    segments.compute_segments(now=T0 - timedelta(days=40 - 16))  # another day: 16 idle days
    assert _in(_account(club, weekly)) == {NamedSegment.REPEAT, NamedSegment.AT_RISK}


def test_the_interval_is_never_shorter_than_the_program_minimum(club, members, buy):
    (user,) = members(1)
    for hours in (72, 48, 24):
        buy(user, T0 - timedelta(days=40, hours=hours))
    SegmentSettings.objects.create(program=club, min_interval_days=30)
    segments.compute_segments(now=T0)
    assert _in(_account(club, user)) == {
        NamedSegment.REPEAT
    }  # 41 idle days < 1.5 × 30, not 3 × a 1-day rhythm

    SegmentSettings.objects.filter(program=club).update(min_interval_days=10)
    segments.compute_segments(now=T0 + timedelta(days=1))
    assert _in(_account(club, user)) == {NamedSegment.REPEAT, NamedSegment.LAPSED}  # 42 > 3 × 10


def test_loyal_by_order_count_and_history_records_entering_and_leaving(club, members, buy):
    (user,) = members(1)
    for days in (90, 80, 70):
        buy(user, T0 - timedelta(days=days))
    segments.compute_segments(now=T0)
    account = _account(club, user)
    assert _in(account) == {NamedSegment.REPEAT, NamedSegment.LAPSED}
    buy(user, T0 + timedelta(days=1))
    segments.refresh_member(account, now=T0 + timedelta(days=1))
    assert _in(account) == {NamedSegment.LOYAL}
    history = list(
        SegmentEvent.objects.filter(account=account).order_by("pk").values_list("segment", "entered")
    )
    assert history == [
        (NamedSegment.LAPSED, True),
        (NamedSegment.REPEAT, True),
        (NamedSegment.LOYAL, True),
        (NamedSegment.LAPSED, False),
        (NamedSegment.REPEAT, False),
    ]


def test_a_cancelled_order_does_not_count(club, members, buy, make_order):
    (user,) = members(1)
    buy(user, T0 - timedelta(days=100))
    second = buy(user, T0 - timedelta(days=5))
    ledger.sync_order(replace(second, is_cancelled=True))
    segments.compute_segments(now=T0)
    stats = MemberOrderStats.objects.get()
    assert (stats.orders, stats.last_order_at) == (1, T0 - timedelta(days=100))


def test_the_nightly_run_snapshots_the_days_sizes_once(club, members, buy):
    users = members(3)
    for user in users:
        buy(user, T0 - timedelta(days=100))
    segments.compute_segments(now=T0)
    segments.compute_segments(now=T0)  # the day's run is finished: nothing again
    sizes = dict(SegmentSnapshot.objects.filter(program=club).values_list("segment", "size"))
    assert (sizes[NamedSegment.ONE_TIME], sizes[NamedSegment.AT_RISK]) == (3, 3)
    assert sizes[NamedSegment.LOYAL] == 0
    assert SegmentEvent.objects.count() == 6


def test_a_merged_guests_orders_count_for_the_member_and_the_guest_has_no_segments(
    club, members, buy, make_order
):
    (user,) = members(1)
    buy(user, T0 - timedelta(days=50))
    guest_order = replace(
        make_order(lines=(("Item", "90.00"),), email=user.email, shipping="0"),
        paid_at=T0 - timedelta(days=30),
    )
    ledger.sync_order(guest_order)
    segments.compute_segments(now=T0 - timedelta(days=20))
    guest = LoyaltyAccount.objects.get(program=club, user__isnull=True)
    assert _in(guest) == {NamedSegment.NEW}

    ledger.attach_guest_accounts(user.pk, user.email)
    segments.compute_segments(now=T0)
    member = _account(club, user)
    assert MemberOrderStats.objects.get(account=member).orders == 2
    assert _in(member) == {NamedSegment.REPEAT}
    assert _in(guest) == set()
