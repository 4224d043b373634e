"""Behaviour signals shown on a member: items carted again and again, a shrinking basket.

Carted again: the same item (by name, as the cart showed it) in two or more of the person's abandoned
carts of the last 90 days, from cart recovery's snapshots (matched by account or email). A shrinking
basket: the last three orders average under 80 % of the three before (`rfm.SHRINKING`). Both are read for
a whole page of members in one query each.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Q

from saleor_loyalty.insights.rfm import SHRINKING, email_hash
from saleor_loyalty.models import AbandonedCheckout, LoyaltyAccount, MemberOrderStats

LOOKBACK = timedelta(days=90)
MAX_ITEMS = 10


@dataclass(frozen=True)
class CartedItem:
    name: str
    times: int


@dataclass(frozen=True)
class Signals:
    carted_again: list[CartedItem]
    basket_trend: Decimal | None

    @property
    def shrinking_basket(self) -> bool:
        return self.basket_trend is not None and self.basket_trend < SHRINKING


def signals_of(accounts: list[LoyaltyAccount], channel: str, now: datetime) -> dict[int, Signals]:
    """Both signals of these members of one channel: two queries, whatever their number."""
    if not accounts:
        return {}
    by_user = {a.user_id: a.pk for a in accounts if a.user_id is not None}
    by_hash = {email_hash(a.email): a.pk for a in accounts if a.email}
    carts = AbandonedCheckout.objects.filter(
        Q(user_id__in=list(by_user)) | Q(email_hash__in=list(by_hash)),
        channel_slug=channel,
        detected_at__gte=now - LOOKBACK,
    ).values_list("user_id", "email_hash", "lines")
    counts: dict[int, Counter] = defaultdict(Counter)
    for user_id, hashed, lines in carts:
        owner = by_user.get(user_id) or by_hash.get(hashed)
        if owner is not None:
            counts[owner].update({line.get("name", "") for line in lines if line.get("name")})
    trends = dict(
        MemberOrderStats.objects.filter(account_id__in=[a.pk for a in accounts]).values_list(
            "account_id", "basket_trend"
        )
    )
    return {
        account.pk: Signals(
            carted_again=[
                CartedItem(name, times)
                for name, times in sorted(counts[account.pk].items(), key=lambda item: (-item[1], item[0]))
                if times >= 2
            ][:MAX_ITEMS],
            basket_trend=trends.get(account.pk),
        )
        for account in accounts
    }
