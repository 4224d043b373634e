"""Club API for consent and cart recovery: the storefront's consent and restore link, the dashboard's view."""

import graphene
from django.utils import timezone

from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.graphql.errors import Unauthenticated, query_error, require_permission
from saleor_loyalty.messages import consent, pipeline
from saleor_loyalty.models import AbandonedCheckout, Medium, MessageLog, RecoveryState
from saleor_loyalty.recovery import attribution, restore
from saleor_loyalty.recovery.abandonment import steps_of

MANAGE_CHECKOUTS = "MANAGE_CHECKOUTS"
MAX_PAGE = 100

ConsentMediumEnum = graphene.Enum("LoyaltyConsentMedium", [(value.upper(), value) for value in Medium.values])
RecoveryStateEnum = graphene.Enum(
    "LoyaltyRecoveryState", [(value.upper(), value) for value in RecoveryState.values]
)


class ConsentStateType(graphene.ObjectType):
    channel = graphene.String(required=True)
    medium = ConsentMediumEnum(required=True)
    granted = graphene.Boolean(required=True, description="Marketing on this medium is allowed now.")
    suppressed = graphene.Boolean(required=True, description="The person unsubscribed (all channels).")
    updated_at = graphene.DateTime()

    class Meta:
        name = "LoyaltyConsentState"


def consent_view(channel: str, medium: str, address: str) -> ConsentStateType:
    state = consent.current_state(channel, medium, address)
    return ConsentStateType(
        channel=channel,
        medium=medium,
        granted=state.may_market,
        suppressed=state.suppressed,
        updated_at=state.updated_at,
    )


class CartLineType(graphene.ObjectType):
    name = graphene.String(required=True)
    quantity = graphene.Int(required=True)
    total = graphene.String(
        required=True, description="Gross line total, decimal string in the cart currency."
    )

    class Meta:
        name = "LoyaltyCartLine"


def _lines(lines):
    return [CartLineType(name=line["name"], quantity=line["quantity"], total=line["total"]) for line in lines]


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
    total = graphene.String(required=True)
    currency = graphene.String(required=True)
    lines = graphene.List(graphene.NonNull(CartLineType), required=True)
    abandoned_at = graphene.DateTime(required=True)
    next_action_at = graphene.DateTime()
    reminders_sent = graphene.Int(required=True)
    recovered_order_id = graphene.ID()
    recovered_revenue = graphene.String()

    class Meta:
        name = "LoyaltyAbandonedCheckout"

    @staticmethod
    def build(row: AbandonedCheckout):
        return AbandonedCheckoutType(
            checkout_id=graphene.Node.to_global_id("Checkout", row.checkout_token),
            channel=row.channel_slug,
            email=row.email,
            state=row.state,
            state_reason=row.state_reason,
            total=str(row.total_gross.normalize()),
            currency=row.currency,
            lines=_lines(row.lines),
            abandoned_at=row.checkout_changed_at,
            next_action_at=row.next_action_at,
            reminders_sent=row.reminders_sent,
            recovered_order_id=graphene.Node.to_global_id("Order", row.recovered_order_id)
            if row.recovered_order_id
            else None,
            recovered_revenue=str(row.recovered_revenue.normalize())
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
            id=row.pk,
            category=row.category,
            medium=row.medium,
            recipient=row.recipient,
            status=row.status,
            reason=row.reason,
            subject=row.subject,
            step=row.step,
            created_at=row.created_at,
            sent_at=row.sent_at,
            checkout_id=graphene.Node.to_global_id("Checkout", row.checkout_token)
            if row.checkout_token
            else None,
        )


class RecoveryStatsType(graphene.ObjectType):
    abandoned_count = graphene.Int(required=True)
    abandoned_value = graphene.String(required=True)
    reminded_count = graphene.Int(required=True)
    reminders_sent = graphene.Int(required=True)
    recovered_count = graphene.Int(required=True)
    recovered_revenue = graphene.String(required=True)
    recovery_rate = graphene.String(description="Recovered ÷ abandoned outside the holdout.")
    holdout_count = graphene.Int(required=True)
    holdout_recovery_rate = graphene.String()
    lift = graphene.String(description="Recovery rate minus the holdout's rate.")
    unsubscribes = graphene.Int(required=True)

    class Meta:
        name = "LoyaltyRecoveryStats"


