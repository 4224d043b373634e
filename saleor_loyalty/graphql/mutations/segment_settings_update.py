import graphene

from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.graphql.segment_types import SegmentSettingsType
from saleor_loyalty.graphql.segments import settings_type
from saleor_loyalty.insights import flow_settings


class SegmentSettingsInput(graphene.InputObjectType):
    """Segment settings to change; fields left out stay as they are."""

    new_days = graphene.Int(description="1 to 365.")
    default_interval_days = graphene.Int(description="1 to 730.")
    min_interval_days = graphene.Int(description="1 to 365.")
    at_risk_factor = graphene.Decimal(description="Above 1, at most 20, two decimals.")
    lapsed_factor = graphene.Decimal(description="Above the at-risk factor, at most 20.")
    loyal_min_orders = graphene.Int(description="2 to 1000.")

    class Meta:
        name = "LoyaltySegmentSettingsInput"


class LoyaltySegmentSettingsUpdate(ClubMutation):
    settings = graphene.Field(SegmentSettingsType, description="The settings as saved.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        input = SegmentSettingsInput(required=True, description="What to change.")

    class Meta:
        description = (
            "Change where the channel's named segments begin (from the next run). Requires MANAGE_SETTINGS."
        )

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, input):
        program = program_for(info, channel)
        changes = {name: value for name, value in input.items() if value is not None}
        return {"settings": settings_type(flow_settings.update_segment_settings(program, **changes))}
