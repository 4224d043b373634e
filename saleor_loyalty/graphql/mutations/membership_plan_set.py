import graphene

from saleor_loyalty.engagement import membership_plans
from saleor_loyalty.exceptions import CatalogItemNotFound
from saleor_loyalty.graphql.ids import int_pk
from saleor_loyalty.graphql.membership_types import MembershipPlanType, MembershipTermEnum
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.mutations.program_update import MoneyInput
from saleor_loyalty.graphql.mutations.tier_input import tier_pk
from saleor_loyalty.graphql.resolvers import program_for


class LoyaltyMembershipPlanInput(graphene.InputObjectType):
    """A paid membership plan's settings; a new plan needs name, term and tier."""

    name = graphene.String(description="The plan's name (1-64 characters).")
    term = MembershipTermEnum(description="How long one term (one unit bought) runs.")
    tier = graphene.ID(description="Global ID of the tier members hold at least while paid.")
    monthly_gift_points = graphene.Int(description="Points each month of membership, 0-1000000.")
    monthly_gift_credit = graphene.Field(
        MoneyInput, description="Store credit each month, in the channel's currency; 0 = none."
    )
    reminder_days = graphene.Int(description="Days before the end the member is told, 0-60; 0 = none.")
    is_active = graphene.Boolean(description="Offered to the public (paid orders of it count anyway).")


class LoyaltyMembershipPlanSet(ClubMutation):
    plan = graphene.Field(MembershipPlanType, description="The plan as saved.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        variant_id = graphene.ID(
            required=True, description="Global ID of the Saleor ProductVariant sold as the plan."
        )
        input = LoyaltyMembershipPlanInput(required=True, description="What to set.")

    class Meta:
        description = (
            "Mark a Saleor product variant as a paid membership plan of a channel's club, or change its "
            "plan: a paid order of it starts or extends the buyer's membership. Requires MANAGE_SETTINGS."
        )

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, variant_id, input):
        program = program_for(info, channel)
        values = {name: value for name, value in input.items() if value is not None}
        if "tier" in values:
            values["tier_id"] = tier_pk(values.pop("tier"), "tier")
        if "monthly_gift_credit" in values:
            money = values["monthly_gift_credit"]
            values["monthly_gift_credit"] = (money["amount"], money["currency"])
        variant = int_pk(variant_id, "ProductVariant", "variant_id", CatalogItemNotFound)
        plan = membership_plans.set_plan(program, variant, info.context.variants, **values)
        return {"plan": plan}
