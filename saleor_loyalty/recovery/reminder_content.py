"""What the club adds to a cart reminder: points this cart earns, points about to expire, next tier.

The same engine the ledger uses answers each part: the member's tier multiplier for the points,
the lot replay for what is left of the lots expiring soon, and the tier ladder for "this order
makes you Gold" (the cart's goods counted as spend, or its points, by the program's tier basis).
"""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from saleor_loyalty import ledger
from saleor_loyalty.core.money import points_for_amount
from saleor_loyalty.members.summary import find_account
from saleor_loyalty.models import LoyaltyProgram, TierBasis
from saleor_loyalty.tiers import ladder as tiers

EXPIRY_HORIZON = timedelta(days=30)


def goods_total(lines: list[dict]) -> Decimal:
    return sum((Decimal(line["total"]) for line in lines), Decimal(0))


def expiring_points(account, now: datetime) -> tuple[int, datetime | None]:
    """Points left in lots expiring within 30 days, and when the first of them expires."""
    replay = ledger.replay_accounts([account.pk]).get(account.pk)
    if replay is None:
        return 0, None
    horizon = ledger.to_micros(now + EXPIRY_HORIZON)
    soon = [
        lot
        for lot in replay.alive(ledger.to_micros(now))
        if lot.expires_at is not None and lot.expires_at <= horizon
    ]
    if not soon:
        return 0, None
    return sum(lot.remaining for lot in soon), ledger.from_micros(soon[0].expires_at)


def for_cart(channel_slug: str, user_id: int | None, email: str, lines: list[dict], now: datetime) -> dict:
    program = LoyaltyProgram.objects.filter(channel_slug=channel_slug, is_active=True).first()
    if program is None:
        return {}
    total = goods_total(lines)
    account = find_account(program, user_id=user_id, email=email)
    points = points_for_amount(total, program.earn_rate * tiers.earn_tier(program, account).earn_multiplier)
    angle = {"points_to_earn": points}
    if account is not None:
        expiring, first = expiring_points(account, now)
        if expiring > 0:
            angle.update(
                points_expiring=expiring,
                expiring_on=first.astimezone(ZoneInfo(program.timezone)).date().isoformat(),
            )
    extra = total if program.tier_basis == TierBasis.SPEND else Decimal(points)
    tier, reached = tiers.tier_after(program, account, extra, now)
    if reached:
        angle["tier_after"] = tier.name
    return angle
