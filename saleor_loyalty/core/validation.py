"""Checks shared by every settings form (program, tiers, recovery): one wording, one behaviour."""

from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from saleor_loyalty.exceptions import LoyaltyError


def number(
    value, field: str, error: type[LoyaltyError], low: Decimal | None = None, high: Decimal | None = None
) -> Decimal:
    """A finite decimal, optionally within [low, high]; floats are read through str, never as binary."""
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise error("Must be a number.", field) from None
    if not result.is_finite():
        raise error("Must be a number.", field)
    if (low is not None and result < low) or (high is not None and result > high):
        raise error(f"Must be from {low} to {high}.", field)
    return result


def whole_number(value, field: str, error: type[LoyaltyError], low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise error(f"Must be a whole number from {low} to {high}.", field)
    return value


def timezone_name(value, field: str, error: type[LoyaltyError]) -> str:
    """An IANA zone name: 'midnight', 'end of day' and 'Shabbat' are computed in it."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise error(f"Unknown timezone '{value}'.", field) from None
    return value
