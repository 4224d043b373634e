"""Money on the club API's output: always `{ amount currency }`, the way Saleor's `Money` is.

Amounts are rounded to the currency's decimals in `core.money` before they get here.
"""

import graphene
from prices import Money

from saleor_loyalty.core.money import quantize_money


class MoneyType(graphene.ObjectType):
    """An amount of money in a currency."""

    amount = graphene.Float(required=True, description="Amount in the currency's units (₪, $).")
    currency = graphene.String(required=True, description="ISO 4217 code.")

    class Meta:
        name = "LoyaltyMoney"

    @staticmethod
    def from_money(money: Money) -> "MoneyType":
        return MoneyType(amount=money.amount, currency=money.currency)

    @staticmethod
    def of(amount, currency: str) -> "MoneyType":
        """An amount rounded to the currency's minor unit (not for per-point values, which are finer)."""
        return MoneyType.from_money(quantize_money(amount, currency))
