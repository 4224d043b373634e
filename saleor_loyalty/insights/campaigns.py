"""Campaigns as staff build them: checked at save (audience, languages, merge fields, variants), frozen at
scheduling, cancellable. Sending is `campaign_sending`, tracking `tracking`, numbers `campaign_results`.

Content is per language (he, en) with a required version in the campaign's default language; a member
gets their own language when the variant has it. Variants split the non-holdout members by weight.
A campaign's medium is EMAIL (subject and body) or SMS (a body with its `{opt_out}` part, checked by
`campaign_sms_content`); an SMS campaign cannot pick its winner on opens, which a text does not have.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from saleor_loyalty.error_codes import LoyaltyErrorCode
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.insights import audiences, campaign_sms_content, merge_fields
from saleor_loyalty.messages import pipeline
from saleor_loyalty.models import (
    AudienceKind,
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    CampaignVariant,
    LoyaltyProgram,
    Medium,
    RecipientStatus,
    WinnerMetric,
)

LANGUAGES = ("he", "en")
MAX_NAME, MAX_SUBJECT, MAX_BODY = 200, 200, 2000
MAX_VARIANTS, MAX_WEIGHT, MAX_INCENTIVE = 5, 100, 100_000
MAX_RATE = 100_000


class CampaignNotFound(LoyaltyError):
    code = LoyaltyErrorCode.NOT_FOUND
    field = "id"


class CampaignNotEditable(LoyaltyError):
    """Only a draft changes; a scheduled campaign's content is what its links point into."""

    code = LoyaltyErrorCode.NOT_APPLICABLE
    field = "id"


class OutOfRange(LoyaltyError):
    code = LoyaltyErrorCode.OUT_OF_RANGE


@dataclass(frozen=True)
class VariantSpec:
    key: str
    content: dict  # language -> {"subject": str, "body": str} (SMS: {"body": str})
    weight: int = 1
    incentive_points: int = 0


@dataclass(frozen=True)
class CampaignSpec:
    name: str
    variants: list[VariantSpec]
    audience_kind: str = AudienceKind.ALL
    audience_tier_ids: list[int] = field(default_factory=list)
    audience_segment_id: int | None = None
    audience_named_segment: str = ""
    default_language: str = "he"
    holdout_percent: int = 0
    attribution_days: int = 5
    send_rate_per_minute: int = 600
    winner_metric: str = WinnerMetric.CONVERSION
    medium: str = Medium.EMAIL


def _within(value, low: int, high: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise OutOfRange(f"{name} must be {low} to {high}.", name)
    return value


def _text(value: str, high: int, name: str) -> str:
    value = (value or "").strip()
    if not 0 < len(value) <= high:
        raise LoyaltyError(f"{name} needs 1 to {high} characters.", name)
    return value


def _sms_version(version: dict, language: str, at: str, config) -> dict:
    if (version.get("subject") or "").strip():
        raise LoyaltyError("An SMS has no subject.", f"{at}.{language}.subject")
    body = campaign_sms_content.check(
        version.get("body", ""), language, f"{at}.{language}.body", config.country, config.sender_name
    )
    return {"body": body}


def _content(content: dict, default_language: str, at: str, sms_config=None) -> dict:
    """`sms_config`: the channel's messaging settings when the campaign is an SMS one."""
    if not isinstance(content, dict) or not content:
        raise LoyaltyError("Give the content in at least one language.", f"{at}.content")
    checked = {}
    for language, version in content.items():
        if language not in LANGUAGES:
            raise LoyaltyError(f"Languages are {', '.join(LANGUAGES)}.", f"{at}.content")
        if sms_config is not None:
            checked[language] = _sms_version(version, language, at, sms_config)
            continue
        subject = _text(version.get("subject", ""), MAX_SUBJECT, f"{at}.{language}.subject")
        body = _text(version.get("body", ""), MAX_BODY, f"{at}.{language}.body")
        merge_fields.check(subject, f"{at}.{language}.subject")
        merge_fields.check(body, f"{at}.{language}.body")
        if merge_fields.links(subject):
            raise LoyaltyError("Links belong in the body.", f"{at}.{language}.subject")
        if len(merge_fields.links(body)) > merge_fields.MAX_LINKS:
            raise LoyaltyError(f"At most {merge_fields.MAX_LINKS} links.", f"{at}.{language}.body")
        checked[language] = {"subject": subject, "body": body}
    if default_language not in checked:
        raise LoyaltyError(f"The default language ({default_language}) needs its version.", f"{at}.content")
    return checked


def _checked(
    program: LoyaltyProgram, spec: CampaignSpec
) -> tuple[CampaignSpec, list[int], list[VariantSpec]]:
    _text(spec.name, MAX_NAME, "name")
    if spec.default_language not in LANGUAGES:
        raise LoyaltyError(f"Languages are {', '.join(LANGUAGES)}.", "default_language")
    _within(spec.holdout_percent, 0, 50, "holdout_percent")
    _within(spec.attribution_days, 1, 90, "attribution_days")
    _within(spec.send_rate_per_minute, 1, MAX_RATE, "send_rate_per_minute")
    if spec.winner_metric not in WinnerMetric.values:
        raise LoyaltyError("Unknown winner metric.", "winner_metric")
    if spec.medium not in Medium.values:
        raise LoyaltyError("The medium is email or sms.", "medium")
    if spec.medium == Medium.SMS and spec.winner_metric == WinnerMetric.OPEN:
        raise LoyaltyError("An SMS has no opens: pick the winner on clicks or conversions.", "winner_metric")
    sms_config = pipeline.channel_settings(program.channel_slug) if spec.medium == Medium.SMS else None
    tiers = audiences.validate(
        program,
        spec.audience_kind,
        spec.audience_tier_ids,
        spec.audience_segment_id,
        spec.audience_named_segment,
    )
    if not 1 <= len(spec.variants) <= MAX_VARIANTS:
        raise OutOfRange(f"Give 1 to {MAX_VARIANTS} variants.", "variants")
    keys = [variant.key for variant in spec.variants]
    if len(set(keys)) != len(keys) or not all(key.isalnum() and 0 < len(key) <= 8 for key in keys):
        raise LoyaltyError("Variant keys are distinct, 1-8 letters or digits (A, B…).", "variants")
    variants = []
    for index, variant in enumerate(spec.variants):
        at = f"variants.{index}"
        _within(variant.weight, 1, MAX_WEIGHT, f"{at}.weight")
        _within(variant.incentive_points, 0, MAX_INCENTIVE, f"{at}.incentive_points")
        content = _content(variant.content, spec.default_language, at, sms_config)
        variants.append(VariantSpec(variant.key.upper(), content, variant.weight, variant.incentive_points))
    return spec, tiers, variants


def _write_variants(campaign: Campaign, variants: list[VariantSpec]) -> None:
    campaign.variants.all().delete()
    CampaignVariant.objects.bulk_create(
        CampaignVariant(
            campaign=campaign,
            key=variant.key,
            weight=variant.weight,
            content=variant.content,
            incentive_points=variant.incentive_points,
        )
        for variant in variants
    )


def _fields(spec: CampaignSpec, tiers: list[int]) -> dict:
    segment = spec.audience_kind == AudienceKind.SEGMENT  # a kind changed away from SEGMENT forgets it
    return {
        "name": spec.name.strip(),
        "audience_kind": spec.audience_kind,
        "audience_tier_ids": tiers,
        "audience_segment_id": spec.audience_segment_id if segment else None,
        "audience_named_segment": spec.audience_named_segment if segment else "",
        "default_language": spec.default_language,
        "holdout_percent": spec.holdout_percent,
        "attribution_days": spec.attribution_days,
        "send_rate_per_minute": spec.send_rate_per_minute,
        "winner_metric": spec.winner_metric,
        "medium": spec.medium,
    }


def create(program: LoyaltyProgram, spec: CampaignSpec, created_by: str = "") -> Campaign:
    spec, tiers, variants = _checked(program, spec)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            channel_slug=program.channel_slug,
            seed=secrets.token_hex(16),
            created_by=created_by[:255],
            **_fields(spec, tiers),
        )
        _write_variants(campaign, variants)
    return campaign


