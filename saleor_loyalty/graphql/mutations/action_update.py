import graphene

from saleor_loyalty.engagement import catalogue
from saleor_loyalty.graphql.actions import ActionType
from saleor_loyalty.graphql.mutations.action_input import MAX_KEY, LoyaltyActionInput, action_values
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for


class LoyaltyActionUpdate(ClubMutation):
    action = graphene.Field(ActionType, description="The action as saved.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        key = graphene.String(required=True, description=f"The action's key (up to {MAX_KEY} characters).")
        input = LoyaltyActionInput(required=True, description="What to change.")

    class Meta:
        description = (
            "Change an action's points, caps, names or switch (built-in ones too). Requires MANAGE_SETTINGS."
        )

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, key, input):
        program = program_for(info, channel)
        return {"action": catalogue.update_action(program, key[:MAX_KEY], **action_values(input))}
