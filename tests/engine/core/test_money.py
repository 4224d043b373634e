"""All rounding of points and money, without a database: who gets the odd agora, and floats refused."""

from decimal import Decimal

import pytest
from prices import Money

from saleor_loyalty.core.money import (
    cashback_for_amount,
    fits_currency,
    points_for_amount,
    points_within,
    points_worth,
    proportional_money,
    proportional_points,
    quantize_money,
)


def test_points_are_rounded_down_so_nobody_gets_a_point_not_paid_for():
    assert points_for_amount(Decimal("99.99"), Decimal(1)) == 99
    assert points_for_amount(Decimal("33.33"), Decimal("1.5")) == 49  # 49.995
    assert points_for_amount(Decimal("-5"), Decimal(1)) == 0


def test_money_is_rounded_half_up_to_the_currencys_minor_unit():
    assert quantize_money(Decimal("10.005"), "ILS") == Money(Decimal("10.01"), "ILS")
    assert quantize_money(Decimal("10.5"), "JPY") == Money(Decimal("11"), "JPY")
    assert quantize_money(Decimal("1.0004"), "KWD") == Money(Decimal("1.000"), "KWD")


def test_points_worth_never_goes_negative():
    assert points_worth(450, Decimal("0.05"), "ILS") == Money(Decimal("22.50"), "ILS")
    assert points_worth(-20, Decimal("0.05"), "ILS") == Money(Decimal("0.00"), "ILS")


def test_partial_reversals_add_up_exactly_to_the_whole():
    # given 100 points and a ₪300 order refunded in three thirds, each time the cumulative share
    steps = [proportional_points(100, Decimal(part), Decimal(300)) for part in (100, 200, 300)]
    # then the cumulative targets are 33, 67, 100: the three reversals are 33 + 34 + 33
    assert steps == [33, 67, 100]
    assert proportional_points(100, Decimal(400), Decimal(300)) == 100
    assert proportional_points(100, Decimal(0), Decimal(300)) == 0


def test_proportional_money_never_exceeds_the_amount():
    assert proportional_money(Decimal("10.00"), Decimal(1), Decimal(3), "ILS") == Money(
        Decimal("3.33"), "ILS"
    )
    assert proportional_money(Decimal("10.00"), Decimal(5), Decimal(3), "ILS") == Money(
        Decimal("10.00"), "ILS"
    )


def test_cashback_is_rounded_down():
    assert cashback_for_amount(Decimal("33.33"), Decimal(3), "ILS") == Money(Decimal("0.99"), "ILS")


def test_amounts_that_fit_a_currency():
    assert fits_currency(Decimal("5.10"), "ILS")
    assert not fits_currency(Decimal("5.105"), "ILS")
    assert not fits_currency(Decimal("5.5"), "JPY")


def test_points_within_a_cap_are_whole_and_rounded_down():
    assert points_within(Decimal("10.00"), Decimal("0.03")) == 333
    assert points_within(Decimal("0"), Decimal("0.05")) == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda: points_for_amount(10.0, Decimal(1)),
        lambda: quantize_money(1.1, "ILS"),
        lambda: cashback_for_amount(Decimal(10), 2.5, "ILS"),
        lambda: points_worth(1.0, Decimal("0.05"), "ILS"),
    ],
)
def test_floats_are_refused_before_they_can_round_wrongly(call):
    with pytest.raises(TypeError):
        call()
