import graphene

from saleor_loyalty.engagement import catalogue
from saleor_loyalty.graphql.actions import ActionType
from saleor_loyalty.graphql.mutations.action_input import LoyaltyActionInput, action_values
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for


class LoyaltyActionCreate(ClubMutation):
    action = graphene.Field(ActionType, description="The action as saved.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        key = graphene.String(
            required=True, description="Its key, 1-64 of a-z, 0-9, '-', '_'; stored on every award."
        )
        input = LoyaltyActionInput(required=True, description="Its settings (nameEn and points required).")

    class Meta:
        description = "Define a custom action members earn points for. Requires MANAGE_SETTINGS."

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, key, input):
        program = program_for(info, channel)
        return {"action": catalogue.create_action(program, key=key, **action_values(input))}
