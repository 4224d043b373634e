import graphene

from saleor_loyalty.engagement import catalogue
from saleor_loyalty.graphql.mutations.action_input import MAX_KEY
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for


class LoyaltyActionDelete(ClubMutation):
    key = graphene.String(description="The deleted action's key.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        key = graphene.String(
            required=True, description=f"The custom action's key (up to {MAX_KEY} characters)."
        )

    class Meta:
        description = (
            "Delete a custom action (its past awards stay); built-in ones are switched off instead. "
            "Requires MANAGE_SETTINGS."
        )

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, key):
        catalogue.delete_action(program_for(info, channel), key[:MAX_KEY])
        return {"key": key}
