"""Which points are left in which lot: a pure replay of an account's ledger rows, no database.

Lots are the rows that bring points in (earns, positive adjustments, guest points merged in). The
ledger never stores "what is left of a lot"; it is derived here, so it can never drift:

- a row aimed at one lot (an earn reversal, an expiry: `reverses_id`) takes from that lot;
- any other debit (a deduction, a redemption) takes from the soonest-expiring lot still alive at
  that moment (lots that never expire last, older first among equals): spending soonest-expiring
  first means members lose as few points as possible to expiry;
- what a debit cannot find becomes debt, and the next lots pay the debt before anything else.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

Instant = datetime | int  # a datetime, or epoch microseconds (the database path): one kind per replay


class Row(NamedTuple):
    """A ledger row as the replay needs it (a plain tuple: the nightly expiry builds millions)."""

    id: int
    points: int
    created_at: Instant
    expires_at: Instant | None = None
    reverses_id: int | None = None


@dataclass(slots=True)
class Lot:
    id: int
    points: int
    remaining: int
    expires_at: Instant | None
    created_at: Instant


@dataclass
class Replay:
    lots: dict[int, Lot] = field(default_factory=dict)
    debt: int = 0

    def alive(self, moment: Instant | None = None) -> list[Lot]:
        """Lots with points left, in spending order, ignoring lots already expired at `moment`."""
        lots = [
            lot
            for lot in self.lots.values()
            if lot.remaining > 0 and (moment is None or lot.expires_at is None or lot.expires_at >= moment)
        ]
        return sorted(
            lots, key=lambda lot: (lot.expires_at is None, lot.expires_at or lot.created_at, lot.id)
        )

    def next_expiring(self, now: Instant) -> tuple[int, Instant] | None:
        """Points left in the lots that expire soonest after `now`, and when (the earliest instant)."""
        upcoming = [lot for lot in self.alive(now) if lot.expires_at is not None]
        if not upcoming:
            return None
        first = upcoming[0].expires_at
        return sum(lot.remaining for lot in upcoming if lot.expires_at == first), first


def replay(rows: Iterable[Row]) -> Replay:
    """Rows must be in ledger order (primary key); plain tuples of Row's fields do as well."""
    state = Replay()
    lots = state.lots
    for row_id, points, created_at, expires_at, reverses_id in rows:
        if points > 0 and reverses_id is None:
            paid_debt = min(points, state.debt)
            state.debt -= paid_debt
            lots[row_id] = Lot(row_id, points, points - paid_debt, expires_at, created_at)
        elif points < 0 and reverses_id in lots:
            lot = lots[reverses_id]
            taken = min(-points, lot.remaining)
            lot.remaining -= taken
            state.debt += -points - taken
        elif points < 0:
            _spend(state, -points, created_at)
    return state


def _spend(state: Replay, points: int, moment: Instant) -> None:
    for lot in state.alive(moment):
        taken = min(points, lot.remaining)
        lot.remaining -= taken
        points -= taken
        if points == 0:
            return
    state.debt += points
