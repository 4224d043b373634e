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
    name = graphene.String(required=True)
    quantity = graphene.Int(required=True)
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
    checkout_id = graphene.ID(required=True, description="Saleor global ID of the checkout to reopen.")
    channel = graphene.String(required=True)

    class Meta:
        name = "LoyaltyRestoredCheckout"


class AbandonedCheckoutType(graphene.ObjectType):
    checkout_id = graphene.ID(required=True)
    channel = graphene.String(required=True)
    email = graphene.String(required=True)
    state = RecoveryStateEnum(required=True)
    state_reason = graphene.String(required=True)
    total = graphene.Field(MoneyType, required=True)
    lines = graphene.List(graphene.NonNull(CartLineType), required=True)
    abandoned_at = graphene.DateTime(required=True)
    next_action_at = graphene.DateTime()
    reminders_sent = graphene.Int(required=True)
    recovered_order_id = graphene.ID()
    recovered_revenue = graphene.Field(MoneyType)

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
    id = graphene.ID(required=True)
    category = graphene.String(required=True)
    medium = ConsentMediumEnum(required=True)
    recipient = graphene.String(required=True)
    status = graphene.String(required=True)
    reason = graphene.String(required=True)
    subject = graphene.String(required=True)
    step = graphene.Int()
    checkout_id = graphene.ID()
    created_at = graphene.DateTime(required=True)
    sent_at = graphene.DateTime()

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
    abandoned_count = graphene.Int(required=True)
    abandoned_value = graphene.Field(MoneyType, required=True)
    reminded_count = graphene.Int(required=True)
    reminders_sent = graphene.Int(required=True)
    recovered_count = graphene.Int(required=True)
    recovered_revenue = graphene.Field(MoneyType, required=True)
    recovery_rate = graphene.Float(description="Recovered ÷ abandoned outside the holdout, 0-1.")
    holdout_count = graphene.Int(required=True)
    holdout_recovery_rate = graphene.Float()
    lift = graphene.Float(description="Recovery rate minus the holdout's rate.")
    unsubscribes = graphene.Int(required=True)

    class Meta:
        name = "LoyaltyRecoveryStats"


LoyaltyAbandonedCheckoutConnection, LoyaltyAbandonedCheckoutEdge = connection_types(
    "LoyaltyAbandonedCheckout", AbandonedCheckoutType
)
LoyaltyMessageConnection, LoyaltyMessageEdge = connection_types("LoyaltyMessage", MessageLogType)


class RecoveryStepType(graphene.ObjectType):
    after_minutes = graphene.Int(required=True)
    medium = ConsentMediumEnum(required=True)

    class Meta:
        name = "LoyaltyRecoveryStep"


class RecoverySettings(graphene.ObjectType):
    channel = graphene.String(required=True)
    recovery_enabled = graphene.Boolean(required=True)
    club_messages_enabled = graphene.Boolean(required=True)
    sender_name = graphene.String(required=True)
    sender_email = graphene.String(required=True)
    contact_address = graphene.String(required=True)
    reply_to = graphene.String(required=True)
    restore_url_template = graphene.String(required=True)
    abandon_after_minutes = graphene.Int(required=True)
    steps = graphene.List(graphene.NonNull(RecoveryStepType), required=True)
    lost_after_days = graphene.Int(required=True)
    holdout_percent = graphene.Int(required=True)
    last_step_discount_percent = graphene.Int(required=True)
    incentive_hours = graphene.Int(required=True)
    attribution_days = graphene.Int(required=True)
    country = graphene.String(required=True)
    timezone = graphene.String(required=True)
    default_language = graphene.String(required=True)
    observe_shabbat = graphene.Boolean(required=True)

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
        channel=graphene.String(required=True),
        description="A channel's cart-recovery and messaging settings. Requires MANAGE_SETTINGS.",
    )

    restore_checkout = graphene.Field(
        RestoredCheckoutType,
        token=graphene.String(required=True),
        description="The checkout a reminder's restore link points to. Signs nobody in.",
    )
    abandoned_checkouts = graphene.Field(
        LoyaltyAbandonedCheckoutConnection,
        required=True,
        channel=graphene.String(required=True),
        state=RecoveryStateEnum(),
        first=graphene.Int(default_value=20),
        after=graphene.String(description="`pageInfo.endCursor` of the previous page (newest first)."),
        description="Abandoned checkouts and their reminder state. Requires MANAGE_CHECKOUTS.",
    )
    message_log = graphene.Field(
        LoyaltyMessageConnection,
        required=True,
        channel=graphene.String(required=True),
        first=graphene.Int(default_value=20),
        after=graphene.String(),
        description="Every message decision, newest first. Requires MANAGE_CHECKOUTS.",
    )
    recovery_stats = graphene.Field(
        RecoveryStatsType,
        channel=graphene.String(required=True),
        since=graphene.DateTime(required=True),
        until=graphene.DateTime(required=True),
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
