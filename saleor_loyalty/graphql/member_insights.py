"""A member's segments, RFM scores and signals, read for a whole page of members at once.

`members` records its page's accounts in the request's loaders; the first member field of this kind that
resolves loads them all (a fixed number of queries per page, never one per member). `member` and `me`
load their one account the same way.
"""

from django.utils import timezone

from saleor_loyalty.graphql.segment_types import CartedItemType, RfmType, SegmentMembershipType, SignalsType
from saleor_loyalty.insights import segments, signals
from saleor_loyalty.models import MemberOrderStats

PAGE, LOADED = "member_page", "member_insights"


def remember_page(info, accounts) -> None:
    info.context.loaders[PAGE] = list(accounts)


def _load(info, view) -> tuple:
    loaded = info.context.loaders.setdefault(LOADED, {})
    if view.account.pk not in loaded:
        page = [a for a in info.context.loaders.get(PAGE, []) if a.pk not in loaded]
        accounts = page if any(a.pk == view.account.pk for a in page) else [view.account]
        ids = [account.pk for account in accounts]
        memberships = segments.segments_of(ids)
        stats = {row.account_id: row for row in MemberOrderStats.objects.filter(account_id__in=ids)}
        found = signals.signals_of(accounts, view.program.channel_slug, timezone.now())
        for account_id in ids:
            loaded[account_id] = (memberships[account_id], stats.get(account_id), found[account_id])
    return loaded[view.account.pk]


def segments_field(info, view) -> list:
    if view.account is None:
        return []
    return [SegmentMembershipType(segment=row.segment, since=row.since) for row in _load(info, view)[0]]


def rfm_field(info, view):
    stats = _load(info, view)[1] if view.account is not None else None
    if stats is None or stats.orders == 0:
        return None
    return RfmType(
        recency=stats.r_score,
        frequency=stats.f_score,
        monetary=stats.m_score,
        orders=stats.orders,
        usual_interval_days=float(stats.interval_days) if stats.interval_days is not None else None,
        last_order_at=stats.last_order_at,
    )


def signals_field(info, view):
    if view.account is None:
        return SignalsType(carted_again=[], basket_trend=None, shrinking_basket=False)
    found = _load(info, view)[2]
    return SignalsType(
        carted_again=[CartedItemType(name=item.name, times=item.times) for item in found.carted_again],
        basket_trend=float(found.basket_trend) if found.basket_trend is not None else None,
        shrinking_basket=found.shrinking_basket,
    )
