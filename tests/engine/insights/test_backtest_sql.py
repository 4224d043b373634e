"""The backtest's aggregate statement answers exactly what the order-by-order replay answers.

Random recorded histories (orders before and inside the replayed months, partial refunds, cancellations,
a refund recorded before its order) under every tier window, replayed both ways for the current ladder and
a proposal: every figure and the tier distribution must be equal.
"""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from saleor_loyalty.core.clock import add_months
from saleor_loyalty.insights import backtest
from saleor_loyalty.insights.backtest import Proposal, ProposedTier
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount, TierWindow

NOW = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)
PROPOSAL = Proposal(
    earn_rate=Decimal("1.5"),
    point_value=Decimal("0.05"),
    cashback_percent=Decimal(1),
    tiers=(
        ProposedTier("Base", Decimal(0)),
        ProposedTier("Silver", Decimal(1000), Decimal("1.25")),
        ProposedTier("Gold", Decimal(4000), Decimal(2), Decimal(4)),
    ),
)


@pytest.fixture
def recorded(club, django_user_model):
    rng = random.Random(11)
    accounts = [
        LoyaltyAccount.objects.create(
            program=club,
            user=django_user_model.objects.create(username=f"b{i}", email=f"b{i}@example.co.il"),
            email=f"b{i}@example.co.il",
        )
        for i in range(30)
    ]
    entries = []
    for n in range(400):
        account = rng.choice(accounts)
        at = NOW - timedelta(days=rng.randint(0, 560), minutes=rng.randint(0, 1440))
        base = Decimal(rng.randint(500, 60000)) / 100
        entries.append(_row(account, EntryKind.EARN, f"order:{n}", int(base), at, {"base": str(base)}))
    earns = LedgerEntry.objects.bulk_create(entries)
    refunds = []
    for n, earn in enumerate(rng.sample(earns, 80)):
        base = Decimal(earn.detail["base"])
        detail = {} if n % 5 == 0 else {"base_reversed": str((base * rng.choice([1, 2, 3])) / 4)}
        at = (
            earn.occurred_at + timedelta(days=rng.randint(1, 40))
            if n != 7
            else earn.occurred_at - timedelta(1)
        )
        refunds.append(
            _row(earn.account, EntryKind.EARN_REVERSAL, f"refund:{n}", -earn.points // 4, at, detail)
        )
        refunds[-1].reverses = earn
    LedgerEntry.objects.bulk_create(refunds)
    return club


def _row(account, kind, key, points, at, detail) -> LedgerEntry:
    return LedgerEntry(
        account=account,
        kind=kind,
        points=points,
        source_key=key,
        money_amount=Decimal(detail.get("base", 0)),
        detail=detail,
        available_at=at,
        occurred_at=at,
    )


def _both_ways(program, months):
    since = datetime.combine(add_months(NOW.date(), -months), NOW.timetz())
    members = LoyaltyAccount.objects.filter(program=program).count()
    events = backtest._events(program, since, NOW)
    before = backtest._before(program, since)
    replayed = (
        sum(row[3] for row in events),
        backtest._replay(program, None, events, before, members),
        backtest._replay(program, PROPOSAL, events, before, members),
    )
    return backtest._in_sql(program, PROPOSAL, since, NOW, members), replayed


@pytest.mark.parametrize(
    "window", [TierWindow.LIFETIME, TierWindow.ROLLING_12_MONTHS, TierWindow.CALENDAR_YEAR]
)
@pytest.mark.parametrize("months", [6, 18])
def test_the_statement_gives_what_the_replay_gives(recorded, window, months):
    recorded.tier_window = window
    recorded.save()
    in_sql, replayed = _both_ways(recorded, months)
    assert in_sql == replayed
    current, proposed = in_sql[1:]
    assert current.orders > 100
    assert current.points_reversed > 0
    assert len([size for size in proposed.tier_distribution.values() if size]) >= 2  # the ladder is climbed
