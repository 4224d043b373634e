import graphene
from django.utils import timezone

from saleor_loyalty.graphql.campaigns import MANAGE_USERS, CampaignType, campaign_pk
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.insights import campaigns


class LoyaltyCampaignCancel(ClubMutation):
    campaign = graphene.Field(CampaignType, description="The campaign as cancelled.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        id = graphene.ID(required=True, description="Global ID of the campaign.")

    class Meta:
        description = "Stop a campaign: members not yet claimed get nothing. Requires MANAGE_USERS."

    permission = MANAGE_USERS

    @classmethod
    def perform(cls, info, channel, id):
        program_for(info, channel)
        campaign = campaigns.campaign_in(channel, campaign_pk(id))
        return {"campaign": CampaignType.build(campaigns.cancel(campaign, timezone.now()))}
