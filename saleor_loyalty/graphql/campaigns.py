"""Club API for campaigns: the list, one campaign with its variants and its results per variant.

Campaigns need MANAGE_USERS: they pick members, read their points and tiers into messages and show who
was reached, which is customer data Saleor guards with MANAGE_USERS (segments use it too). Cart recovery
keeps MANAGE_CHECKOUTS because it is about checkouts; a campaign is about members.
"""

import graphene

from saleor_loyalty.graphql.enums import ConsentMediumEnum, choices_enum
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.ids import int_pk, to_global_id
from saleor_loyalty.graphql.money import MoneyType
from saleor_loyalty.graphql.pagination import connection, connection_types, keyset_page
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.graphql.segment_types import NamedSegmentEnum
from saleor_loyalty.insights import campaign_results, campaign_sms_content, campaigns
from saleor_loyalty.messages import pipeline
from saleor_loyalty.models import AudienceKind, Campaign, CampaignStatus, Medium, WinnerMetric

MANAGE_USERS = "MANAGE_USERS"

CampaignStatusEnum = choices_enum("LoyaltyCampaignStatus", CampaignStatus.values, "Where a campaign stands.")
AudienceKindEnum = choices_enum("LoyaltyCampaignAudienceKind", AudienceKind.values, "Who a campaign is for.")
WinnerMetricEnum = choices_enum(
    "LoyaltyCampaignWinnerMetric", WinnerMetric.values, "The rate a campaign's winning variant is picked on."
)
CampaignLanguageEnum = choices_enum("LoyaltyCampaignLanguage", campaigns.LANGUAGES, "A language of content.")


def campaign_pk(global_id) -> int:
    return int_pk(global_id, "LoyaltyCampaign", "id", campaigns.CampaignNotFound)


class RateType(graphene.ObjectType):
    """A rate (0-1) with its 95 % Wilson interval; null when nothing was sent."""

    rate = graphene.Float(description="The observed rate.")
    low = graphene.Float(description="Lower end of the 95 % interval.")
    high = graphene.Float(description="Upper end of the 95 % interval.")

    class Meta:
        name = "LoyaltyRate"


def _rate(found) -> RateType:
    return RateType(rate=found.value, low=found.low, high=found.high)


class SmsSegmentsType(graphene.ObjectType):
    """What an SMS costs: its encoding and segments, as a member gets it (label, opt-out part, short links)."""

    encoding = graphene.String(required=True, description="GSM7, or UCS2 (Hebrew, emoji).")
    units = graphene.Int(required=True, description="Septets (GSM7) or UTF-16 units (UCS2).")
    segments = graphene.Int(required=True, description="Segments billed (160/153 GSM7, 70/67 UCS2).")

    class Meta:
        name = "LoyaltySmsSegments"


class CampaignContentType(graphene.ObjectType):
    """A variant's message in one language; `{field}` merge fields are filled per member."""

    language = CampaignLanguageEnum(required=True, description="The content's language.")
    subject = graphene.String(
        required=True, description="Subject (the advertising label is added); empty for an SMS."
    )
    body = graphene.String(required=True, description="Text; its links are tracked.")
    sms_segments = graphene.Field(SmsSegmentsType, description="For an SMS campaign: what the text costs.")

    class Meta:
        name = "LoyaltyCampaignContent"


class CampaignVariantType(graphene.ObjectType):
    """One version of the message."""

    key = graphene.String(required=True, description="A, B, C…")
    weight = graphene.Int(required=True, description="Share of the members outside the holdout.")
    incentive_points = graphene.Int(required=True, description="Bonus points for an order it brings.")
    contents = graphene.List(
        graphene.NonNull(CampaignContentType), required=True, description="The message per language."
    )

    class Meta:
        name = "LoyaltyCampaignVariant"

    @staticmethod
    def build(variant, sms_config=None):
        """`sms_config`: the channel's messaging settings, for an SMS campaign's segment counts."""

        def segments(language, body):
            if sms_config is None:
                return None
            found = campaign_sms_content.preview(body, language, sms_config.country, sms_config.sender_name)
            return SmsSegmentsType(encoding=found.encoding, units=found.units, segments=found.segments)

        return CampaignVariantType(
            key=variant.key,
            weight=variant.weight,
            incentive_points=variant.incentive_points,
            contents=[
                CampaignContentType(
                    language=language,
                    subject=version.get("subject", ""),
                    body=version["body"],
                    sms_segments=segments(language, version["body"]),
                )
                for language, version in sorted(variant.content.items())
            ],
        )


