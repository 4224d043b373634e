"""Club API for cart recovery: the storefront's restore link, the dashboard's carts, messages and numbers."""

from decimal import Decimal

import graphene
from django.utils import timezone

from saleor_loyalty.graphql.enums import ConsentMediumEnum, RecoveryStateEnum
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.ids import to_global_id
from saleor_loyalty.graphql.money import MoneyType
from saleor_loyalty.graphql.pagination import connection, connection_types, keyset_page
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.messages import pipeline
from saleor_loyalty.models import AbandonedCheckout, MessageLog
from saleor_loyalty.recovery import attribution, restore
from saleor_loyalty.recovery.abandonment import steps_of

MANAGE_CHECKOUTS = "MANAGE_CHECKOUTS"
MANAGE_SETTINGS = "MANAGE_SETTINGS"


class CartLineType(graphene.ObjectType):
    """One line of an abandoned cart, as the reminder shows it."""

    name = graphene.String(required=True, description="Product name as the customer saw it.")
    quantity = graphene.Int(required=True, description="How many.")
    total = graphene.Field(MoneyType, required=True, description="Gross line total.")

    class Meta:
        name = "LoyaltyCartLine"


def _lines(lines, currency: str):
    return [
        CartLineType(
            name=line["name"], quantity=line["quantity"], total=MoneyType.of(Decimal(line["total"]), currency)
        )
        for line in lines
    ]


class RestoredCheckoutType(graphene.ObjectType):
    """The checkout a restore link reopens."""

    checkout_id = graphene.ID(required=True, description="Saleor global ID of the checkout to reopen.")
    channel = graphene.String(required=True, description="The Saleor channel's slug.")

    class Meta:
        name = "LoyaltyRestoredCheckout"


class AbandonedCheckoutType(graphene.ObjectType):
    """A checkout left without an order, and where its reminders stand."""

    checkout_id = graphene.ID(required=True, description="Saleor global ID of the checkout.")
    channel = graphene.String(required=True, description="The Saleor channel's slug.")
    email = graphene.String(required=True, description="The customer's email on the checkout.")
    state = RecoveryStateEnum(required=True, description="Where recovery stands for this checkout.")
    state_reason = graphene.String(
        required=True, description="Why it is in that state (e.g. no consent, holdout group)."
    )
    total = graphene.Field(MoneyType, required=True, description="The cart's gross total.")
    lines = graphene.List(graphene.NonNull(CartLineType), required=True, description="The cart's lines.")
    abandoned_at = graphene.DateTime(
        required=True, description="When the checkout was last active before it counted as abandoned."
    )
    next_action_at = graphene.DateTime(description="When the next reminder is due; null when none is.")
    reminders_sent = graphene.Int(required=True, description="Reminders sent so far.")
    recovered_order_id = graphene.ID(description="Saleor global ID of the order that recovered it, if any.")
    recovered_revenue = graphene.Field(MoneyType, description="What the recovering order was worth, if any.")

    class Meta:
        name = "LoyaltyAbandonedCheckout"

    @staticmethod
    def build(row: AbandonedCheckout):
        return AbandonedCheckoutType(
            checkout_id=to_global_id("Checkout", row.checkout_token),
            channel=row.channel_slug,
            email=row.email,
            state=row.state,
            state_reason=row.state_reason,
            total=MoneyType.of(row.total_gross, row.currency),
            lines=_lines(row.lines, row.currency),
            abandoned_at=row.checkout_changed_at,
            next_action_at=row.next_action_at,
            reminders_sent=row.reminders_sent,
            recovered_order_id=to_global_id("Order", row.recovered_order_id)
            if row.recovered_order_id
            else None,
            recovered_revenue=MoneyType.of(row.recovered_revenue, row.currency)
            if row.recovered_revenue is not None
            else None,
        )


