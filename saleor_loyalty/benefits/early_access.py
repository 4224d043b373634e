"""Early access: staff open Saleor products and collections to some tiers before their public launch.

- Items are marked per program by Saleor's numeric id. Marking is an upsert on the
  (program, kind, id) unique constraint, so a retried or doubled request leaves one row carrying
  the latest window and tier; unmarking deletes the rows (they are settings, not history).
- Who may see an item: members of its minimum tier or above; without one, members whose tier has
  the early-access benefit. Only inside its window: before `starts_at` nobody may, and from
  `ends_at` (the public launch) it is no longer gated, so it leaves the list altogether.
- Whether Saleor has the product or collection is asked through a `CatalogLookup` (the Saleor
  adapter's function in production, a stand-in in the engine tier), so the engine never imports Saleor.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from saleor_loyalty.core.facts import Actor
from saleor_loyalty.exceptions import CatalogItemNotFound, InvalidEarlyAccess, TierNotFound
from saleor_loyalty.models import EarlyAccessItem, EarlyAccessKind, LoyaltyAccount, LoyaltyProgram, Tier
from saleor_loyalty.tiers.ladder import current_tier, ladder

CatalogLookup = Callable[[str, frozenset[int]], set[int]]
"""(kind, ids) -> the ids among them that Saleor has, kind being "product" or "collection"."""

MAX_ITEMS_PER_REQUEST = 100
FIELD_OF_KIND = {EarlyAccessKind.PRODUCT: "products", EarlyAccessKind.COLLECTION: "collections"}


def _validate_items(items: dict[str, list[int]]) -> dict[str, frozenset[int]]:
    cleaned = {kind: frozenset(items.get(kind) or ()) for kind in FIELD_OF_KIND}
    total = sum(len(ids) for ids in cleaned.values())
    if total == 0:
        raise InvalidEarlyAccess("Give at least one product or collection.", "products")
    if total > MAX_ITEMS_PER_REQUEST:
        raise InvalidEarlyAccess(f"At most {MAX_ITEMS_PER_REQUEST} items per request.", "products")
    return cleaned


def _validate_window(starts_at: datetime | None, ends_at: datetime | None, now: datetime) -> None:
    for field, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if moment is not None and moment.utcoffset() is None:
            raise InvalidEarlyAccess(f"{field} needs a timezone offset.", field)
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise InvalidEarlyAccess("endsAt must be after startsAt.", "ends_at")
    if ends_at is not None and ends_at <= now:
        raise InvalidEarlyAccess("endsAt is already past: the item would be public at once.", "ends_at")


def _require_in_catalog(items: dict[str, frozenset[int]], catalog: CatalogLookup) -> None:
    for kind, ids in items.items():
        missing = sorted(ids - catalog(kind, ids)) if ids else []
        if missing:
            raise CatalogItemNotFound(
                f"Saleor has no {kind} with id {', '.join(map(str, missing))}.", FIELD_OF_KIND[kind]
            )


def mark_items(
    program: LoyaltyProgram,
    items: dict[str, list[int]],
    catalog: CatalogLookup,
    actor: Actor,
    *,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    minimum_tier_id: int | None = None,
    now: datetime | None = None,
) -> list[EarlyAccessItem]:
    """Mark Saleor products and collections for early access; every check runs before anything is written.

    The minimum tier is read with a row lock, so a concurrent deletion of that tier either sees
    these rows (and refuses) or has already removed the tier (and this call refuses).
    """
    now = now or timezone.now()
    cleaned = _validate_items(items)
    _validate_window(starts_at, ends_at, now)
    with transaction.atomic():
        tier = None
        if minimum_tier_id is not None:
            tier = Tier.objects.select_for_update().filter(pk=minimum_tier_id, program=program).first()
            if tier is None:
                raise TierNotFound("No such tier in this channel's program.", "minimum_tier")
        _require_in_catalog(cleaned, catalog)
        rows = [
            EarlyAccessItem(
                program=program,
                kind=kind,
                saleor_id=saleor_id,
                starts_at=starts_at,
                ends_at=ends_at,
                minimum_tier=tier,
                marked_by=actor.label,
            )
            for kind, ids in cleaned.items()
            for saleor_id in sorted(ids)
        ]
        EarlyAccessItem.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["program", "kind", "saleor_id"],
            update_fields=["starts_at", "ends_at", "minimum_tier", "marked_by", "updated_at"],
        )
    return list(_items_of(program, cleaned).order_by("kind", "saleor_id"))


def unmark_items(program: LoyaltyProgram, items: dict[str, list[int]]) -> int:
    """Stop gating these items; how many were marked. Unmarking an unmarked item is a no-op."""
    cleaned = _validate_items(items)
    deleted, _ = _items_of(program, cleaned).delete()
    return deleted


def _items_of(program: LoyaltyProgram, items: dict[str, frozenset[int]]):
    match = Q(pk__in=[])
    for kind, ids in items.items():
        if ids:
            match |= Q(kind=kind, saleor_id__in=ids)
    return EarlyAccessItem.objects.filter(match, program=program)


def open_to(item: EarlyAccessItem, tiers: list[Tier]) -> list[Tier]:
    """The tiers whose members may see the item while its window is open."""
    if item.minimum_tier_id is None:
        return [tier for tier in tiers if tier.early_access]
    floor = next((tier for tier in tiers if tier.pk == item.minimum_tier_id), None)
    return [tier for tier in tiers if floor is not None and tier.position >= floor.position]


@dataclass(frozen=True)
class ItemView:
    item: EarlyAccessItem
    locked: bool
    open_to: list[Tier]
    minimum_tier: Tier | None


def views_for(
    program: LoyaltyProgram,
    items,
    account: LoyaltyAccount | None,
    *,
    signed_in: bool,
    now: datetime | None = None,
) -> list[ItemView]:
    """Each item, locked or not for one caller at `now`.

    A signed-in customer without an account is in the first tier; anyone else (anonymous, apps)
    has no tier and sees every item locked.
    """
    now = now or timezone.now()
    tiers = ladder(program)
    tier = current_tier(account, tiers) if signed_in else None
    views = []
    for item in items:
        allowed = open_to(item, tiers)
        is_open = item.starts_at is None or item.starts_at <= now
        views.append(
            ItemView(
                item=item,
                locked=not (is_open and tier is not None and tier in allowed),
                open_to=allowed,
                minimum_tier=next((t for t in tiers if t.pk == item.minimum_tier_id), None),
            )
        )
    return views


def gated_items(
    program: LoyaltyProgram, account: LoyaltyAccount | None, *, signed_in: bool, now: datetime | None = None
) -> list[ItemView]:
    """Every item still gated (not launched yet), locked or not for the caller; two queries (ladder, items)."""
    now = now or timezone.now()
    items = (
        EarlyAccessItem.objects.filter(program=program)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .order_by("kind", "saleor_id")
    )
    return views_for(program, items, account, signed_in=signed_in, now=now)