class CampaignGroupResultType(graphene.ObjectType):
    """What one variant (or the holdout) did."""

    key = graphene.String(required=True, description="The variant's key, or `holdout`.")
    recipients = graphene.Int(required=True, description="Members enrolled in the group.")
    sent = graphene.Int(required=True, description="Messages the provider accepted.")
    opened = graphene.Int(
        required=True, description="Messages opened (pixel loaded); 0 for an SMS, which has no opens."
    )
    clicked = graphene.Int(required=True, description="Messages with a tracked click.")
    converted = graphene.Int(required=True, description="Members with an order credited to a click.")
    revenue = graphene.Field(MoneyType, required=True, description="What credited orders were worth.")
    ordered = graphene.Int(required=True, description="Members who ordered within the window at all.")
    unsubscribed = graphene.Int(required=True, description="Members who unsubscribed after the message.")
    complaints = graphene.Int(required=True, description="Spam complaints the provider reported.")
    bounces = graphene.Int(required=True, description="Hard bounces: the address was suppressed.")
    soft_bounces = graphene.Int(required=True, description="Soft bounces (a full mailbox): counted only.")
    open_rate = graphene.Field(RateType, required=True, description="Opened ÷ sent (null rate for an SMS).")
    click_rate = graphene.Field(RateType, required=True, description="Clicked ÷ sent.")
    conversion_rate = graphene.Field(RateType, required=True, description="Converted ÷ sent.")
    ordered_rate = graphene.Field(
        RateType, required=True, description="Ordered ÷ sent (÷ enrolled for the holdout)."
    )

    class Meta:
        name = "LoyaltyCampaignGroupResult"

    @staticmethod
    def build(group, currency: str):
        values = dict(group.__dict__)
        values["revenue"] = MoneyType.of(group.revenue, currency)
        values["opened"] = group.opened or 0  # an SMS has none (its open rate is null)
        for name in ("open_rate", "click_rate", "conversion_rate", "ordered_rate"):
            values[name] = _rate(getattr(group, name))
        return CampaignGroupResultType(**values)


class CampaignResultsType(graphene.ObjectType):
    """A campaign's numbers per variant, the winner (only when significant) and the lift over the holdout."""

    metric = WinnerMetricEnum(required=True, description="The rate the winner is picked on.")
    variants = graphene.List(
        graphene.NonNull(CampaignGroupResultType), required=True, description="Per variant."
    )
    holdout = graphene.Field(CampaignGroupResultType, required=True, description="The group sent nothing.")
    winner = graphene.String(
        description="The winning variant's key; null while no difference is significant."
    )
    winner_p = graphene.Float(description="Two-proportion z-test p-value of the winner's lead.")
    treated_ordered_rate = graphene.Field(
        RateType, required=True, description="Ordered ÷ sent, all variants."
    )
    lift = graphene.Float(description="Treated ordered rate minus the holdout's.")
    lift_p = graphene.Float(description="Two-proportion z-test p-value of that difference.")

    class Meta:
        name = "LoyaltyCampaignResults"


