import graphene

from saleor_loyalty.graphql.campaigns import MANAGE_USERS, CampaignType
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.mutations.campaign_input import CampaignInput, to_spec
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.insights import campaigns


class LoyaltyCampaignCreate(ClubMutation):
    campaign = graphene.Field(CampaignType, description="The draft as saved.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        input = CampaignInput(required=True, description="The campaign; name and variants are required.")

    class Meta:
        description = "Create a draft campaign (unknown merge fields are refused). Requires MANAGE_USERS: it reaches members."

    permission = MANAGE_USERS

    @classmethod
    def perform(cls, info, channel, input):
        program = program_for(info, channel)
        created = campaigns.create(program, to_spec(input), info.context.requestor.as_actor().label)
        return {"campaign": CampaignType.build(created)}