def update(campaign: Campaign, program: LoyaltyProgram, spec: CampaignSpec) -> Campaign:
    """A draft's new definition, checked whole."""
    spec, tiers, variants = _checked(program, spec)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != CampaignStatus.DRAFT:
            raise CampaignNotEditable("Only a draft can be changed; cancel and copy it instead.")
        for name, value in _fields(spec, tiers).items():
            setattr(locked, name, value)
        locked.save()
        _write_variants(locked, variants)
    return locked


def spec_of(campaign: Campaign) -> CampaignSpec:
    """The campaign's definition as a spec (what an update changes one part of)."""
    return CampaignSpec(
        name=campaign.name,
        variants=[
            VariantSpec(v.key, v.content, v.weight, v.incentive_points) for v in campaign.variants.all()
        ],
        audience_kind=campaign.audience_kind,
        audience_tier_ids=list(campaign.audience_tier_ids),
        audience_segment_id=campaign.audience_segment_id,
        audience_named_segment=campaign.audience_named_segment,
        default_language=campaign.default_language,
        holdout_percent=campaign.holdout_percent,
        attribution_days=campaign.attribution_days,
        send_rate_per_minute=campaign.send_rate_per_minute,
        winner_metric=campaign.winner_metric,
        medium=campaign.medium,
    )


def schedule(campaign: Campaign, send_at: datetime, now: datetime) -> Campaign:
    """Freeze the draft and let the sending job start it at `send_at` (a past time means now)."""
    if send_at.tzinfo is None:
        raise LoyaltyError("The time needs a timezone.", "send_at")
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != CampaignStatus.DRAFT:
            raise CampaignNotEditable("Only a draft can be scheduled.")
        locked.status, locked.scheduled_at = CampaignStatus.SCHEDULED, max(send_at, now)
        locked.save(update_fields=["status", "scheduled_at", "updated_at"])
    return locked


def cancel(campaign: Campaign, now: datetime) -> Campaign:
    """Nothing more goes out: members not yet claimed are skipped (a claimed message may still be finishing)."""
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status in (CampaignStatus.SENT, CampaignStatus.CANCELLED):
            raise CampaignNotEditable(f"The campaign is already {locked.status}.")
        locked.status, locked.finished_at = CampaignStatus.CANCELLED, now
        locked.save(update_fields=["status", "finished_at", "updated_at"])
        CampaignRecipient.objects.filter(campaign=locked, status=RecipientStatus.PENDING).update(
            status=RecipientStatus.SKIPPED, reason="campaign cancelled"
        )
    return locked


def campaign_in(channel_slug: str, pk: int) -> Campaign:
    campaign = Campaign.objects.filter(channel_slug=channel_slug, pk=pk).first()
    if campaign is None:
        raise CampaignNotFound("No such campaign in this channel.")
    return campaign
