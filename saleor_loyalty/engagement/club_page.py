"""The public club page: what a storefront needs to explain the club, read in two queries, and the page's
staff-editable settings (storefront address, terms per language, the anniversary gift).

Invariant: nothing member-specific or staff-only is read here: the program's public rules, its tier ladder,
the enabled ways to earn, the referral rules (not the review/hold rules), the offered paid-membership plans
(not their reminder settings) and the terms. One query reads the program with its page settings; one more
reads every section (`SECTIONS`: each a SELECT of JSON rows for the program, joined by UNION ALL), so a
feature added to the page adds a section, not a query. Plans get Saleor's price from one catalog call.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

from django.db import connection, models, transaction

from saleor_loyalty.core.validation import number, whole_number
from saleor_loyalty.exceptions import InvalidProgramSetting
from saleor_loyalty.ledger import programs
from saleor_loyalty.models import (
    ActionSettings,
    ClubAction,
    LoyaltyProgram,
    MembershipPlan,
    ReferralSettings,
    Tier,
    TierTranslation,
)

MAX_TERMS = 20_000
MAX_URL = 300

_TIER, _TRANSLATION, _ACTION = Tier._meta.db_table, TierTranslation._meta.db_table, ClubAction._meta.db_table
_REFERRAL, _PLAN = ReferralSettings._meta.db_table, MembershipPlan._meta.db_table
# What a storefront may show of the referral rules: never the caps, review holds or fraud settings.
REFERRAL_COLUMNS = (
    "enabled",
    "referrer_points",
    "referrer_reward",
    "referrer_credit",
    "friend_benefit",
    "friend_value",
    "friend_points",
    "pending_days",
    "min_order_total",
)
# The offered plans without their staff-only reminder settings.
PLAN_COLUMNS = ("id", "variant_id", "name", "term", "tier_id", "monthly_gift_points", "monthly_gift_credit")
# name → SQL selecting one JSON text column per row for %(program)s; add a section to extend the page.
SECTIONS = {
    "tiers": f"SELECT row_to_json(t)::text FROM {_TIER} t WHERE t.program_id = %(program)s",
    "tier_names": f"SELECT json_build_object('tier_id', n.tier_id, 'language_code', n.language_code, "
    f"'name', n.name)::text FROM {_TRANSLATION} n JOIN {_TIER} t ON t.id = n.tier_id "
    "WHERE t.program_id = %(program)s",
    "actions": f"SELECT row_to_json(a)::text FROM {_ACTION} a WHERE a.program_id = %(program)s AND a.is_enabled",
    "referral": "SELECT json_build_object("
    + ", ".join(f"'{column}', r.{column}" for column in REFERRAL_COLUMNS)
    + f")::text FROM {_REFERRAL} r WHERE r.program_id = %(program)s",
    "plans": "SELECT json_build_object("
    + ", ".join(f"'{column}', p.{column}" for column in PLAN_COLUMNS)
    + f")::text FROM {_PLAN} p WHERE p.program_id = %(program)s AND p.is_active",
}


@dataclass
class ClubPage:
    program: LoyaltyProgram
    settings: ActionSettings
    tiers: list[Tier] = field(default_factory=list)
    tier_names: dict = field(default_factory=dict)  # (tier id, language code) → name
    ways_to_earn: list[ClubAction] = field(default_factory=list)
    referral: ReferralSettings | None = None  # only the public columns are read; None: never set up
    plans: list[MembershipPlan] = field(default_factory=list)  # offered, with their tier; prices separately
    sections: dict[str, list[dict]] = field(default_factory=dict)


def _instance(model, row: dict, **related):
    """A model instance from its JSON row (decimals read exactly, never through floats); a column the
    row leaves out keeps the model's default (public sections read only public columns)."""
    values = {}
    for model_field in model._meta.concrete_fields:
        if model_field.column not in row:
            continue
        value = row[model_field.column]
        if isinstance(model_field, models.DecimalField) and value is not None:
            value = Decimal(str(value))
        values[model_field.attname] = value
    instance = model(**values)
    for name, value in related.items():
        setattr(instance, name, value)
    return instance


