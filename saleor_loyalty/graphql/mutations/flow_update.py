import graphene

from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.graphql.segment_types import FlowKindEnum, FlowType, IncentiveKindEnum
from saleor_loyalty.insights import flow_settings


class FlowContentInput(graphene.InputObjectType):
    """A step's message in one language."""

    language = graphene.String(required=True, description="he or en.")
    subject = graphene.String(required=True, description="One line, 1 to 150 characters.")
    body = graphene.String(required=True, description="1 to 4,000 characters.")

    class Meta:
        name = "LoyaltyFlowContentInput"


class FlowStepInput(graphene.InputObjectType):
    """One message of a flow."""

    after_days = graphene.Int(required=True, description="Days after the trigger, 0 to 365, increasing.")
    incentive = graphene.Boolean(description="This step carries the flow's incentive.")
    content = graphene.List(
        graphene.NonNull(FlowContentInput), required=True, description="Hebrew and/or English."
    )

    class Meta:
        name = "LoyaltyFlowStepInput"


class FlowInput(graphene.InputObjectType):
    """Flow settings to change; fields left out stay as they are."""

    enabled = graphene.Boolean(description="Start and send runs.")
    steps = graphene.List(graphene.NonNull(FlowStepInput), description="1 to 5 steps, replacing the current.")
    incentive = IncentiveKindEnum(description="What incentive steps offer.")
    incentive_points = graphene.Int(description="Bonus points, 0 to 100,000.")
    voucher_percent = graphene.Int(description="Voucher discount, 0 to 50 %.")
    voucher_days = graphene.Int(description="Days the voucher is valid, 1 to 90.")
    holdout_percent = graphene.Int(description="Members held out, 0 to 50 %.")
    attribution_days = graphene.Int(description="Days after a message an order counts, 1 to 60.")

    class Meta:
        name = "LoyaltyFlowInput"


class LoyaltyFlowUpdate(ClubMutation):
    flow = graphene.Field(FlowType, description="The flow as saved.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        kind = FlowKindEnum(required=True, description="Which flow.")
        input = FlowInput(required=True, description="What to change.")

    class Meta:
        description = "Change a win-back or greeting flow. Requires MANAGE_SETTINGS."

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, kind, input):
        program = program_for(info, channel)
        changes = {name: value for name, value in input.items() if value is not None}
        if "steps" in changes:
            changes["steps"] = [
                {**dict(step), "content": [dict(item) for item in step["content"]]}
                for step in changes["steps"]
            ]
        if "incentive" in changes:
            changes["incentive"] = getattr(changes["incentive"], "value", changes["incentive"])
        kind = getattr(kind, "value", kind)
        return {"flow": FlowType.build(flow_settings.update_flow(program, kind, **changes))}
