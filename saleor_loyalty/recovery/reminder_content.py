"""What the club adds to a cart reminder: points this cart earns, points about to expire, next tier.

The same engine the ledger uses answers each part: accrual's own rules (`compute_earn`: tax as the
program counts it, no gift-card products, the member's tier multiplier) for the points, the lot
replay for what is left of the lots expiring soon, and the ladder's outlook for "this order makes
you Gold". A reminder never promises points the order would not earn.
"""

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import OrderFacts, OrderLineFacts
from saleor_loyalty.ledger.rules import compute_earn
from saleor_loyalty.members.summary import find_account
from saleor_loyalty.models import LoyaltyProgram, TierTranslation
from saleor_loyalty.tiers import ladder as tiers
from saleor_loyalty.tiers.outlook import tier_outlook

EXPIRY_HORIZON = timedelta(days=30)


def cart_as_order(program: LoyaltyProgram, lines: list[dict], now: datetime) -> OrderFacts:
    """The cart snapshot as the cash-paid order it would become (older snapshots lack net: gross is used)."""
    order_lines = tuple(
        OrderLineFacts(
            line_id=str(index),
            product_name=line.get("name", ""),
            sku="",
            quantity=line.get("quantity", 1),
            total_net=Decimal(line.get("net", line["total"])),
            total_gross=Decimal(line["total"]),
            is_gift_card=bool(line.get("gift_card", False)),
        )
        for index, line in enumerate(lines)
    )
    goods = sum((line.total_gross for line in order_lines), Decimal(0))
    return OrderFacts(
        order_id=uuid.uuid4(),
        number="",
        channel_slug=program.channel_slug,
        currency=program.currency,
        user_id=None,
        email="",
        lines=order_lines,
        shipping_gross=Decimal(0),
        total_gross=goods,
        is_paid=True,
        paid_at=now,
    )


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


def for_cart(
    channel_slug: str,
    user_id: int | None,
    email: str,
    lines: list[dict],
    now: datetime,
    language_code: str = "",
) -> dict:
    """The club's part of a reminder, with tier names in the reminder's language."""
    program = LoyaltyProgram.objects.filter(channel_slug=channel_slug, is_active=True).first()
    if program is None:
        return {}
    account = find_account(program, user_id=user_id, email=email)
    earn = compute_earn(program, cart_as_order(program, lines, now), now, tiers.earn_tier(program, account))
    angle = {"points_to_earn": earn.points}
    if account is not None:
        expiring, first = expiring_points(account, now)
        if expiring > 0:
            angle.update(
                points_expiring=expiring,
                expiring_on=first.astimezone(ZoneInfo(program.timezone)).date().isoformat(),
            )
    outlook = tier_outlook(program, account, earn.base, earn.points, now)
    if outlook is not None and outlook.reached:
        angle["tier_after"] = TierTranslation.objects.name_for(outlook.tier_id, outlook.name, language_code)
    return angle
