"""Merge fields of campaign content: which exist, how content is checked at save, what they say per member.

Content uses `{name}`; a name not listed here is refused when the campaign is saved, never rendered
blank at send time. Values are computed only for the fields the content uses (points need a ledger
read, tier progress a qualification query, expiring points a lot replay), once per member, at claim
time: a retried message says exactly what the first attempt said.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Sum, prefetch_related_objects

from saleor_loyalty.core.money import points_worth
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.ledger import expiry, pending_points
from saleor_loyalty.ledger.accounts import PENDING_KINDS
from saleor_loyalty.models import (
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    TierBasis,
    TierTranslation,
)
from saleor_loyalty.tiers.ladder import ladder, qualifying_amounts, standing

FIELDS = {
    "first_name": "The member's first name (or 'club member' when unknown)",
    "points": "Points the member can spend now",
    "points_value": "What those points are worth in the channel's currency",
    "tier": "The member's tier, in the message's language",
    "next_tier": "The next tier up (empty at the top)",
    "to_next_tier": "What is missing to the next tier: money or points, by the program's basis",
    "tier_progress": "Percent of the way to the next tier",
    "expiring_points": "Points expiring next",
    "expiring_on": "The day they expire (dd/mm/yyyy, program time)",
    "incentive_points": "The variant's bonus points for an order",
}
TIER_FIELDS = {"tier", "next_tier", "to_next_tier", "tier_progress"}
_FIELD = re.compile(r"\{([^{}\s]*)\}")
LINK = re.compile(r"https?://[^\s<>\"'{}]+")
MAX_LINKS = 20
FALLBACK_NAME = {"he": "חבר/ת המועדון", "en": "club member"}
SYMBOLS = {"ILS": "₪", "USD": "$", "EUR": "€", "GBP": "£"}


class UnknownMergeField(LoyaltyError):
    """Content names a merge field the club does not know."""


def used_fields(text: str) -> set[str]:
    return set(_FIELD.findall(text or ""))


def check(text: str, field: str) -> None:
    unknown = sorted(used_fields(text) - set(FIELDS))
    if unknown:
        raise UnknownMergeField(
            f"Unknown merge field {{{unknown[0]}}}; known: {', '.join(sorted(FIELDS))}.", field
        )


def links(body: str) -> list[str]:
    """The content's own links, in order: a click link names one of these by index, never a URL."""
    return [url.rstrip(".,;:!?)") for url in LINK.findall(body or "")]


def money(amount: Decimal, currency: str) -> str:
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{amount:,.2f}" if symbol else f"{amount:,.2f} {currency}"


@dataclass(frozen=True)
class BatchData:
    """What a batch of members' merge fields need, read for all of them at once (`read_batch`)."""

    pending: dict[int, int]
    amounts: dict[int, Decimal] = field(default_factory=dict)
    names: dict[tuple[int, str], str] = field(default_factory=dict)
    expiring: dict[int, tuple[int, datetime] | None] = field(default_factory=dict)


def read_batch(program: LoyaltyProgram, account_ids: list[int], needed: set[str], now: datetime) -> BatchData:
    """The batch's data for the `needed` fields in a fixed number of queries, whatever the batch's size."""
    pending = pending_by_account(account_ids, now) if needed & {"points", "points_value"} else {}
    amounts, names, expiring = {}, {}, {}
    if needed & TIER_FIELDS:
        prefetch_related_objects([program], "tiers")  # `standing` then reads the ladder from it
        tiers = ladder(program)
        amounts = qualifying_amounts(program, account_ids, now)
        names = {
            (tier_id, language): name
            for tier_id, language, name in TierTranslation.objects.filter(
                tier_id__in=[tier.pk for tier in tiers]
            ).values_list("tier_id", "language_code", "name")
        }
    if needed & {"expiring_points", "expiring_on"}:
        expiring = expiry.next_expiring_of(account_ids, now)
    return BatchData(pending, amounts, names, expiring)


def values(
    account: LoyaltyAccount,
    program: LoyaltyProgram,
    needed: set[str],
    language: str,
    now: datetime,
    incentive_points: int = 0,
    batch: BatchData | None = None,
) -> dict[str, str]:
    """The values of the `needed` fields for one member (`batch`: read for the member's whole batch at once
    by `read_batch`; without it each field reads what it needs)."""
    found: dict[str, str] = {}
    if "first_name" in needed:
        name = (getattr(account.user, "first_name", "") or "").strip() if account.user_id else ""
        found["first_name"] = name or FALLBACK_NAME.get(language, FALLBACK_NAME["en"])
    if needed & {"points", "points_value"}:
        held = pending_points(account, now) if batch is None else batch.pending[account.pk]
        available = max(account.balance - held, 0)
        found["points"] = f"{available:,}"
        worth = points_worth(available, program.point_value, program.currency)
        found["points_value"] = money(worth.amount, worth.currency)
    if needed & TIER_FIELDS:
        found.update(_tier_values(account, program, language, now, batch))
    if needed & {"expiring_points", "expiring_on"}:
        upcoming = expiry.next_expiring(account, now) if batch is None else batch.expiring[account.pk]
        found["expiring_points"] = f"{upcoming[0]:,}" if upcoming else "0"
        found["expiring_on"] = (
            upcoming[1].astimezone(ZoneInfo(program.timezone)).strftime("%d/%m/%Y") if upcoming else ""
        )
    if "incentive_points" in needed:
        found["incentive_points"] = f"{incentive_points:,}"
    return found


def _tier_values(account, program, language: str, now: datetime, batch: BatchData | None) -> dict[str, str]:
    if batch is None:
        held = standing(program, account, now)

        def name(tier):
            return TierTranslation.objects.name_for(tier.pk, tier.name, language) if tier else ""
    else:
        held = standing(program, account, now, amount=batch.amounts[account.pk])

        def name(tier):
            return batch.names.get((tier.pk, language), tier.name) if tier else ""

    remaining = ""
    if held.remaining is not None:
        remaining = (
            money(held.remaining, program.currency)
            if held.basis == TierBasis.SPEND
            else f"{int(held.remaining):,}"
        )
    return {
        "tier": name(held.tier),
        "next_tier": name(held.next_tier),
        "to_next_tier": remaining,
        "tier_progress": f"{held.percent:.0f}%" if held.percent is not None else "100%",
    }


def pending_by_account(account_ids, now: datetime) -> dict[int, int]:
    """`ledger.pending_points` for a batch of accounts in one query (same rows, same rule)."""
    rows = (
        LedgerEntry.objects.filter(
            account_id__in=list(account_ids),
            kind__in=PENDING_KINDS,
            available_at__gt=now,
        )
        .values("account_id")
        .annotate(total=Sum("points"))
        .values_list("account_id", "total")
    )
    found = dict.fromkeys(account_ids, 0)
    found.update({account_id: max(total or 0, 0) for account_id, total in rows})
    return found


def merge(text: str, found: dict[str, str]) -> str:
    return _FIELD.sub(lambda match: found.get(match.group(1), match.group(0)), text)