def _sections(program_id: int) -> dict[str, list[dict]]:
    union = " UNION ALL ".join(
        f"SELECT %(name_{index})s AS section, row_json FROM ({sql}) AS s{index}(row_json)"
        for index, sql in enumerate(SECTIONS.values())
    )
    params = {"program": program_id, **{f"name_{index}": name for index, name in enumerate(SECTIONS)}}
    found = {name: [] for name in SECTIONS}
    with connection.cursor() as cursor:
        cursor.execute(union, params)
        for section, row_json in cursor.fetchall():
            found[section].append(json.loads(row_json, parse_float=Decimal))
    return found


def club_page(channel_slug: str, channel_lookup=None) -> ClubPage:
    program = (
        LoyaltyProgram.objects.filter(channel_slug=channel_slug).select_related("action_settings").first()
    )
    if program is None:  # a channel's first visitor: the program is made once, with its default ladder
        program = programs.get_program(channel_slug, channel_lookup)
    settings = getattr(program, "action_settings", None) or ActionSettings(program=program)
    sections = _sections(program.pk)
    tiers = sorted(
        (_instance(Tier, row, program=program) for row in sections["tiers"]), key=lambda t: t.position
    )
    by_id = {tier.pk: tier for tier in tiers}
    referral = [_instance(ReferralSettings, row, program=program) for row in sections["referral"]]
    plans = sorted(
        (
            _instance(MembershipPlan, row, program=program, tier=by_id[row["tier_id"]])
            for row in sections["plans"]
        ),
        key=lambda plan: plan.pk,
    )
    return ClubPage(
        program=program,
        settings=settings,
        tiers=tiers,
        tier_names={(row["tier_id"], row["language_code"]): row["name"] for row in sections["tier_names"]},
        ways_to_earn=sorted(
            (_instance(ClubAction, row, program=program) for row in sections["actions"]), key=lambda a: a.pk
        ),
        referral=referral[0] if referral else None,
        plans=plans,
        sections=sections,
    )


def _text(value, field: str, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidProgramSetting(f"Text of at most {limit} characters.", field)
    return value.strip()


def _url(value) -> str:
    """The storefront's base address (http/https, a host, no query or fragment), or "" for none."""
    value = _text(value, "storefront_url", MAX_URL)
    if not value:
        return ""
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or parts.username
        or any(char.isspace() or char in "\\\"'<>" for char in value)
    ):
        raise InvalidProgramSetting(
            "The storefront's base address, such as https://shop.example.co.il.", "storefront_url"
        )
    return value.rstrip("/")


def update_settings(program: LoyaltyProgram, **changes) -> ActionSettings:
    """Validate every change first, then write them together: bad input writes nothing."""
    cleaned = {}
    for name, value in changes.items():
        if name == "storefront_url":
            cleaned[name] = _url(value)
        elif name in ("terms_en", "terms_he"):
            cleaned[name] = _text(value, name, MAX_TERMS)
        elif name == "anniversary_points":
            cleaned[name] = whole_number(value, name, InvalidProgramSetting, 0, program.max_adjustment_points)
        elif name == "anniversary_credit":
            amount, currency = value
            if currency != program.currency:
                raise InvalidProgramSetting(f"The channel's currency is {program.currency}.", name)
            amount = number(amount, name, InvalidProgramSetting, Decimal(0), Decimal(100_000))
            if amount.as_tuple().exponent < -2:
                raise InvalidProgramSetting("At most 2 decimals.", name)
            cleaned[name] = amount
        else:
            raise InvalidProgramSetting("This setting cannot be changed.", name)
    with transaction.atomic():
        ActionSettings.objects.get_or_create(program=program)
        settings = ActionSettings.objects.select_for_update().get(program=program)
        for name, value in cleaned.items():
            setattr(settings, name, value)
        settings.save()
    return settings
