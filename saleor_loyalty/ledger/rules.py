"""Accrual rules: from an order's facts to points, and from refund facts to points to reverse.

Pure functions with no database access. An earn's `detail` snapshot records everything the
computation used, so a reversal months later uses the rate and base of that day, never today's.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from saleor_loyalty.core.clock import lot_expiry
from saleor_loyalty.core.facts import NO_TIER, EarnTier, OrderFacts
from saleor_loyalty.core.money import points_for_amount, proportional_points

RULE_BASE_RATE = "base-rate"


@dataclass(frozen=True)
class EarnComputation:
    points: int
    base: Decimal
    available_at: datetime
    expires_at: datetime | None
    detail: dict


def _cash_share(facts: OrderFacts) -> tuple[Decimal, Decimal]:
    """(order value before gift cards, share of it paid with something other than gift cards).

    Saleor's legacy flow leaves gift-card money out of `order.total`; the transaction flow keeps it
    in and charges it as a transaction (one order can have both). Either way points are only given
    for the money that was not gift-card or store credit.
    """
    in_total = max(facts.gift_card_paid, Decimal(0))
    outside_total = max(facts.legacy_gift_card_paid, Decimal(0))
    whole = facts.total_gross + outside_total
    if whole <= 0:
        return Decimal(0), Decimal(0)
    cash = max(whole - in_total - outside_total, Decimal(0))
    return whole, cash / whole


def compute_earn(program, facts: OrderFacts, paid_at: datetime, tier: EarnTier = NO_TIER) -> EarnComputation:
    """Points for a paid order: goods after discounts, no shipping, no gift-card products, no gift-card money.

    The member's tier multiplies the rate; the snapshot keeps tier and multiplier so later
    reversals and audits see what was used, whatever the tier is by then.
    """
    whole, share = _cash_share(facts)
    lines, base = [], Decimal(0)
    for line in facts.lines:
        if line.is_gift_card:
            continue
        amount = line.total_gross if program.include_tax else line.total_net
        line_base = amount * share
        base += line_base
        lines.append(
            {
                "line_id": line.line_id,
                "sku": line.sku,
                "name": line.product_name,
                "quantity": line.quantity,
                "amount": str(amount),
                "base": str(line_base),
            }
        )
    points = points_for_amount(base, program.earn_rate * tier.earn_multiplier)
    available_at = paid_at + timedelta(days=program.pending_days)
    detail = {
        "rule": RULE_BASE_RATE,
        "currency": facts.currency,
        "earn_rate": str(program.earn_rate),
        "tier_id": tier.tier_id,
        "tier": tier.name,
        "earn_multiplier": f"{Decimal(tier.earn_multiplier).normalize():f}",
        "paid_at": paid_at.isoformat(),
        "include_tax": program.include_tax,
        "cash_share": str(share),
        "base": str(base),
        # Refunds are measured against `order.total`: in the legacy flow that is the cash paid (gift-card
        # money left it, and orderRefund returns only cash), in the transaction flow the whole order
        # (refunds then include gift-card transactions). So a full refund reverses everything in both.
        "refund_basis": str(facts.total_gross),
        "lines": lines,
    }
    return EarnComputation(
        points=points,
        base=base,
        available_at=available_at,
        expires_at=lot_expiry(paid_at, program.expiry_months, program.timezone),
        detail=detail,
    )


@dataclass(frozen=True)
class ReversalTarget:
    """How many of an earn's points should be reversed in total, and the Saleor fact that says so."""

    points: int
    source_key: str
    reason: str
    money_amount: Decimal | None


def reversal_target(earn_points: int, earn_detail: dict, facts: OrderFacts) -> ReversalTarget | None:
    """The cumulative reversal an order's current state calls for, or None when nothing is refunded.

    A cancellation reverses everything. Refunds reverse the refunded share of the value the points
    were computed on, measured against the refund basis recorded at earn time.
    """
    if facts.is_cancelled:
        return ReversalTarget(earn_points, f"cancel:{facts.order_id}", "Order cancelled", None)
    if facts.refunded_amount <= 0:
        return None
    basis = Decimal(earn_detail["refund_basis"])
    points = proportional_points(earn_points, facts.refunded_amount, basis)
    return ReversalTarget(
        points,
        f"refund:{facts.order_id}:{facts.refunded_amount.normalize():f}",
        f"Refunded {facts.refunded_amount.normalize():f} {facts.currency}",
        facts.refunded_amount,
    )