class CampaignType(graphene.ObjectType):
    """A message to an audience, in variants, with a holdout."""

    id = graphene.ID(required=True, description="Global ID of the campaign.")
    channel = graphene.String(required=True, description="The Saleor channel's slug.")
    name = graphene.String(required=True, description="For staff.")
    status = CampaignStatusEnum(required=True, description="Where it stands.")
    medium = ConsentMediumEnum(required=True, description="EMAIL or SMS.")
    audience_kind = AudienceKindEnum(required=True, description="Who it is for.")
    audience_tier_ids = graphene.List(
        graphene.NonNull(graphene.ID), required=True, description="The tiers, for a TIERS audience."
    )
    audience_segment = NamedSegmentEnum(description="The named segment, for a SEGMENT audience.")
    audience_saved_segment_id = graphene.ID(description="The saved segment, for a SEGMENT audience.")
    default_language = CampaignLanguageEnum(
        required=True, description="Language when the member's is missing."
    )
    holdout_percent = graphene.Int(required=True, description="Members kept out to measure lift, 0-50.")
    attribution_days = graphene.Int(required=True, description="Days after a click an order counts.")
    send_rate_per_minute = graphene.Int(required=True, description="Throttle.")
    winner_metric = WinnerMetricEnum(required=True, description="The rate the winner is picked on.")
    scheduled_at = graphene.DateTime(description="When sending starts.")
    started_at = graphene.DateTime(description="When sending started.")
    finished_at = graphene.DateTime(description="When it was sent or cancelled.")
    created_by = graphene.String(required=True, description="Who created it.")
    variants = graphene.List(
        graphene.NonNull(CampaignVariantType), required=True, description="The variants, by key."
    )
    results = graphene.Field(CampaignResultsType, required=True, description="Its numbers so far.")

    class Meta:
        name = "LoyaltyCampaign"

    @staticmethod
    def build(campaign: Campaign):
        sms = campaign.medium == Medium.SMS
        sms_config = pipeline.channel_settings(campaign.channel_slug) if sms else None
        fields = {
            name: getattr(campaign, name)
            for name in (
                "name",
                "status",
                "medium",
                "audience_kind",
                "default_language",
                "holdout_percent",
                "attribution_days",
                "send_rate_per_minute",
                "winner_metric",
                "scheduled_at",
                "started_at",
                "finished_at",
                "created_by",
            )
        }
        return CampaignType(
            id=to_global_id("LoyaltyCampaign", campaign.pk),
            channel=campaign.channel_slug,
            audience_tier_ids=[to_global_id("LoyaltyTier", pk) for pk in campaign.audience_tier_ids],
            audience_segment=campaign.audience_named_segment or None,
            audience_saved_segment_id=to_global_id("LoyaltySavedSegment", campaign.audience_segment_id)
            if campaign.audience_segment_id is not None
            else None,
            variants=[
                CampaignVariantType.build(variant, sms_config)
                for variant in campaign.variants.order_by("key")
            ],
            results=campaign,
            **fields,
        )

    @staticmethod
    def resolve_results(root, _info):
        found = campaign_results.results(root.results)
        return CampaignResultsType(
            metric=found.metric,
            variants=[CampaignGroupResultType.build(group, found.currency) for group in found.variants],
            holdout=CampaignGroupResultType.build(found.holdout, found.currency),
            winner=found.winner,
            winner_p=found.winner_p_value,
            treated_ordered_rate=_rate(found.treated_ordered_rate),
            lift=found.lift,
            lift_p=found.lift_p_value,
        )


LoyaltyCampaignConnection, LoyaltyCampaignEdge = connection_types("LoyaltyCampaign", CampaignType)


class CampaignQueries(graphene.ObjectType):
    campaigns = graphene.Field(
        LoyaltyCampaignConnection,
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        status=CampaignStatusEnum(description="Only campaigns in this state."),
        first=graphene.Int(default_value=20, description="How many rows, 1 to 100."),
        after=graphene.String(description="`pageInfo.endCursor` of the previous page (newest first)."),
        description="A channel's campaigns, newest first. Requires MANAGE_USERS.",
    )
    campaign = graphene.Field(
        CampaignType,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        id=graphene.ID(required=True, description="Global ID of the campaign."),
        description="One campaign with its variants and results. Requires MANAGE_USERS.",
    )

    @staticmethod
    @resolver(permission=MANAGE_USERS)
    def resolve_campaigns(_root, info, channel, status=None, first=20, after=None):
        program_for(info, channel)
        rows = Campaign.objects.filter(channel_slug=channel)
        if status:
            rows = rows.filter(status=status)
        page = keyset_page(rows, first, after, "campaign")
        return connection(LoyaltyCampaignConnection, LoyaltyCampaignEdge, page, CampaignType.build)

    @staticmethod
    @resolver(permission=MANAGE_USERS)
    def resolve_campaign(_root, info, channel, id):
        program_for(info, channel)
        return CampaignType.build(campaigns.campaign_in(channel, campaign_pk(id)))
