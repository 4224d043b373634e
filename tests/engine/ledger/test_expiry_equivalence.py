"""The batched expiry job against the pure replay, on randomized member histories.

The job reads instants as epoch microseconds, takes a member's due lots together and replays each
account once per batch; the reference here is the plain per-lot rule on datetime rows: in (expires_at,
id) order, each due lot loses what `lots.replay` says is left of it at that point. Histories mix
earns with end-of-local-day expiries (across DST changes), credits that never expire, redemptions,
deductions, merges, refund reversals of earlier lots, clamped zero-point reversals, debts, spending
after a lot's end but before its expiry row, and job runs in between with small batches.
"""

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import F

from saleor_loyalty import ledger
from saleor_loyalty.core.clock import lot_expiry
from saleor_loyalty.ledger import expiry
from saleor_loyalty.ledger.lots import Row, replay
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount

START = datetime(2026, 1, 1, 6, 0, tzinfo=UTC)
MEMBERS = 5
EVENTS = 160


def _insert(
    account_id: int,
    kind: str,
    points: int,
    at: datetime,
    expires_at=None,
    reverses_id=None,
    forgiven: int = 0,
) -> int:
    """A ledger row at a chosen instant (the ORM would stamp created_at with the real clock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {LedgerEntry._meta.db_table}
                (account_id, kind, points, forgiven_points, source_key, reverses_id, order_number, reason, detail,
                 available_at, expires_at, actor_label, occurred_at, created_at)
                VALUES (%s, %s, %s, %s, %s, %s, '', 'generated', '{{}}', %s, %s, 'test', %s, %s) RETURNING id""",
            [account_id, kind, points, forgiven, f"gen:{uuid.uuid4()}", reverses_id, at, expires_at, at, at],
        )
        entry_id = cursor.fetchone()[0]
    LoyaltyAccount.objects.filter(pk=account_id).update(balance=F("balance") + points)
    return entry_id


class History:
    """The members' rows as the reference sees them: datetimes, ledger order."""

    def __init__(self, account_ids):
        self.rows = {account_id: [] for account_id in account_ids}
        self.cursor = None

    def add(self, rng: random.Random, account_id: int, at: datetime) -> None:
        rows = self.rows[account_id]
        state = replay(rows)
        balance = sum(row.points for row in rows)
        earns = [
            row for row in rows if row.points > 0 and row.reverses_id is None and row.expires_at is not None
        ]
        roll = rng.random()
        if roll < 0.40:
            kind, points = EntryKind.EARN, rng.randint(1, 200)
            expires_at = lot_expiry(at, rng.choice([1, 2, 3, 12]), "Asia/Jerusalem")
            row_id = _insert(account_id, kind, points, at, expires_at=expires_at)
            rows.append(Row(row_id, points, at, expires_at))
        elif roll < 0.48:
            kind = rng.choice([EntryKind.ADJUSTMENT, EntryKind.MERGE_IN, EntryKind.BIRTHDAY])
            points = rng.randint(1, 80)
            expires_at = rng.choice([None, lot_expiry(at, 2, "Asia/Jerusalem")])
            row_id = _insert(account_id, kind, points, at, expires_at=expires_at)
            rows.append(Row(row_id, points, at, expires_at))
        elif roll < 0.75:
            kind = rng.choice(
                [EntryKind.REDEMPTION, EntryKind.REDEMPTION, EntryKind.ADJUSTMENT, EntryKind.MERGE_OUT]
            )
            points = -rng.randint(1, max(1, balance + 40))  # now and then more than the member has: debt
            row_id = _insert(account_id, kind, points, at)
            rows.append(Row(row_id, points, at))
        elif roll < 0.92 and earns:
            lot = rng.choice(earns)
            left = state.lots[lot.id].remaining
            points = -rng.randint(1, max(1, left + rng.choice([0, 0, 30])))
            row_id = _insert(account_id, EntryKind.EARN_REVERSAL, points, at, reverses_id=lot.id)
            rows.append(Row(row_id, points, at, reverses_id=lot.id))
        elif earns:
            lot = rng.choice(earns)  # a clamped reversal: nothing taken, the rest forgiven
            row_id = _insert(account_id, EntryKind.EARN_REVERSAL, 0, at, reverses_id=lot.id, forgiven=5)
            rows.append(Row(row_id, 0, at, reverses_id=lot.id))

    def expected_expiry(self, now: datetime) -> dict[int, int]:
        """What the per-lot rule expires at `now`: {lot id: expire row points}."""
        due = sorted(
            (row.expires_at, row.id, account_id)
            for account_id, rows in self.rows.items()
            for row in rows
            if row.points > 0
            and row.reverses_id is None
            and row.expires_at is not None
            and row.expires_at <= now
            and (self.cursor is None or (row.expires_at, row.id) > self.cursor)
        )
        expected, pending = {}, {account_id: [] for account_id in self.rows}
        for expires_at, lot_id, account_id in due:
            left = replay(self.rows[account_id] + pending[account_id]).lots[lot_id].remaining
            if left > 0:
                expected[lot_id] = -left
                pending[account_id].append(Row(-lot_id, -left, now, reverses_id=lot_id))
            self.cursor = (expires_at, lot_id)
        return expected

    def record_expiry(self, written) -> None:
        for entry in written:
            self.rows[entry.account_id].append(
                Row(entry.pk, entry.points, entry.created_at, None, entry.reverses_id)
            )


def _state(result):
    return {lot_id: lot.remaining for lot_id, lot in result.lots.items()}, result.debt


@pytest.mark.parametrize("seed", range(12))
def test_expiry_job_matches_the_pure_per_lot_replay(program, seed):
    rng = random.Random(seed)
    account_ids = [
        LoyaltyAccount.objects.create(program=program, email=f"m{i}@example.co.il").pk for i in range(MEMBERS)
    ]
    history = History(account_ids)
    at = START
    last_expire_id = 0

    for _ in range(EVENTS):
        at += timedelta(hours=rng.choice([1, 5, 20, 30, 70, 200, 400]))
        if rng.random() < 0.12:
            expected = history.expected_expiry(at)
            run = expiry.expire_due_lots(now=at, batch_size=rng.randint(1, 6))
            written = list(
                LedgerEntry.objects.filter(kind=EntryKind.EXPIRE, pk__gt=last_expire_id).order_by("pk")
            )
            last_expire_id = max([last_expire_id] + [entry.pk for entry in written])

            assert {entry.reverses_id: entry.points for entry in written} == expected
            assert (run.written, run.points) == (len(expected), -sum(expected.values()))
            history.record_expiry(written)
        else:
            history.add(rng, rng.choice(account_ids), at)

    database_path = ledger.replay_accounts(account_ids)
    for account_id, rows in history.rows.items():
        assert _state(database_path.get(account_id, replay([]))) == _state(replay(rows))
        assert ledger.reconcile_account(LoyaltyAccount.objects.get(pk=account_id)) == 0
    assert LedgerEntry.objects.filter(kind=EntryKind.EXPIRE).count() > 0