class MessageLogType(graphene.ObjectType):
    """One message decision: sent, skipped or held, and why."""

    id = graphene.ID(required=True, description="Global ID of the log row.")
    category = graphene.String(
        required=True, description="What kind of message (cart reminder, club message, ...)."
    )
    medium = ConsentMediumEnum(required=True, description="Email or SMS.")
    recipient = graphene.String(required=True, description="Where it went (masked as stored).")
    status = graphene.String(required=True, description="Sent, skipped, failed or held.")
    reason = graphene.String(required=True, description="Why it has that status.")
    subject = graphene.String(required=True, description="The message's subject line.")
    step = graphene.Int(description="Which reminder step, for cart reminders.")
    checkout_id = graphene.ID(description="Saleor global ID of the checkout it is about, if any.")
    created_at = graphene.DateTime(required=True, description="When the decision was made.")
    sent_at = graphene.DateTime(description="When it was handed to the provider; null if never.")

    class Meta:
        name = "LoyaltyMessage"

    @staticmethod
    def build(row: MessageLog):
        return MessageLogType(
            id=to_global_id("LoyaltyMessage", row.pk),
            category=row.category,
            medium=row.medium,
            recipient=row.recipient,
            status=row.status,
            reason=row.reason,
            subject=row.subject,
            step=row.step,
            created_at=row.created_at,
            sent_at=row.sent_at,
            checkout_id=to_global_id("Checkout", row.checkout_token) if row.checkout_token else None,
        )


class RecoveryStatsType(graphene.ObjectType):
    """Cart-recovery numbers for a period."""

    abandoned_count = graphene.Int(required=True, description="Checkouts abandoned in the period.")
    abandoned_value = graphene.Field(MoneyType, required=True, description="Their gross value.")
    reminded_count = graphene.Int(
        required=True, description="Abandoned checkouts that got at least one reminder."
    )
    reminders_sent = graphene.Int(required=True, description="Reminders sent in all.")
    recovered_count = graphene.Int(
        required=True, description="Abandoned checkouts that became orders within the attribution window."
    )
    recovered_revenue = graphene.Field(MoneyType, required=True, description="What those orders were worth.")
    recovery_rate = graphene.Float(description="Recovered ÷ abandoned outside the holdout, 0-1.")
    holdout_count = graphene.Int(
        required=True, description="Abandoned checkouts deliberately not reminded (the control group)."
    )
    holdout_recovery_rate = graphene.Float(
        description="Share of the holdout group that ordered anyway; null without a holdout."
    )
    lift = graphene.Float(description="Recovery rate minus the holdout's rate.")
    unsubscribes = graphene.Int(required=True, description="Unsubscribes in the period.")

    class Meta:
        name = "LoyaltyRecoveryStats"


LoyaltyAbandonedCheckoutConnection, LoyaltyAbandonedCheckoutEdge = connection_types(
    "LoyaltyAbandonedCheckout", AbandonedCheckoutType
)
LoyaltyMessageConnection, LoyaltyMessageEdge = connection_types("LoyaltyMessage", MessageLogType)


class RecoveryStepType(graphene.ObjectType):
    """One reminder step of the recovery sequence."""

    after_minutes = graphene.Int(
        required=True, description="Minutes after abandonment (or after the previous step) when it is sent."
    )
    medium = ConsentMediumEnum(required=True, description="Email or SMS.")

    class Meta:
        name = "LoyaltyRecoveryStep"


class RecoverySettings(graphene.ObjectType):
    """A channel's cart-recovery and club-messaging settings."""

    channel = graphene.String(required=True, description="The Saleor channel's slug.")
    recovery_enabled = graphene.Boolean(required=True, description="Cart reminders are sent.")
    club_messages_enabled = graphene.Boolean(
        required=True, description="Club messages (expiry reminders, tier news) are sent."
    )
    sender_name = graphene.String(required=True, description="Name messages are sent from.")
    sender_email = graphene.String(required=True, description="Address messages are sent from.")
    contact_address = graphene.String(
        required=True, description="Postal address shown in every message, as the anti-spam law asks."
    )
    reply_to = graphene.String(required=True, description="Reply-To address; empty for none.")
    restore_url_template = graphene.String(
        required=True, description="Storefront URL of a restore link, with {token} where the token goes."
    )
    abandon_after_minutes = graphene.Int(
        required=True, description="Minutes of inactivity after which a checkout counts as abandoned."
    )
    steps = graphene.List(
        graphene.NonNull(RecoveryStepType), required=True, description="The reminder sequence."
    )
    lost_after_days = graphene.Int(
        required=True, description="Days after which an abandoned checkout is given up."
    )
    holdout_percent = graphene.Int(
        required=True,
        description="Percent of abandoned checkouts kept as a control group that gets no reminder.",
    )
    last_step_discount_percent = graphene.Int(
        required=True, description="Discount offered in the last reminder; 0 for none."
    )
    incentive_hours = graphene.Int(
        required=True, description="Hours the last reminder's discount stays valid."
    )
    attribution_days = graphene.Int(
        required=True, description="Days within which an order counts as recovered by a reminder."
    )
    country = graphene.String(required=True, description="Country whose rules (quiet hours, law) apply.")
    timezone = graphene.String(required=True, description="Timezone of quiet hours and Shabbat.")
    default_language = graphene.String(
        required=True, description="Language of messages when the customer's is unknown."
    )
    observe_shabbat = graphene.Boolean(required=True, description="Hold messages over Shabbat and holidays.")

    class Meta:
        name = "LoyaltyRecoverySettings"

    @staticmethod
    def resolve_channel(root, _info):
        return root.channel_slug

    @staticmethod
    def resolve_steps(root, _info):
        return [RecoveryStepType(**step) for step in steps_of(root)]


