"""What an order would do to a member's tier: "this order makes you Gold", for previews and reminders."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from saleor_loyalty.models import LoyaltyAccount, LoyaltyProgram, Tier, TierBasis
from saleor_loyalty.tiers.ladder import current_tier, highest_entered, ladder, qualifying_amount


def tier_after(
    program: LoyaltyProgram, account: LoyaltyAccount | None, extra: Decimal, now: datetime | None = None
) -> tuple[Tier | None, bool]:
    """The tier a member would hold with `extra` more qualifying spend or points, and whether that is a move up."""
    tiers = ladder(program)
    tier = current_tier(account, tiers)
    if tier is None:
        return None, False
    reached = highest_entered(tiers, qualifying_amount(program, account, now or timezone.now()) + extra)
    if reached is None or reached.position <= tier.position:
        return tier, False
    return reached, True


@dataclass(frozen=True)
class TierOutlook:
    """The tier a member holds once an order is paid, and whether that order is what gets them there."""

    tier_id: int
    name: str
    reached: bool


def tier_outlook(
    program: LoyaltyProgram,
    account: LoyaltyAccount | None,
    base: Decimal,
    points: int,
    now: datetime | None = None,
) -> TierOutlook | None:
    """ "This order makes you Gold": an order adds its accrual base (spend basis), its points, or one
    order (orders basis; an order that earns nothing writes no earn row, so it does not count)."""
    extra = {
        TierBasis.SPEND: base,
        TierBasis.POINTS: Decimal(points),
        TierBasis.ORDERS: Decimal(1 if points > 0 else 0),
    }[program.tier_basis]
    tier, reached = tier_after(program, account, extra, now)
    return TierOutlook(tier_id=tier.pk, name=tier.name, reached=reached) if tier is not None else None
