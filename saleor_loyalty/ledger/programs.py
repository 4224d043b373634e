"""Club programs: one per Saleor channel, created on first use with the seeds' defaults.

Invariant: whether a program gives or spends value is one rule, `LoyaltyProgram.gives_value` (its
switch, `is_active`, and `live_since`, stamped here when staff switch it back on); every path asks
it, through `require_live` where a refusal must be a typed error.
"""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from saleor_loyalty.core.facts import ChannelFacts
from saleor_loyalty.core.validation import number, timezone_name, whole_number
from saleor_loyalty.exceptions import (
    CurrencyMismatch,
    InvalidProgramSetting,
    ProgramInactive,
    ProgramNotFound,
)
from saleor_loyalty.models import LoyaltyProgram, NegativeBalancePolicy, TierBasis, TierWindow
from saleor_loyalty.tiers.ladder import ensure_default_tiers

COUNTRY_TIMEZONES = {"IL": "Asia/Jerusalem"}


def default_timezone(country: str) -> str:
    return COUNTRY_TIMEZONES.get(country) or getattr(
        settings, "LOYALTY_DEFAULT_TIMEZONE", settings.TIME_ZONE or "UTC"
    )


def get_program(channel_slug: str, channel_lookup=None) -> LoyaltyProgram:
    """The channel's program; created from the channel's facts when the channel exists but has none yet.

    `channel_lookup(slug) -> ChannelFacts | None` comes from the Saleor adapter; without it only
    programs that already exist are found.
    """
    program = LoyaltyProgram.objects.filter(channel_slug=channel_slug).first()
    if program is not None:
        return program
    channel = channel_lookup(channel_slug) if channel_lookup else None
    if channel is None:
        raise ProgramNotFound(f"No channel with slug '{channel_slug}'.")
    return ensure_program(channel)


def require_live(program: LoyaltyProgram) -> None:
    """Raise the typed `ProgramInactive` when the program's switch is off (before anything is written)."""
    if not program.gives_value():
        raise ProgramInactive(f"The club in channel {program.channel_slug} is switched off.")


def ensure_program(channel: ChannelFacts) -> LoyaltyProgram:
    """The channel's program, created with the default tier ladder on first need."""
    with transaction.atomic():
        program, created = LoyaltyProgram.objects.get_or_create(
            channel_slug=channel.slug,
            defaults={"currency": channel.currency, "timezone": default_timezone(channel.default_country)},
        )
        if created:
            ensure_default_tiers(program)
    return program


WHOLE_NUMBER_FIELDS = {
    "pending_days": (0, 365),
    "expiry_months": (0, 120),
    "expiry_reminder_days": (0, 365),
    "redeem_min_points": (0, 100_000_000),
    "redeem_step_points": (1, 1_000_000),
    "max_adjustment_points": (1, 100_000_000),
    "tier_grace_days": (0, 730),
}
CHOICE_FIELDS = {
    "negative_balance_policy": (NegativeBalancePolicy),
    "tier_basis": (TierBasis),
    "tier_window": (TierWindow),
}
PERCENT_FIELDS = {
    "cashback_percent": (False),
    "redeem_max_share_percent": (True),
}


def _validate(program: LoyaltyProgram, changes: dict) -> dict:
    cleaned = {}
    for field, value in changes.items():
        if field == "earn_rate":
            rate = number(value, "earn_rate", InvalidProgramSetting)
            if not Decimal(0) <= rate <= Decimal(1000) or rate.as_tuple().exponent < -4:
                raise InvalidProgramSetting(
                    "The earn rate must be 0-1000 with at most 4 decimals.", "earn_rate"
                )
            cleaned[field] = rate
        elif field == "point_value":
            amount, currency = value
            if currency != program.currency:
                raise CurrencyMismatch(
                    f"The channel's currency is {program.currency}, not {currency}.", "pointValue"
                )
            amount = number(amount, "point_value", InvalidProgramSetting)
            if not Decimal(0) < amount <= Decimal(1000) or amount.as_tuple().exponent < -4:
                raise InvalidProgramSetting(
                    "The point value must be above 0, at most 1000, 4 decimals.", "pointValue"
                )
            cleaned[field] = amount
        elif field in WHOLE_NUMBER_FIELDS:
            low, high = WHOLE_NUMBER_FIELDS[field]
            cleaned[field] = whole_number(value, field, InvalidProgramSetting, low, high)
        elif field in CHOICE_FIELDS:
            choices = CHOICE_FIELDS[field]
            if value not in choices.values:
                raise InvalidProgramSetting(f"Unknown value '{value}'.", field)
            cleaned[field] = value
        elif field in PERCENT_FIELDS:
            low_exclusive = PERCENT_FIELDS[field]
            percent = number(value, field, InvalidProgramSetting)
            low_ok = percent > 0 if low_exclusive else percent >= 0
            if not low_ok or percent > 100 or percent.as_tuple().exponent < -2:
                raise InvalidProgramSetting("Must be a percentage up to 100 with at most 2 decimals.", field)
            cleaned[field] = percent
        elif field == "timezone":
            cleaned[field] = timezone_name(value, "timezone", InvalidProgramSetting)
        elif field in {"include_tax", "is_active", "action_points_count_toward_tiers"}:
            if not isinstance(value, bool):
                raise InvalidProgramSetting("Must be true or false.", field)
            cleaned[field] = value
        else:
            raise InvalidProgramSetting("This setting cannot be changed.", field)
    return cleaned


def update_program(program: LoyaltyProgram, **changes) -> LoyaltyProgram:
    """Validate every change first, then write them together: bad input writes nothing.

    Earn rows keep the rate they were computed with, so changing the rate never changes what a
    past order's refund reverses.
    """
    cleaned = _validate(program, changes)
    with transaction.atomic():
        program = LoyaltyProgram.objects.select_for_update().get(pk=program.pk)
        if cleaned.get("is_active") and not program.is_active:
            program.live_since = timezone.now()  # orders paid while it was off never earn
        for field, value in cleaned.items():
            setattr(program, field, value)
        program.save()
    return program


MAX_LISTED_CHANNELS = 100


def channel_slugs(text: str, channel_lookup, field: str = "channels") -> set[str]:
    """A comma- or space-separated list of channel slugs, each an existing channel (a typo pauses nothing)."""
    if not isinstance(text, str) or len(text) > 5000:
        raise InvalidProgramSetting("The channel list is too long.", field)
    slugs = {slug for slug in text.replace(",", " ").split() if slug}
    if len(slugs) > MAX_LISTED_CHANNELS:
        raise InvalidProgramSetting(f"At most {MAX_LISTED_CHANNELS} channels can be listed.", field)
    unknown = sorted(slug for slug in slugs if channel_lookup(slug) is None)
    if unknown:
        raise InvalidProgramSetting(f"No channel with slug {', '.join(unknown)}.", field)
    return slugs


def paused_channel_slugs() -> list[str]:
    return list(
        LoyaltyProgram.objects.filter(is_active=False)
        .order_by("channel_slug")
        .values_list("channel_slug", flat=True)
    )


def pause_exactly(slugs: set[str], channel_lookup) -> None:
    """Switch the club off in these channels and on in every other, through the one switch (`update_program`)."""
    with transaction.atomic():
        for slug in sorted(slugs):
            program = get_program(slug, channel_lookup)
            if program.is_active:
                update_program(program, is_active=False)
        for program in LoyaltyProgram.objects.filter(is_active=False).exclude(channel_slug__in=slugs):
            update_program(program, is_active=True)
