"""Staff changes to the ladder and to a member's floor. Every change is validated as a whole ladder
first and written in one transaction, so bad input writes nothing.
"""

import re
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from saleor_loyalty.core.facts import Actor
from saleor_loyalty.core.lock_objects import account_qs_select_for_update
from saleor_loyalty.core.money import fits_currency
from saleor_loyalty.core.validation import number
from saleor_loyalty.exceptions import (
    CurrencyMismatch,
    InvalidTierSetting,
    ReasonRequired,
    TierGatesEarlyAccess,
    TierGrantedByMembership,
    TierHasMembers,
    TierNotFound,
)
from saleor_loyalty.models import (
    EarlyAccessItem,
    LoyaltyAccount,
    LoyaltyProgram,
    MembershipPlan,
    Tier,
    TierCause,
    TierTranslation,
)
from saleor_loyalty.tiers.ladder import current_tier, ladder, move_to, record_event

MAX_TIERS = 10
MAX_REASON_LENGTH = 1000
DECIMAL_FIELDS = {
    "entry_threshold": (Decimal(0), Decimal("1000000000")),
    "retain_threshold": (Decimal(0), Decimal("1000000000")),
    "earn_multiplier": (Decimal(0), Decimal(100)),
    "discount_percent": (Decimal(0), Decimal(100)),
    "cashback_percent": (Decimal(0), Decimal(100)),
}
TEXT_FIELDS = {"name"}
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")
FLAG_FIELDS = {"free_shipping", "early_access"}
MAX_BIRTHDAY_CREDIT = Decimal(1_000_000)


def _birthday_credit(value: tuple, currency: str) -> Decimal:
    """Money in the program's currency, never negative, with no more decimals than the currency has."""
    amount, given_currency = value
    if given_currency != currency:
        raise CurrencyMismatch(
            f"The channel's currency is {currency}, not {given_currency}.", "birthdayCredit"
        )
    amount = number(amount, "birthday_credit", InvalidTierSetting, Decimal(0), MAX_BIRTHDAY_CREDIT)
    if not fits_currency(amount, currency):
        raise InvalidTierSetting(
            f"The birthday credit has more decimals than {currency} allows.", "birthdayCredit"
        )
    return amount


def _clean(changes: dict, currency: str) -> dict:
    cleaned = {}
    for name, value in changes.items():
        if name in DECIMAL_FIELDS:
            low, high = DECIMAL_FIELDS[name]
            cleaned[name] = (
                None
                if value is None and name == "cashback_percent"
                else number(value, name, InvalidTierSetting, low, high)
            )
        elif name in TEXT_FIELDS:
            text = (value or "").strip()
            if not text or len(text) > 64:
                raise InvalidTierSetting("Must be 1-64 characters.", name)
            cleaned[name] = text
        elif name in FLAG_FIELDS:
            cleaned[name] = bool(value)
        elif name == "birthday_points":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1_000_000:
                raise InvalidTierSetting("Birthday points must be 0-1000000.", "birthday_points")
            cleaned[name] = value
        elif name == "birthday_credit":
            cleaned[name] = _birthday_credit(value, currency)
        else:
            raise InvalidTierSetting(f"{name} cannot be set.", name)
    return cleaned


def validate_ladder(tiers: list[Tier]) -> None:
    """The whole ladder, in position order: first tier free to enter, thresholds strictly increasing."""
    if not tiers:
        raise InvalidTierSetting("A program needs at least one tier.", "position")
    if len(tiers) > MAX_TIERS:
        raise InvalidTierSetting(f"At most {MAX_TIERS} tiers.", "position")
    if tiers[0].entry_threshold != 0 or tiers[0].retain_threshold != 0:
        raise InvalidTierSetting("The first tier's thresholds must be 0.", "entry_threshold")
    names = [tier.name.lower() for tier in tiers]
    if len(set(names)) != len(names):
        raise InvalidTierSetting("Tier names must be unique.", "name")
    for lower, upper in zip(tiers, tiers[1:], strict=False):
        if upper.entry_threshold <= lower.entry_threshold:
            raise InvalidTierSetting(
                f"{upper.name}'s entry threshold must be above {lower.name}'s.", "entryThreshold"
            )
        if upper.retain_threshold <= lower.retain_threshold:
            raise InvalidTierSetting(
                f"{upper.name}'s retain threshold must be above {lower.name}'s.", "retainThreshold"
            )
    for tier in tiers:
        if tier.retain_threshold > tier.entry_threshold:
            raise InvalidTierSetting(
                f"{tier.name}'s retain threshold is above its entry threshold.", "retainThreshold"
            )


def _save_ladder(program: LoyaltyProgram, tiers: list[Tier]) -> None:
    """Renumber positions 0..n-1 and save; the position constraint is deferred to commit for the shuffle."""
    for position, tier in enumerate(tiers):
        tier.position = position
        tier.program = program
        tier.save()


def _locked_ladder(program: LoyaltyProgram) -> list[Tier]:
    return list(Tier.objects.select_for_update().filter(program=program).order_by("position"))


def tier_in_program(program: LoyaltyProgram, tier_id: int | None, field: str = "id") -> Tier:
    tier = Tier.objects.filter(pk=tier_id, program=program).first() if tier_id is not None else None
    if tier is None:
        raise TierNotFound("No such tier in this channel's program.", field)
    return tier


