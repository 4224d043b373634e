"""All rounding of points and money happens here, so no caller can round differently.

Points are integers; money is `Decimal` with a currency. Floats are refused: a float price is
already wrong before any rounding.
"""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_precision
from prices import Money


def _require_decimal(value, what: str) -> Decimal:
    if isinstance(value, float) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal or int, got {type(value).__name__}")
    return Decimal(value)


def quantize_money(amount, currency: str) -> Money:
    """Money rounded half-up to the currency's minor unit (₪ 0.01, JPY 1)."""
    amount = _require_decimal(amount, "amount")
    exponent = Decimal(1).scaleb(-get_currency_precision(currency))
    return Money(amount.quantize(exponent, rounding=ROUND_HALF_UP), currency)


def points_for_amount(amount, earn_rate) -> int:
    """Points earned on an amount: always rounded down, so a customer never gets a point not paid for."""
    amount = _require_decimal(amount, "amount")
    rate = _require_decimal(earn_rate, "earn_rate")
    return max(int((amount * rate).to_integral_value(rounding=ROUND_DOWN)), 0)


def points_worth(points: int, point_value, currency: str) -> Money:
    """What a number of points is worth in money (never negative)."""
    if not isinstance(points, int):
        raise TypeError("points must be an int")
    return quantize_money(max(points, 0) * _require_decimal(point_value, "point_value"), currency)


def proportional_points(points: int, part, whole) -> int:
    """The share of `points` that `part` of `whole` represents, half-up, never above `points`.

    Used for reversals: reversing the cumulative share each time (not each refund's own share)
    means repeated partial refunds add up exactly to a full reversal, with no drift.
    """
    part = _require_decimal(part, "part")
    whole = _require_decimal(whole, "whole")
    if whole <= 0 or part >= whole:
        return points
    if part <= 0:
        return 0
    share = (Decimal(points) * part / whole).to_integral_value(rounding=ROUND_HALF_UP)
    return min(int(share), points)


def _minor_unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-get_currency_precision(currency))


def fits_currency(amount, currency: str) -> bool:
    """True when the amount needs no rounding in the currency (₪ 5.10 yes, ₪ 5.105 no, JPY 5.5 no)."""
    amount = _require_decimal(amount, "amount")
    return amount == amount.quantize(_minor_unit(currency))


def cashback_for_amount(amount, percent, currency: str) -> Money:
    """Cashback on an accrual base: rounded down, so a customer never gets credit not paid for."""
    amount = _require_decimal(amount, "amount")
    percent = _require_decimal(percent, "percent")
    value = max(amount * percent / Decimal(100), Decimal(0))
    return Money(value.quantize(_minor_unit(currency), rounding=ROUND_DOWN), currency)


def proportional_money(amount, part, whole, currency: str) -> Money:
    """The share of `amount` that `part` of `whole` represents, half-up, never above `amount`.

    Reversals take the cumulative share (like `proportional_points`), so partial refunds add up
    exactly to the whole amount.
    """
    amount, part, whole = (
        _require_decimal(v, n) for v, n in ((amount, "amount"), (part, "part"), (whole, "whole"))
    )
    if whole <= 0 or part >= whole:
        return quantize_money(amount, currency)
    if part <= 0:
        return Money(Decimal(0).quantize(_minor_unit(currency)), currency)
    return quantize_money(min(amount * part / whole, amount), currency)


def points_within(amount, point_value) -> int:
    """The most whole points whose worth does not exceed `amount` (for caps on redemption)."""
    amount = _require_decimal(amount, "amount")
    value = _require_decimal(point_value, "point_value")
    if amount <= 0 or value <= 0:
        return 0
    return int((amount / value).to_integral_value(rounding=ROUND_DOWN))