def _page(rows, first, after):
    first = max(1, min(first or 20, MAX_PAGE))
    if after:
        try:
            rows = rows.filter(pk__lt=int(after))
        except ValueError:
            raise query_error(LoyaltyError("Invalid cursor.", "after")) from None
    return list(rows.order_by("-pk")[:first])


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

    my_consent = graphene.List(
        graphene.NonNull(ConsentStateType),
        required=True,
        channel=graphene.String(required=True),
        phone=graphene.String(description="Also show SMS consent for this number."),
        description="The signed-in customer's marketing consent in a channel.",
    )
    restore_checkout = graphene.Field(
        RestoredCheckoutType,
        token=graphene.String(required=True),
        description="The checkout a reminder's restore link points to. Signs nobody in.",
    )
    abandoned_checkouts = graphene.List(
        graphene.NonNull(AbandonedCheckoutType),
        required=True,
        channel=graphene.String(required=True),
        state=RecoveryStateEnum(),
        first=graphene.Int(default_value=20),
        after=graphene.String(description="The last id of the previous page (newest first)."),
        description="Abandoned checkouts and their reminder state. Requires MANAGE_CHECKOUTS.",
    )
    message_log = graphene.List(
        graphene.NonNull(MessageLogType),
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
    def resolve_recovery_settings(_root, info, channel):
        try:
            require_permission(info.context.requestor, "MANAGE_SETTINGS", channel)
        except LoyaltyError as error:
            raise query_error(error) from None
        return pipeline.channel_settings(channel)

    @staticmethod
    def resolve_my_consent(_root, info, channel, phone=None):
        requestor = info.context.requestor
        try:
            if requestor.user_id is None:
                raise Unauthenticated("Sign in to see your consent.")
            states = [consent_view(channel, Medium.EMAIL, requestor.email)]
            if phone:
                states.append(consent_view(channel, Medium.SMS, phone))
            return states
        except LoyaltyError as error:
            raise query_error(error) from None

    @staticmethod
    def resolve_restore_checkout(_root, info, token):
        try:
            shop = info.context.shop
            exists = (lambda token: shop.checkout_now(token) is not None) if shop is not None else None
            record = restore.resolve(token, timezone.now(), checkout_exists=exists)
        except LoyaltyError as error:
            raise query_error(error) from None
        return RestoredCheckoutType(
            checkout_id=graphene.Node.to_global_id("Checkout", record.checkout_token),
            channel=record.channel_slug,
        )

    @staticmethod
    def resolve_abandoned_checkouts(_root, info, channel, state=None, first=20, after=None):
        try:
            require_permission(info.context.requestor, MANAGE_CHECKOUTS, channel)
        except LoyaltyError as error:
            raise query_error(error) from None
        rows = AbandonedCheckout.objects.filter(channel_slug=channel)
        if state:
            rows = rows.filter(state=state)
        return [AbandonedCheckoutType.build(row) for row in _page(rows, first, after)]

    @staticmethod
    def resolve_message_log(_root, info, channel, first=20, after=None):
        try:
            require_permission(info.context.requestor, MANAGE_CHECKOUTS, channel)
        except LoyaltyError as error:
            raise query_error(error) from None
        return [
            MessageLogType.build(row)
            for row in _page(MessageLog.objects.filter(channel_slug=channel), first, after)
        ]

    @staticmethod
    def resolve_recovery_stats(_root, info, channel, since, until):
        try:
            require_permission(info.context.requestor, MANAGE_CHECKOUTS, channel)
        except LoyaltyError as error:
            raise query_error(error) from None
        result = attribution.stats(channel, since, until)
        as_text = {
            name: (str(value) if value is not None else None)
            for name, value in result.__dict__.items()
            if name
            in {"abandoned_value", "recovered_revenue", "recovery_rate", "holdout_recovery_rate", "lift"}
        }
        return RecoveryStatsType(**{**result.__dict__, **as_text})
