"""The campaign input shared by create and update, and its translation into the engine's spec."""

import graphene

from saleor_loyalty.graphql.campaigns import AudienceKindEnum, CampaignLanguageEnum, WinnerMetricEnum
from saleor_loyalty.graphql.enums import ConsentMediumEnum
from saleor_loyalty.graphql.ids import int_pk
from saleor_loyalty.graphql.segment_types import NamedSegmentEnum
from saleor_loyalty.insights import campaigns
from saleor_loyalty.insights.audiences import InvalidAudience


class CampaignContentInput(graphene.InputObjectType):
    """A variant's message in one language."""

    language = CampaignLanguageEnum(required=True, description="HE or EN.")
    subject = graphene.String(
        description="Email: subject, up to 200 characters; merge fields allowed. SMS: leave it out."
    )
    body = graphene.String(
        required=True,
        description=(
            "Email: text, up to 2000 characters. SMS: up to 480 characters, with `{opt_out}` once (the "
            "sender's name and how to refuse), at most 6 segments. Links are tracked."
        ),
    )

    class Meta:
        name = "LoyaltyCampaignContentInput"


class CampaignVariantInput(graphene.InputObjectType):
    """One version of the message."""

    key = graphene.String(required=True, description="A, B, C… (1-8 letters or digits).")
    weight = graphene.Int(description="Share of the members outside the holdout, 1-100 (default 1).")
    incentive_points = graphene.Int(description="Bonus points for an order it brings (default 0).")
    contents = graphene.List(
        graphene.NonNull(CampaignContentInput), required=True, description="The message per language."
    )

    class Meta:
        name = "LoyaltyCampaignVariantInput"


class CampaignInput(graphene.InputObjectType):
    """A campaign's definition; on update, fields left out stay as they are."""

    name = graphene.String(description="For staff, up to 200 characters.")
    medium = ConsentMediumEnum(description="EMAIL (default) or SMS: to members with verified SMS consent.")
    audience_kind = AudienceKindEnum(description="ALL, TIERS or SEGMENT.")
    audience_tier_ids = graphene.List(graphene.NonNull(graphene.ID), description="Tiers, for TIERS.")
    audience_segment = NamedSegmentEnum(
        description="A named segment, for SEGMENT (or give audienceSavedSegmentId; one of the two)."
    )
    audience_saved_segment_id = graphene.ID(description="A LoyaltySavedSegment, for SEGMENT.")
    default_language = CampaignLanguageEnum(description="The language every variant must have.")
    holdout_percent = graphene.Int(description="0-50: members sent nothing, to measure lift.")
    attribution_days = graphene.Int(description="1-90: days after a click an order counts (default 5).")
    send_rate_per_minute = graphene.Int(description="Throttle, 1-100000 (default 600).")
    winner_metric = WinnerMetricEnum(description="CONVERSION (default), CLICK or OPEN.")
    variants = graphene.List(graphene.NonNull(CampaignVariantInput), description="1-5 variants.")

    class Meta:
        name = "LoyaltyCampaignInput"


def to_spec(data: dict, base: campaigns.CampaignSpec | None = None) -> campaigns.CampaignSpec:
    """The engine's spec from the input, on top of `base` (update) or the defaults (create)."""
    values = dict(base.__dict__) if base else {"name": "", "variants": []}
    for name in (
        "name",
        "audience_kind",
        "default_language",
        "holdout_percent",
        "attribution_days",
        "send_rate_per_minute",
        "winner_metric",
        "medium",
    ):
        if data.get(name) is not None:
            values[name] = data[name]
    if data.get("audience_tier_ids") is not None:
        values["audience_tier_ids"] = [
            int_pk(tier, "LoyaltyTier", "audience_tier_ids", InvalidAudience)
            for tier in data["audience_tier_ids"]
        ]
    named, saved = data.get("audience_segment"), data.get("audience_saved_segment_id")
    if named is not None or saved is not None:  # naming one segment replaces the other (both: refused)
        values["audience_named_segment"] = getattr(named, "value", named) or ""
        values["audience_segment_id"] = (
            int_pk(saved, "LoyaltySavedSegment", "audience_saved_segment_id", InvalidAudience)
            if saved is not None
            else None
        )
    if data.get("variants") is not None:
        values["variants"] = [
            campaigns.VariantSpec(
                key=variant["key"],
                weight=1 if variant.get("weight") is None else variant["weight"],
                incentive_points=variant.get("incentive_points") or 0,
                content={
                    c["language"]: {"subject": c.get("subject") or "", "body": c["body"]}
                    for c in variant["contents"]
                },
            )
            for variant in data["variants"]
        ]
    return campaigns.CampaignSpec(**values)
