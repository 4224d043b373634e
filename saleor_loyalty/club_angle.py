"""What the club adds to a cart reminder: points this cart earns, points about to expire, next tier.

Small seams into the engine: the earn estimate uses the program's rate through `money.py` (the
same rounding as accrual); the tier preview is a merchant-provided callable
(LOYALTY_TIER_PREVIEW, `(program, account, goods_total) -> tier name | None`), so this module
knows nothing of how tiers work.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils.module_loading import import_string

from .members import find_account, summarize
from .models import EntryKind, LedgerEntry, LoyaltyProgram
from .money import points_for_amount

EXPIRY_HORIZON = timedelta(days=30)


def goods_total(lines: list[dict]) -> Decimal:
    return sum((Decimal(line["total"]) for line in lines), Decimal(0))


def expiring_points(account, now: datetime) -> tuple[int, datetime | None]:
    """Points of earns expiring within 30 days, never more than the member can spend."""
    soon = LedgerEntry.objects.filter(account=account, kind=EntryKind.EARN, expires_at__gt=now,
                                      expires_at__lte=now + EXPIRY_HORIZON)
    total = soon.aggregate(points=Sum("points"))["points"] or 0
    first = soon.order_by("expires_at").values_list("expires_at", flat=True).first()
    return min(total, summarize(account, now).available), first


def for_cart(channel_slug: str, user_id: int | None, email: str, lines: list[dict], now: datetime) -> dict:
    program = LoyaltyProgram.objects.filter(channel_slug=channel_slug, is_active=True).first()
    if program is None:
        return {}
    total = goods_total(lines)
    angle = {"points_to_earn": points_for_amount(total, program.earn_rate)}
    account = find_account(program, user_id=user_id, email=email)
    if account is not None:
        expiring, first = expiring_points(account, now)
        if expiring > 0:
            angle.update(points_expiring=expiring, expiring_on=first.date().isoformat())
    preview = getattr(settings, "LOYALTY_TIER_PREVIEW", "")
    if preview:
        tier = import_string(preview)(program, account, total)
        if tier:
            angle["tier_after"] = tier
    return angle
