import graphene

from saleor_loyalty.graphql.campaigns import MANAGE_USERS, CampaignType, campaign_pk
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.mutations.campaign_input import CampaignInput, to_spec
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.insights import campaigns


class LoyaltyCampaignUpdate(ClubMutation):
    campaign = graphene.Field(CampaignType, description="The draft as saved.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        id = graphene.ID(required=True, description="Global ID of the campaign.")
        input = CampaignInput(required=True, description="What to change; `variants` replaces them all.")

    class Meta:
        description = "Change a draft campaign. Requires MANAGE_USERS."

    permission = MANAGE_USERS

    @classmethod
    def perform(cls, info, channel, id, input):
        program = program_for(info, channel)
        campaign = campaigns.campaign_in(channel, campaign_pk(id))
        updated = campaigns.update(campaign, program, to_spec(input, campaigns.spec_of(campaign)))
        return {"campaign": CampaignType.build(updated)}
