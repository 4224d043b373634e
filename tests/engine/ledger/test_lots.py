"""The lot replay without a database: what is left of which lot after spending, reversals and expiry."""

from datetime import UTC, datetime, timedelta

from saleor_loyalty.ledger.lots import Row, replay

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(days):
    return T0 + timedelta(days=days)


def test_spending_takes_soonest_expiring_lot_first():
    rows = [
        Row(1, 100, at(0), expires_at=at(400)),
        Row(2, 100, at(10), expires_at=at(300)),
        Row(3, 50, at(20)),  # an adjustment: never expires, spent last
        Row(4, -120, at(30)),
    ]

    state = replay(rows)

    assert [(lot.id, lot.remaining) for lot in state.alive()] == [(1, 80), (3, 50)]


def test_reversal_takes_from_its_own_lot_and_overflow_becomes_debt():
    rows = [Row(1, 100, at(0), at(365)), Row(2, -90, at(20)), Row(3, -100, at(30), reverses_id=1)]

    state = replay(rows)

    assert state.lots[1].remaining == 0
    assert state.debt == 90


def test_next_lot_pays_debt_before_it_can_be_spent():
    rows = [
        Row(1, 100, at(0), at(365)),
        Row(2, -100, at(5)),
        Row(3, -100, at(6), reverses_id=1),
        Row(4, 250, at(7), at(372)),
    ]

    state = replay(rows)

    assert state.debt == 0
    assert state.lots[4].remaining == 150


def test_spending_never_uses_a_lot_already_past_its_expiry():
    rows = [
        Row(1, 100, at(0), expires_at=at(10)),
        Row(2, 100, at(1), expires_at=at(400)),
        Row(3, -50, at(11)),
    ]

    state = replay(rows)

    assert state.lots[1].remaining == 100  # waits for its expiry row
    assert state.lots[2].remaining == 50


def test_expiry_row_empties_its_lot():
    rows = [Row(1, 100, at(0), at(10)), Row(2, -30, at(5)), Row(3, -70, at(11), reverses_id=1)]

    assert replay(rows).lots[1].remaining == 0


def test_next_expiring_sums_lots_ending_at_the_same_instant():
    end = at(200)
    rows = [Row(1, 40, at(0), end), Row(2, 60, at(1), end), Row(3, 10, at(2), at(300)), Row(4, -15, at(3))]

    assert replay(rows).next_expiring(at(50)) == (85, end)
