"""Segment, RFM, signal and flow types of the club API (the member's fields and the staff's screens)."""

import graphene

from saleor_loyalty.graphql.enums import choices_enum
from saleor_loyalty.graphql.ids import to_global_id
from saleor_loyalty.graphql.money import MoneyType
from saleor_loyalty.models import FlowKind, IncentiveKind, NamedSegment

NamedSegmentEnum = choices_enum(
    "LoyaltySegment",
    NamedSegment.values,
    "A named segment: NEW, ONE_TIME, REPEAT and LOYAL (one of them each), AT_RISK or LAPSED when overdue.",
)
FlowKindEnum = choices_enum("LoyaltyFlowKind", FlowKind.values, "What starts a flow.")
IncentiveKindEnum = choices_enum("LoyaltyIncentiveKind", IncentiveKind.values, "What a flow's step offers.")


class SegmentMembershipType(graphene.ObjectType):
    """A named segment the member is in, and since when."""

    segment = NamedSegmentEnum(required=True, description="The segment.")
    since = graphene.DateTime(required=True, description="When the member entered it.")

    class Meta:
        name = "LoyaltySegmentMembership"


class RfmType(graphene.ObjectType):
    """Quintile scores within the channel, 1 (lowest fifth) to 5 (top fifth); ties share a score."""

    recency = graphene.Int(description="5 = ordered most recently.")
    frequency = graphene.Int(description="5 = most orders.")
    monetary = graphene.Int(description="5 = spent most.")
    orders = graphene.Int(required=True, description="Paid orders that still count (net of cancellations).")
    usual_interval_days = graphene.Float(description="Median days between the member's orders (2+ orders).")
    last_order_at = graphene.DateTime(description="The member's last counted order.")

    class Meta:
        name = "LoyaltyRfm"


class CartedItemType(graphene.ObjectType):
    """An item the member put in two or more carts they left in the last 90 days."""

    name = graphene.String(required=True, description="The item as the cart showed it.")
    times = graphene.Int(required=True, description="In how many left carts.")

    class Meta:
        name = "LoyaltyCartedItem"


class SignalsType(graphene.ObjectType):
    """Behaviour worth acting on."""

    carted_again = graphene.List(
        graphene.NonNull(CartedItemType), required=True, description="Items carted again and again."
    )
    basket_trend = graphene.Float(
        description="The last three orders' average over the three before (4+ orders); below 1 shrinks."
    )
    shrinking_basket = graphene.Boolean(required=True, description="The basket trend is under 0.8.")

    class Meta:
        name = "LoyaltyMemberSignals"


class SegmentSettingsType(graphene.ObjectType):
    """Where a channel's named segments begin."""

    new_days = graphene.Int(required=True, description="A first order this recent makes a member NEW.")
    default_interval_days = graphene.Int(
        required=True, description="The usual interval of a member with one order."
    )
    min_interval_days = graphene.Int(required=True, description="No member's interval is taken as shorter.")
    at_risk_factor = graphene.Float(
        required=True, description="AT_RISK after this many usual intervals without an order."
    )
    lapsed_factor = graphene.Float(required=True, description="LAPSED after this many usual intervals.")
    loyal_min_orders = graphene.Int(
        required=True, description="Orders that make a member LOYAL (or 2+ with the top monetary score)."
    )

    class Meta:
        name = "LoyaltySegmentSettings"


class SegmentSizeType(graphene.ObjectType):
    """A segment's size on a local day (the nightly snapshot)."""

    day = graphene.Date(required=True, description="The program's local day.")
    segment = NamedSegmentEnum(required=True, description="The segment.")
    size = graphene.Int(required=True, description="Members in it that night.")

    class Meta:
        name = "LoyaltySegmentSize"


class SavedSegmentType(graphene.ObjectType):
    """A staff-defined segment: its filters, as saved (counts and members come from `savedSegmentMembers`)."""

    id = graphene.ID(required=True, description="Global ID of the saved segment.")
    name = graphene.String(required=True, description="Its name.")
    filters = graphene.JSONString(required=True, description="The filters, as saved (snake_case names).")
    updated_at = graphene.DateTime(required=True, description="When it was last changed.")

    class Meta:
        name = "LoyaltySavedSegment"

    @staticmethod
    def build(saved):
        return SavedSegmentType(
            id=to_global_id("LoyaltySavedSegment", saved.pk),
            name=saved.name,
            filters=saved.filters,
            updated_at=saved.updated_at,
        )


class FlowContentType(graphene.ObjectType):
    """A step's message in one language."""

    language = graphene.String(required=True, description="he or en.")
    subject = graphene.String(required=True, description="The subject (the ad label is put before it).")
    body = graphene.String(required=True, description="The text; the legal footer is added.")

    class Meta:
        name = "LoyaltyFlowContent"


class FlowStepType(graphene.ObjectType):
    """One message of a flow."""

    after_days = graphene.Int(required=True, description="Days after the trigger.")
    incentive = graphene.Boolean(required=True, description="This step carries the flow's incentive.")
    content = graphene.List(graphene.NonNull(FlowContentType), required=True, description="Per language.")

    class Meta:
        name = "LoyaltyFlowStep"


class FlowStatsType(graphene.ObjectType):
    """What a flow did for runs started in a period, beside its holdout group."""

    started = graphene.Int(required=True, description="Runs started (holdout included).")
    messaged = graphene.Int(required=True, description="Treated runs that got at least one message.")
    messages_sent = graphene.Int(required=True, description="Messages sent in the period.")
    converted = graphene.Int(required=True, description="Treated runs followed by an order in the window.")
    revenue = graphene.Field(MoneyType, required=True, description="What those orders were worth.")
    conversion_rate = graphene.Float(description="Converted / treated runs.")
    holdout = graphene.Int(required=True, description="Runs held out (no messages).")
    holdout_converted = graphene.Int(required=True, description="Held-out runs followed by an order.")
    holdout_rate = graphene.Float(description="Holdout conversions / holdout runs.")
    lift = graphene.Float(description="Conversion rate minus holdout rate.")

    class Meta:
        name = "LoyaltyFlowStats"


class FlowType(graphene.ObjectType):
    """A channel's flow of one kind."""

    kind = FlowKindEnum(required=True, description="What starts it.")
    enabled = graphene.Boolean(required=True, description="Runs start and send.")
    steps = graphene.List(graphene.NonNull(FlowStepType), required=True, description="Its messages.")
    incentive = IncentiveKindEnum(required=True, description="What steps marked `incentive` offer.")
    incentive_points = graphene.Int(required=True, description="Bonus points (for POINTS).")
    voucher_percent = graphene.Int(required=True, description="Voucher discount in % (for VOUCHER).")
    voucher_days = graphene.Int(required=True, description="Days the voucher is valid.")
    holdout_percent = graphene.Int(required=True, description="Share of members held out, 0-50.")
    attribution_days = graphene.Int(required=True, description="Days after a message an order counts.")

    class Meta:
        name = "LoyaltyFlow"

    @staticmethod
    def build(flow):
        return FlowType(
            kind=flow.kind,
            enabled=flow.enabled,
            steps=[
                FlowStepType(
                    after_days=step["after_days"],
                    incentive=step.get("incentive", False),
                    content=[
                        FlowContentType(language=lang, **text) for lang, text in step["content"].items()
                    ],
                )
                for step in flow.steps
            ],
            incentive=flow.incentive,
            incentive_points=flow.incentive_points,
            voucher_percent=flow.voucher_percent,
            voucher_days=flow.voucher_days,
            holdout_percent=flow.holdout_percent,
            attribution_days=flow.attribution_days,
        )
