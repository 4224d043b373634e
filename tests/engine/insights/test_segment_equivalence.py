"""The nightly run and the order hook against the segment rules written out in Python, on random members.

The set-based statements (`segment_sql`) are fast paths: every night of a random history (random batch
sizes, orders and order hooks between nights) their memberships, scores, history rows and sizes must be
what the rules in docs/segments-and-winback.md give, taken from the stored stats: scores both by the rank
definition (1 + floor(5 × members strictly below / members)) and by the run's borders, lifecycle and
activity segments by the settings, and one history row per entry and exit, nothing else.
"""

import random
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from saleor_loyalty.insights import rfm, segments
from saleor_loyalty.models import (
    LoyaltyAccount,
    MemberOrderStats,
    NamedSegment,
    SegmentEvent,
    SegmentMembership,
    SegmentSnapshot,
)

from .conftest import T0

MEMBERS = 24


def _reached(value, borders) -> int:
    return sum(1 for border in borders if border is not None and value >= border)


def _borders(run_borders: dict) -> dict:
    if not run_borders:
        return {}
    parse = {"r": datetime.fromisoformat, "f": int, "m": Decimal}
    return {d: [None if b is None else parse[d](b) for b in run_borders[d]] for d in "rfm"}


def _expected(stats, borders: dict, settings, now: datetime) -> tuple[set, dict]:
    """Memberships and scores the rules give for these stats rows, scored against `borders`."""
    memberships, scores = set(), {}
    for row in stats:
        if row.orders == 0 or not borders:
            scores[row.account_id] = (None, None, None)
        else:
            scores[row.account_id] = tuple(
                1 + _reached(value, borders[d])
                for d, value in zip("rfm", (row.last_order_at, row.orders, row.monetary), strict=True)
            )
        if row.orders == 0:
            continue
        if now - row.first_order_at <= timedelta(days=settings.new_days):
            lifecycle = NamedSegment.NEW
        elif row.orders == 1:
            lifecycle = NamedSegment.ONE_TIME
        elif row.orders >= settings.loyal_min_orders or scores[row.account_id][2] == 5:
            lifecycle = NamedSegment.LOYAL
        else:
            lifecycle = NamedSegment.REPEAT
        memberships.add((row.account_id, lifecycle))
        own = row.interval_days if row.orders >= 2 and row.interval_days is not None else None
        usual = Fraction(
            max(own if own is not None else settings.default_interval_days, settings.min_interval_days)
        )
        idle = Fraction((now - row.last_order_at) // timedelta(microseconds=1), 86_400_000_000)
        if idle > Fraction(settings.lapsed_factor) * usual:
            memberships.add((row.account_id, NamedSegment.LAPSED))
        elif idle > Fraction(settings.at_risk_factor) * usual:
            memberships.add((row.account_id, NamedSegment.AT_RISK))
    return memberships, scores


def _stored() -> set:
    return set(SegmentMembership.objects.values_list("account_id", "segment"))


def _check_step(
    club, before: set, last_event: int, borders: dict, now: datetime, only=None
) -> tuple[set, int]:
    """After a night (or one member's hook): memberships, scores and the step's history as the rules say."""
    stats = list(MemberOrderStats.objects.filter(program=club))
    if only is not None:
        stats = [row for row in stats if row.account_id == only]
    wanted, scores = _expected(stats, borders, rfm.settings_for(club), now)
    after = _stored()
    if only is not None:
        wanted |= {(account, segment) for account, segment in before if account != only}
    assert after == wanted
    for row in stats:
        assert (row.r_score, row.f_score, row.m_score) == scores[row.account_id], row.account_id
    events = list(SegmentEvent.objects.filter(pk__gt=last_event).order_by("pk"))
    assert Counter((e.account_id, e.segment, e.entered) for e in events) == Counter(
        [(a, s, True) for a, s in after - before] + [(a, s, False) for a, s in before - after]
    )
    assert {e.occurred_at for e in events} <= {now}
    return after, max([last_event] + [e.pk for e in events])


def _check_ranks(club) -> None:
    """The night's borders score every member as its rank in the channel says (ties share a score)."""
    rows = list(MemberOrderStats.objects.filter(program=club, orders__gt=0))
    for d, value in (("r", "last_order_at"), ("f", "orders"), ("m", "monetary")):
        values = [getattr(row, value) for row in rows]
        for row in rows:
            below = sum(1 for other in values if other < getattr(row, value))
            assert getattr(row, f"{d}_score") == 1 + (5 * below) // len(rows), (d, row.account_id)


def test_random_nights_and_order_hooks_follow_the_rules(club, members, buy):
    rng = random.Random(11)
    users = members(MEMBERS)

    def random_orders(user, start: datetime, days: int, count: int) -> None:
        for _ in range(count):
            at = start + timedelta(days=rng.randrange(days), minutes=rng.randrange(24 * 60))
            buy(user, at, amount=f"{rng.choice([40, 80, 120, 200, 450])}.00")

    for user in users:
        random_orders(user, T0 - timedelta(days=400), 400, rng.choice([1, 1, 1, 2, 3, 4, 6]))

    memberships, last_event, now = set(), 0, T0
    for _ in range(5):  # nights
        segments.compute_segments(now=now, batch_size=rng.randint(1, 9))
        borders = _borders(segments.last_borders(club))
        memberships, last_event = _check_step(club, memberships, last_event, borders, now)
        _check_ranks(club)
        sizes = dict(
            SegmentSnapshot.objects.filter(program=club, day=now.date()).values_list("segment", "size")
        )
        assert sizes == {
            segment: sum(1 for _, s in memberships if s == segment) for segment in NamedSegment.values
        }

        hook_at = now + timedelta(hours=5)
        for user in rng.sample(users, 4):  # orders between nights, each followed by the order hook
            random_orders(user, hook_at - timedelta(days=2), 2, 1)
            account = LoyaltyAccount.objects.get(program=club, user=user)
            segments.refresh_member(account, now=hook_at)
            memberships, last_event = _check_step(
                club, memberships, last_event, borders, hook_at, only=account.pk
            )
        now += timedelta(days=rng.choice([1, 9, 30, 70]))
