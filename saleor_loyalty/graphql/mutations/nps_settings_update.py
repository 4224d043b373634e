import graphene

from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.insights import nps


class NpsSettingsType(graphene.ObjectType):
    """Whether an NPS survey follows an order in the channel, and when."""

    enabled = graphene.Boolean(required=True, description="Surveys are sent.")
    days_after_order = graphene.Int(required=True, description="Days after payment, 0-90.")

    class Meta:
        name = "LoyaltyNpsSettings"


class LoyaltyNpsSettingsUpdate(ClubMutation):
    settings = graphene.Field(NpsSettingsType, description="The settings as saved.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        enabled = graphene.Boolean(description="Send surveys.")
        days_after_order = graphene.Int(description="Days after payment, 0-90 (default 7).")

    class Meta:
        description = "Switch NPS surveys on or off and set their day. Requires MANAGE_SETTINGS."

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, enabled=None, days_after_order=None):
        program_for(info, channel)
        saved = nps.update_settings(channel, enabled=enabled, days_after_order=days_after_order)
        return {"settings": NpsSettingsType(enabled=saved.enabled, days_after_order=saved.days_after_order)}
