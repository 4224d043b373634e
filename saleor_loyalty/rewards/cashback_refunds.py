"""What a refund takes back of an order's cashback: exactly the refunded lines' recorded cashback.

At earn time the cashback is split over the order's lines by their accrual base (largest remainder
in the currency's minor unit, so the lines add up to the earn) and recorded on each line. A refund
Saleor itemizes (granted refunds with lines, refunded fulfillments, shipping) takes back what those
lines were given, a share of a line for part of its quantity; shipping was never given cashback,
so a shipping-only refund takes nothing. Only money Saleor refunds as an amount alone takes the
refunded share of the whole order's cashback, as it always did. Targets are cumulative, like the
points' (`ledger.rules.reversal_target`), so repeated refunds add up with no drift.
"""

from decimal import Decimal

from saleor_loyalty.core.facts import OrderFacts
from saleor_loyalty.core.money import proportional_money
from saleor_loyalty.ledger.rules import allocate_points, refund_state
from saleor_loyalty.models import CreditEntry


def _unit(amount: Decimal) -> Decimal:
    """The smallest step the earn's amount is written in (₪ 0.01)."""
    return Decimal(1).scaleb(min(amount.as_tuple().exponent, 0))


def split_over_lines(amount: Decimal, lines: list[dict]) -> list[str]:
    """The cashback of each line, by accrual base; they add up to `amount` exactly."""
    unit = _unit(amount)
    units = int(amount / unit)
    shares = allocate_points(units, [Decimal(line["base"]) for line in lines])
    return [str(share * unit) for share in shares]


def _line_cashback(earn: CreditEntry) -> list[Decimal]:
    """Recorded per line; for earns recorded before that, split the same way from the recorded bases."""
    lines = earn.detail["lines"]
    if all("cashback" in line for line in lines):
        return [Decimal(line["cashback"]) for line in lines]
    return [Decimal(share) for share in split_over_lines(earn.amount, lines)]


def _itemized(earn: CreditEntry, facts: OrderFacts) -> Decimal:
    refunded: dict[str, int] = {}
    for line in facts.refunded_lines:
        refunded[line.line_id] = refunded.get(line.line_id, 0) + line.quantity
    taken = Decimal(0)
    for line, cashback in zip(earn.detail["lines"], _line_cashback(earn), strict=True):
        quantity = min(refunded.get(line["line_id"], 0), line["quantity"])
        if quantity > 0:
            taken += proportional_money(cashback, quantity, line["quantity"], earn.currency).amount
    rest = max(facts.refunded_amount - facts.itemized_refund_amount, Decimal(0))
    if rest > 0:
        basis = Decimal(earn.detail["refund_basis"])
        taken += proportional_money(earn.amount, rest, basis, earn.currency).amount
    return min(taken, earn.amount)


def reversal_target(earn: CreditEntry, facts: OrderFacts) -> tuple[Decimal, str] | None:
    """(cashback to have taken back in total, the source key of that refund state), or None."""
    if facts.is_cancelled:
        return earn.amount, f"cancel:{facts.order_id}"
    if facts.is_itemized_refund and earn.detail.get("lines"):
        return _itemized(earn, facts), f"refund:{facts.order_id}:{refund_state(facts)}"
    if facts.refunded_amount <= 0:
        return None
    taken = proportional_money(
        earn.amount, facts.refunded_amount, Decimal(earn.detail["refund_basis"]), earn.currency
    )
    return taken.amount, f"refund:{facts.order_id}:{facts.refunded_amount.normalize():f}"
