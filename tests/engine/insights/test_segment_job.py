"""The nightly segment job: batches of account ranges, resumed after a crash midway, run by two workers at once."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest

from saleor_loyalty import ledger
from saleor_loyalty.insights import segments
from saleor_loyalty.models import (
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    MemberOrderStats,
    NamedSegment,
    SegmentEvent,
    SegmentMembership,
    SegmentRun,
    SegmentSnapshot,
)
from tests.concurrency import run_concurrently

from .conftest import T0

MEMBERS = 7


@pytest.fixture
def lapsing(club, members, buy):
    """Seven one-order members, 100 days idle: each is one-time and at risk (2 entries each)."""
    users = members(MEMBERS)
    for user in users:
        buy(user, T0 - timedelta(days=100))
    return users


def _all_done():
    assert SegmentRun.objects.get().finished_at is not None
    assert SegmentMembership.objects.count() == 2 * MEMBERS
    assert SegmentEvent.objects.count() == 2 * MEMBERS  # nobody entered twice
    assert set(SegmentEvent.objects.values_list("segment", flat=True)) == {
        NamedSegment.ONE_TIME,
        NamedSegment.AT_RISK,
    }
    assert MemberOrderStats.objects.filter(f_score__isnull=False).count() == MEMBERS
    sizes = dict(SegmentSnapshot.objects.values_list("segment", "size"))
    assert sizes[NamedSegment.AT_RISK] == MEMBERS


def test_each_call_is_bounded_and_the_next_resumes_from_the_cursor(lapsing):
    first = segments.compute_segments(now=T0, batch_size=2, max_batches=3)
    assert first.batches == 3
    run = SegmentRun.objects.get()
    assert (run.finished_at, run.borders) == (None, {})  # still in the stats pass
    assert run.last_account_id > 0
    segments.compute_segments(now=T0, batch_size=2)
    _all_done()


def test_a_crash_midway_rolls_back_its_batch_and_the_rerun_writes_nothing_twice(lapsing):
    real = segments.assign_segments
    calls = []

    def crash_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    with (
        mock.patch.object(segments, "assign_segments", side_effect=crash_on_second),
        pytest.raises(RuntimeError),
    ):
        segments.compute_segments(now=T0, batch_size=3)
    assert SegmentEvent.objects.count() == 2 * 3  # the first scoring batch committed, the second did not
    segments.compute_segments(now=T0, batch_size=3)
    _all_done()


def test_a_new_day_recomputes_and_writes_only_changes(lapsing):
    segments.compute_segments(now=T0)
    segments.compute_segments(now=T0 + timedelta(days=1))
    assert SegmentRun.objects.count() == 2
    assert SegmentEvent.objects.count() == 2 * MEMBERS


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_finish_the_run_once(lapsing):
    def work(_):
        for _ in range(100):
            segments.compute_segments(now=T0, batch_size=1)
            if SegmentRun.objects.filter(finished_at__isnull=False).exists():
                return

    run_concurrently(work, 2)
    _all_done()


def test_batches_are_account_ranges_that_cover_every_account_once_across_programs(
    lapsing, us_channel, members
):
    """Accounts of another channel interleave the ids: a batch still holds at most `limit` of this one's."""
    club = LoyaltyProgram.objects.get(channel_slug="il")
    us = LoyaltyProgram.objects.get(channel_slug="us")
    for user in members(3, prefix="us"):
        LoyaltyAccount.objects.create(program=us, user=user, email=user.email)
    mine = list(LoyaltyAccount.objects.filter(program=club).order_by("pk").values_list("pk", flat=True))
    covered, after = [], 0
    while (bounds := segments.batch_range(club, after, 3)) is not None:
        inside = [pk for pk in mine if bounds[0] < pk <= bounds[1]]
        assert 1 <= len(inside) <= 3
        assert bounds[0] == after
        covered += inside
        after = bounds[1]
    assert covered == mine


def test_a_crash_in_the_stats_pass_resumes_after_the_last_committed_batch(lapsing):
    real = segments.refresh_stats
    calls = []

    def crash_on_third(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    with (
        mock.patch.object(segments, "refresh_stats", side_effect=crash_on_third),
        pytest.raises(RuntimeError),
    ):
        segments.compute_segments(now=T0, batch_size=2)
    run = SegmentRun.objects.get()
    assert MemberOrderStats.objects.count() == 4  # two batches of two committed, the third rolled back
    assert (run.last_account_id, run.borders) == (calls[2], {})
    with mock.patch.object(segments, "refresh_stats", side_effect=real) as resumed:
        segments.compute_segments(now=T0, batch_size=2)
    assert resumed.call_args_list[0].args[1] == calls[2]  # it starts where the crash stopped, not at 0
    _all_done()


def test_a_merged_guest_in_another_batch_counts_for_its_member_refund_included(
    club, members, buy, make_order
):
    """The guest's order, refunded after the merge (the reversal is on the member), in batches of one."""
    (user,) = members(1)
    buy(user, T0 - timedelta(days=50))
    guest_order = replace(
        make_order(lines=(("Item", "90.00"),), email=user.email, shipping="0"),
        paid_at=T0 - timedelta(days=30),
    )
    ledger.sync_order(guest_order)
    ledger.attach_guest_accounts(user.pk, user.email)
    ledger.sync_order(replace(guest_order, refunded_amount=Decimal("30.00")))
    member = LoyaltyAccount.objects.get(program=club, user=user)
    guest = LoyaltyAccount.objects.get(program=club, merged_into=member)
    assert guest.pk > member.pk
    assert LedgerEntry.objects.get(reverses__account=guest).account_id == member.pk
    segments.compute_segments(now=T0, batch_size=1)
    stats = MemberOrderStats.objects.get(account=member)
    assert (stats.orders, stats.monetary) == (2, Decimal("160.0000"))
    assert set(SegmentMembership.objects.values_list("account_id", "segment")) == {
        (member.pk, NamedSegment.REPEAT)
    }