class RecoveryQueries(graphene.ObjectType):
    recovery_settings = graphene.Field(
        RecoverySettings,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        description="A channel's cart-recovery and messaging settings. Requires MANAGE_SETTINGS.",
    )

    restore_checkout = graphene.Field(
        RestoredCheckoutType,
        token=graphene.String(required=True, description="The token from the restore link."),
        description="The checkout a reminder's restore link points to. Signs nobody in.",
    )
    abandoned_checkouts = graphene.Field(
        LoyaltyAbandonedCheckoutConnection,
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        state=RecoveryStateEnum(description="Only checkouts in this state."),
        first=graphene.Int(default_value=20, description="How many rows, 1 to 100."),
        after=graphene.String(description="`pageInfo.endCursor` of the previous page (newest first)."),
        description="Abandoned checkouts and their reminder state. Requires MANAGE_CHECKOUTS.",
    )
    message_log = graphene.Field(
        LoyaltyMessageConnection,
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        first=graphene.Int(default_value=20, description="How many rows, 1 to 100."),
        after=graphene.String(description="`pageInfo.endCursor` of the previous page."),
        description="Every message decision, newest first. Requires MANAGE_CHECKOUTS.",
    )
    recovery_stats = graphene.Field(
        RecoveryStatsType,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        since=graphene.DateTime(required=True, description="Start of the period (timezone required)."),
        until=graphene.DateTime(required=True, description="End of the period (timezone required)."),
        description="Recovery numbers for a period. Requires MANAGE_CHECKOUTS.",
    )

    @staticmethod
    @resolver(permission=MANAGE_SETTINGS)
    def resolve_recovery_settings(_root, info, channel):
        program_for(info, channel)
        return pipeline.channel_settings(channel)

    @staticmethod
    @resolver()
    def resolve_restore_checkout(_root, info, token):
        shop = info.context.shop
        exists = (lambda token: shop.checkout_now(token) is not None) if shop is not None else None
        record = restore.resolve(token, timezone.now(), checkout_exists=exists)
        return RestoredCheckoutType(
            checkout_id=to_global_id("Checkout", record.checkout_token),
            channel=record.channel_slug,
        )

    @staticmethod
    @resolver(permission=MANAGE_CHECKOUTS)
    def resolve_abandoned_checkouts(_root, info, channel, state=None, first=20, after=None):
        rows = AbandonedCheckout.objects.filter(channel_slug=channel)
        if state:
            rows = rows.filter(state=state)
        page = keyset_page(rows, first, after, "abandoned")
        return connection(
            LoyaltyAbandonedCheckoutConnection,
            LoyaltyAbandonedCheckoutEdge,
            page,
            AbandonedCheckoutType.build,
        )

    @staticmethod
    @resolver(permission=MANAGE_CHECKOUTS)
    def resolve_message_log(_root, info, channel, first=20, after=None):
        page = keyset_page(MessageLog.objects.filter(channel_slug=channel), first, after, "message")
        return connection(LoyaltyMessageConnection, LoyaltyMessageEdge, page, MessageLogType.build)

    @staticmethod
    @resolver(permission=MANAGE_CHECKOUTS)
    def resolve_recovery_stats(_root, info, channel, since, until):
        currency = program_for(info, channel).currency
        result = attribution.stats(channel, since, until)
        return RecoveryStatsType(
            **{
                **result.__dict__,
                "abandoned_value": MoneyType.of(result.abandoned_value, currency),
                "recovered_revenue": MoneyType.of(result.recovered_revenue, currency),
            }
        )