def translate_tier(program: LoyaltyProgram, tier_id: int, language_code: str, name: str) -> Tier:
    """The tier's name in one language (an upsert); an empty name removes that translation."""
    tier = tier_in_program(program, tier_id)
    code = (language_code or "").strip().lower().replace("_", "-")
    if not LANGUAGE_CODE.fullmatch(code):
        raise InvalidTierSetting("Not a language code.", "language_code")
    text = (name or "").strip()
    if len(text) > 64:
        raise InvalidTierSetting("Must be at most 64 characters.", "name")
    if not text:
        TierTranslation.objects.filter(tier=tier, language_code=code).delete()
    else:
        TierTranslation.objects.update_or_create(tier=tier, language_code=code, defaults={"name": text})
    return tier


def create_tier(program: LoyaltyProgram, position: int | None = None, **values) -> Tier:
    cleaned = _clean(values, program.currency)
    if "name" not in cleaned:
        raise InvalidTierSetting("name is required.", "name")
    with transaction.atomic():
        tiers = _locked_ladder(program)
        position = len(tiers) if position is None else position
        if isinstance(position, bool) or not 1 <= position <= len(tiers):
            raise InvalidTierSetting(f"position must be from 1 to {len(tiers)}.", "position")
        tier = Tier(program=program, **cleaned)
        tiers.insert(position, tier)
        validate_ladder(tiers)
        _save_ladder(program, tiers)
    return tier


def update_tier(program: LoyaltyProgram, tier_id: int, position: int | None = None, **values) -> Tier:
    """Names, thresholds and benefits; a tier's place on the ladder is chosen only when it is created."""
    if position is not None:
        raise InvalidTierSetting("The position can only be chosen when creating a tier.", "position")
    cleaned = _clean(values, program.currency)
    with transaction.atomic():
        tiers = _locked_ladder(program)
        tier = next((t for t in tiers if t.pk == tier_id), None)
        if tier is None:
            raise TierNotFound("No such tier in this channel's program.", "id")
        for name, value in cleaned.items():
            setattr(tier, name, value)
        validate_ladder(tiers)
        tier.save()
    return tier


def delete_tier(program: LoyaltyProgram, tier_id: int, move_members_to: int | None, actor: Actor) -> int:
    """Delete a tier; its members (and floors) move to `move_members_to`, which is required if it has any.

    Returns how many members moved. The first tier cannot be deleted: it is where everyone starts.
    Nor can a tier that gates early-access items: moving them to another tier would open them to
    more members (or fewer) than staff chose, so staff re-mark them first.
    """
    with transaction.atomic():
        tiers = _locked_ladder(program)
        tier = next((t for t in tiers if t.pk == tier_id), None)
        if tier is None:
            raise TierNotFound("No such tier in this channel's program.", "id")
        if tier.position == 0:
            raise InvalidTierSetting("The first tier cannot be deleted.", "id")
        gated = EarlyAccessItem.objects.filter(minimum_tier=tier).count()
        if gated:
            raise TierGatesEarlyAccess(
                f"{tier.name} is the minimum tier of {gated} early-access items; re-mark or unmark them first."
            )
        if MembershipPlan.objects.filter(tier=tier).exists():
            raise TierGrantedByMembership(
                f"Paid membership plans grant {tier.name}; point them at another tier first."
            )
        target = None
        if move_members_to is not None:
            target = next((t for t in tiers if t.pk == move_members_to and t.pk != tier.pk), None)
            if target is None:
                raise TierNotFound("No such tier to move members to.", "move_members_to")
        members = list(account_qs_select_for_update().filter(tier=tier))
        floors = list(account_qs_select_for_update().filter(tier_floor=tier))
        if (members or floors) and target is None:
            raise TierHasMembers(
                f"{tier.name} has {len(members)} members; say which tier they move to.", "moveMembersTo"
            )
        now = timezone.now()
        for account in members:
            move_to(account, target, TierCause.TIER_DELETED, now, actor=actor, reason=f"{tier.name} deleted")
        LoyaltyAccount.objects.filter(pk__in=[a.pk for a in floors]).update(tier_floor=target)
        tier.delete()
        _save_ladder(program, [t for t in tiers if t.pk != tier.pk])
    return len(members)


def set_floor(account: LoyaltyAccount, tier: Tier | None, reason: str, actor: Actor) -> LoyaltyAccount:
    """Staff override: the member is never below `tier` (None removes the floor). Raises them at once."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("A reason is required.")
    if len(reason) > MAX_REASON_LENGTH:
        raise ReasonRequired(f"The reason can be at most {MAX_REASON_LENGTH} characters.")
    program = account.program
    with transaction.atomic():
        locked = account_qs_select_for_update().get(pk=account.pk)
        tiers = ladder(program)
        current = current_tier(locked, tiers)
        previous_floor = next((t for t in tiers if t.pk == locked.tier_floor_id), None)
        LoyaltyAccount.objects.filter(pk=locked.pk).update(
            tier_floor=tier, tier_floor_reason=reason if tier else "", updated_at=timezone.now()
        )
        locked.tier_floor_id = tier.pk if tier else None
        if tier is None:
            record_event(locked, TierCause.FLOOR_CLEARED, previous_floor, None, reason=reason, actor=actor)
        else:
            record_event(locked, TierCause.FLOOR_SET, previous_floor, tier, reason=reason, actor=actor)
            if current is not None and tier.position > current.position:
                move_to(locked, tier, TierCause.FLOOR_SET, timezone.now(), reason=reason, actor=actor)
    locked.refresh_from_db()
    return locked
