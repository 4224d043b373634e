"""Accrual rules: from an order's facts to points, and from refund facts to points to reverse.

Pure functions with no database access. An earn's `detail` snapshot records everything the
computation used, down to each line's base and points, so a reversal months later uses the rate
and base of that day, never today's: a refund of some lines reverses exactly what those lines
earned, a shipping-only refund nothing, and a refund Saleor gives as an amount alone the refunded
share of the whole order (the only rule older earn rows, without per-line points, know).
"""

import hashlib
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
    rate = program.earn_rate * tier.earn_multiplier
    points = points_for_amount(base, rate)
    bases = [Decimal(line["base"]) for line in lines]
    for line, line_points in zip(lines, allocate_points(points, bases), strict=True):
        line["points"] = line_points
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


def allocate_points(points: int, bases: list[Decimal]) -> list[int]:
    """Split an order's points over its lines by base, largest remainder first; they add up to `points`."""
    whole = sum(bases, Decimal(0))
    if whole <= 0:
        return [0] * len(bases)
    exact = [Decimal(points) * base / whole for base in bases]
    shares = [int(value) for value in exact]
    by_remainder = sorted(range(len(bases)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[: points - sum(shares)]:
        shares[i] += 1
    return shares


@dataclass(frozen=True)
class ReversalTarget:
    """How many of an earn's points should be reversed in total, and the Saleor fact that says so.

    `base_reversed` is how much of the earn's accrual base those refunds took back (what tier
    spend no longer counts); None for a cancellation, which takes it all.
    """

    points: int
    source_key: str
    reason: str
    money_amount: Decimal | None
    base_reversed: Decimal | None = None


def _amount(value: Decimal) -> str:
    return f"{value.normalize():f}"


def refund_state(facts: OrderFacts) -> str:
    """The order's cumulative refund state as a short text: the money, and what Saleor itemized."""
    if not facts.is_itemized_refund:
        return _amount(facts.refunded_amount)
    lines = ",".join(sorted(f"{line.line_id}x{line.quantity}" for line in facts.refunded_lines))
    itemized = f"{lines};shipping={int(facts.shipping_refunded)};{_amount(facts.itemized_refund_amount)}"
    return f"{_amount(facts.refunded_amount)}:lines-{hashlib.sha1(itemized.encode()).hexdigest()[:12]}"


def state_source_key(facts: OrderFacts) -> str | None:
    """The key of the reversal row an order's current facts call for, or None when they call for none.

    Computed from the facts alone, so a replay can look it up before reading anything else: the
    same facts always give the same key, a new refund a new one (refunds only accumulate).
    """
    if facts.is_cancelled:
        return f"cancel:{facts.order_id}"
    if facts.refunded_amount <= 0 and not facts.is_itemized_refund:
        return None
    return f"refund:{facts.order_id}:{refund_state(facts)}"


def _itemized_reversal(earn_points: int, detail: dict, facts: OrderFacts) -> tuple[int, Decimal]:
    """(points, base) the refunded lines earned as recorded, plus the share of any amount-only rest."""
    refunded = {}
    for line in facts.refunded_lines:
        refunded[line.line_id] = refunded.get(line.line_id, 0) + line.quantity
    points, base = 0, Decimal(0)
    for line in detail["lines"]:
        quantity = min(refunded.get(line["line_id"], 0), line["quantity"])
        if quantity > 0:
            points += proportional_points(line["points"], quantity, line["quantity"])
            base += Decimal(line["base"]) * quantity / line["quantity"]
    rest = max(facts.refunded_amount - facts.itemized_refund_amount, Decimal(0))
    if rest > 0:
        basis = Decimal(detail["refund_basis"])
        points += proportional_points(earn_points, rest, basis)
        base += (
            Decimal(detail["base"]) * min(rest / basis, Decimal(1)) if basis > 0 else Decimal(detail["base"])
        )
    return min(points, earn_points), min(base, Decimal(detail["base"]))


def has_line_points(detail: dict) -> bool:
    """Earn rows written before per-line points were recorded only know the proportional rule."""
    lines = detail.get("lines") or []
    return bool(lines) and all("points" in line for line in lines)


def reversal_target(earn_points: int, earn_detail: dict, facts: OrderFacts) -> ReversalTarget | None:
    """The cumulative reversal an order's current state calls for, or None when nothing is refunded.

    A cancellation reverses everything. Itemized refunds reverse what the refunded lines earned, as
    recorded on the earn (shipping earned nothing, so refunding it reverses nothing), plus the
    refunded share of any money refunded without lines. Refunds Saleor gives as amounts alone, and
    any refund of an earn recorded without per-line points, reverse the refunded share of the value
    the points were computed on, measured against the refund basis recorded at earn time.
    """
    key = state_source_key(facts)
    if key is None:
        return None
    if facts.is_cancelled:
        return ReversalTarget(earn_points, key, "Order cancelled", None)
    reason = f"Refunded {_amount(facts.refunded_amount)} {facts.currency}"
    if facts.is_itemized_refund and has_line_points(earn_detail):
        points, base = _itemized_reversal(earn_points, earn_detail, facts)
        lines = ", ".join(f"{line.line_id}\u00d7{line.quantity}" for line in facts.refunded_lines)
        parts = [f"lines {lines}"] if lines else []
        parts += ["shipping"] if facts.shipping_refunded else []
        reason += f" ({'; '.join(parts)})" if parts else ""
        return ReversalTarget(points, key, reason, facts.refunded_amount, base)
    basis = Decimal(earn_detail["refund_basis"])
    earn_base = Decimal(earn_detail["base"])
    share = min(facts.refunded_amount / basis, Decimal(1)) if basis > 0 else Decimal(1)
    points = proportional_points(earn_points, facts.refunded_amount, basis)
    return ReversalTarget(points, key, reason, facts.refunded_amount, earn_base * share)
