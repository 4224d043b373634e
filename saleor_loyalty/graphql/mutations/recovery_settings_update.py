import graphene

from saleor_loyalty.graphql.enums import ConsentMediumEnum
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.recovery import RecoverySettings
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.recovery import settings as recovery_settings


class RecoveryStepInput(graphene.InputObjectType):
    """One reminder step."""

    after_minutes = graphene.Int(required=True, description="Minutes after the cart's last change.")
    medium = ConsentMediumEnum(required=True, description="Email or SMS.")

    class Meta:
        name = "LoyaltyRecoveryStepInput"


class RecoverySettingsInput(graphene.InputObjectType):
    """Recovery settings to change; fields left out stay as they are."""

    recovery_enabled = graphene.Boolean(description="Send cart reminders.")
    club_messages_enabled = graphene.Boolean(description="Send club messages.")
    sender_name = graphene.String(description="Name messages are sent from.")
    sender_email = graphene.String(description="Address messages are sent from.")
    contact_address = graphene.String(description="Postal address shown in every message.")
    reply_to = graphene.String(description="A monitored mailbox: replies are refusals.")
    restore_url_template = graphene.String(description="Storefront URL with {token}.")
    abandon_after_minutes = graphene.Int(description="5 to 1440.")
    steps = graphene.List(
        graphene.NonNull(RecoveryStepInput), description="The reminder sequence, replacing the current one."
    )
    lost_after_days = graphene.Int(description="Days after which an abandoned checkout is given up.")
    holdout_percent = graphene.Int(description="0 to 50.")
    last_step_discount_percent = graphene.Int(
        description="Single-use voucher in the last step, 0 (off) to 50."
    )
    incentive_hours = graphene.Int(description="How long that voucher is valid (default 48).")
    attribution_days = graphene.Int(description="Days within which an order counts as recovered.")
    country = graphene.String(description="Decides the advertising label (IL: פרסומת).")
    timezone = graphene.String(description="Timezone of quiet hours and Shabbat.")
    default_language = graphene.String(description="Language of messages when the customer's is unknown.")
    observe_shabbat = graphene.Boolean(description="Hold messages over Shabbat and holidays.")

    class Meta:
        name = "LoyaltyRecoverySettingsInput"


class LoyaltyRecoverySettingsUpdate(ClubMutation):
    settings = graphene.Field(RecoverySettings, description="The settings as saved.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        input = RecoverySettingsInput(required=True, description="What to change.")

    class Meta:
        description = "Change a channel's cart-recovery and messaging settings. Requires MANAGE_SETTINGS."

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, input):
        program_for(info, channel)
        changes = {name: value for name, value in input.items() if value is not None}
        if "steps" in changes:
            changes["steps"] = [dict(step) for step in changes["steps"]]
        return {"settings": recovery_settings.update_settings(channel, **changes)}
