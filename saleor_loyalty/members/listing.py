"""The dashboard's member list: filters staff actually use, keyset pages that stay stable while members join."""

from dataclasses import dataclass, replace
from datetime import datetime

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone

from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.models import (
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    NamedSegment,
    SegmentMembership,
    Tier,
)
from saleor_loyalty.tiers.ladder import ladder
from saleor_loyalty.tiers.settings import tier_in_program


@dataclass(frozen=True)
class MemberFilter:
    tier_id: int | None = None
    balance_min: int | None = None
    balance_max: int | None = None
    last_order_from: datetime | None = None
    last_order_to: datetime | None = None
    search: str = ""
    membership: str | None = None  # "active", "ended" or "none"
    segment: str = ""


def _membership_condition(status: str) -> Q:
    """Running now (whatever the expiry job has got to), ended, or never bought."""
    running = Q(membership__status="active", membership__ends_at__gt=timezone.now())
    if status == "active":
        return running
    if status == "ended":
        return Q(membership__isnull=False) & ~running
    if status == "none":
        return Q(membership__isnull=True)
    raise LoyaltyError("Unknown membership status.", "filter")


def tier_condition(program: LoyaltyProgram, tier: Tier) -> Q:
    """`tier` null on an account means the program's first tier."""
    first = ladder(program)[0]
    return Q(tier=tier) | Q(tier__isnull=True) if tier.pk == first.pk else Q(tier=tier)


def members(program: LoyaltyProgram, wanted: MemberFilter):
    """Signed-up and guest accounts of the program (merged guests are gone), newest first by id."""
    if (
        wanted.balance_min is not None
        and wanted.balance_max is not None
        and wanted.balance_min > wanted.balance_max
    ):
        raise LoyaltyError("balanceMin is above balanceMax.", "filter")
    if wanted.last_order_from and wanted.last_order_to and wanted.last_order_from > wanted.last_order_to:
        raise LoyaltyError("lastOrderFrom is after lastOrderTo.", "filter")
    for moment in (wanted.last_order_from, wanted.last_order_to):
        if moment is not None and moment.tzinfo is None:
            raise LoyaltyError("Dates need a timezone (e.g. 2026-11-01T00:00:00+02:00).", "filter")
    accounts = LoyaltyAccount.objects.filter(program=program, merged_into__isnull=True)
    if wanted.tier_id is not None:
        accounts = accounts.filter(
            tier_condition(program, tier_in_program(program, wanted.tier_id, "filter"))
        )
    if wanted.balance_min is not None:
        accounts = accounts.filter(balance__gte=wanted.balance_min)
    if wanted.balance_max is not None:
        accounts = accounts.filter(balance__lte=wanted.balance_max)
    if wanted.membership is not None:
        accounts = accounts.filter(_membership_condition(wanted.membership))
    if wanted.segment:
        if wanted.segment not in NamedSegment.values:
            raise LoyaltyError("Unknown segment.", "filter")
        accounts = accounts.filter(
            pk__in=SegmentMembership.objects.filter(program=program, segment=wanted.segment).values(
                "account_id"
            )
        )
    if wanted.search.strip():
        accounts = accounts.filter(email__icontains=wanted.search.strip())
    if wanted.last_order_from or wanted.last_order_to:
        last_order = (
            LedgerEntry.objects.filter(account=OuterRef("pk"), kind=EntryKind.EARN)
            .values("account")
            .annotate(last=Max("occurred_at"))
            .values("last")
        )
        accounts = accounts.annotate(last_order_at=Subquery(last_order))
        if wanted.last_order_from:
            accounts = accounts.filter(last_order_at__gte=wanted.last_order_from)
        if wanted.last_order_to:
            accounts = accounts.filter(last_order_at__lte=wanted.last_order_to)
    return accounts.order_by("-pk")


def tier_filtered_count(program: LoyaltyProgram, wanted: MemberFilter, counted: dict) -> int | None:
    """The list's size when only a tier filters it, from one count per tier that a request's lists share
    (`counted`): the Overview asks the size of every tier at once. None for any other filter."""
    if replace(wanted, tier_id=None) != MemberFilter():
        return None
    if program.pk not in counted:
        live = LoyaltyAccount.objects.filter(program=program, merged_into__isnull=True).order_by()
        counted[program.pk] = dict(live.values_list("tier_id").annotate(accounts=Count("*")))
    counts = counted[program.pk]
    if wanted.tier_id is None:
        return sum(counts.values())
    first_tier = ladder(program)[0].pk == wanted.tier_id  # null on an account means the first tier
    return counts.get(wanted.tier_id, 0) + (counts.get(None, 0) if first_tier else 0)
