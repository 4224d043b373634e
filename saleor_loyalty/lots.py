"""Which points are left in which lot: a pure replay of an account's ledger rows, no database.

Lots are the rows that bring points in (earns, positive adjustments, guest points merged in). The
ledger never stores "what is left of a lot"; it is derived here, so it can never drift:

- a row aimed at one lot (an earn reversal, an expiry: `reverses_id`) takes from that lot;
- any other debit (a deduction, a redemption) takes from the soonest-expiring lot still alive at
  that moment (lots that never expire last, older first among equals): spending soonest-expiring
  first means members lose as few points as possible to expiry;
- what a debit cannot find becomes debt, and the next lots pay the debt before anything else.
"""

from dataclasses import dataclass, field
from datetime import datetime


Instant = datetime | int  # a datetime, or epoch microseconds (the database path): one kind per replay


@dataclass(frozen=True)
class Row:
    id: int
    points: int
    created_at: Instant
    expires_at: Instant | None = None
    reverses_id: int | None = None


@dataclass
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
            lot for lot in self.lots.values()
            if lot.remaining > 0 and (moment is None or lot.expires_at is None or lot.expires_at >= moment)
        ]
        return sorted(lots, key=lambda lot: (lot.expires_at is None, lot.expires_at or lot.created_at, lot.id))

    def next_expiring(self, now: Instant) -> tuple[int, Instant] | None:
        """Points left in the lots that expire soonest after `now`, and when (the earliest instant)."""
        upcoming = [lot for lot in self.alive(now) if lot.expires_at is not None]
        if not upcoming:
            return None
        first = upcoming[0].expires_at
        return sum(lot.remaining for lot in upcoming if lot.expires_at == first), first


def replay(rows: list[Row]) -> Replay:
    """Rows must be in ledger order (primary key)."""
    state = Replay()
    for row in rows:
        if row.points > 0 and row.reverses_id is None:
            paid_debt = min(row.points, state.debt)
            state.debt -= paid_debt
            state.lots[row.id] = Lot(row.id, row.points, row.points - paid_debt, row.expires_at, row.created_at)
        elif row.points < 0 and row.reverses_id in state.lots:
            lot = state.lots[row.reverses_id]
            taken = min(-row.points, lot.remaining)
            lot.remaining -= taken
            state.debt += -row.points - taken
        elif row.points < 0:
            _spend(state, -row.points, row.created_at)
    return state


def _spend(state: Replay, points: int, moment: Instant) -> None:
    for lot in state.alive(moment):
        taken = min(points, lot.remaining)
        lot.remaining -= taken
        points -= taken
        if points == 0:
            return
    state.debt += points
