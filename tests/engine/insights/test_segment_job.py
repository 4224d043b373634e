"""The nightly segment job: bounded, resumed after a crash midway, and run by two workers at once."""

from datetime import timedelta
from unittest import mock

import pytest

from saleor_loyalty.insights import segments
from saleor_loyalty.models import (
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
