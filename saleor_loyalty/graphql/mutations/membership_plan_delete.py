import graphene

from saleor_loyalty.engagement import membership_plans
from saleor_loyalty.exceptions import MembershipPlanNotFound
from saleor_loyalty.graphql.ids import int_pk
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for


class LoyaltyMembershipPlanDelete(ClubMutation):
    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        id = graphene.ID(required=True, description="Global ID of the plan.")

    class Meta:
        description = (
            "Delete a membership plan nobody bought (PLAN_IN_USE otherwise: set isActive false to stop "
            "offering it). Requires MANAGE_SETTINGS."
        )

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, id):
        program = program_for(info, channel)
        membership_plans.delete_plan(
            program, int_pk(id, "LoyaltyMembershipPlan", "id", MembershipPlanNotFound)
        )
        return {}
