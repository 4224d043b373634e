import graphene
from django.utils import timezone

from saleor_loyalty.graphql.campaigns import MANAGE_USERS, CampaignType, campaign_pk
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.insights import campaigns


class LoyaltyCampaignSchedule(ClubMutation):
    campaign = graphene.Field(CampaignType, description="The campaign as scheduled.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        id = graphene.ID(required=True, description="Global ID of the draft campaign.")
        send_at = graphene.DateTime(description="When sending starts (timezone required); now when left out.")

    class Meta:
        description = "Freeze a draft and schedule its sending. Requires MANAGE_USERS."

    permission = MANAGE_USERS

    @classmethod
    def perform(cls, info, channel, id, send_at=None):
        program_for(info, channel)
        now = timezone.now()
        campaign = campaigns.campaign_in(channel, campaign_pk(id))
        return {"campaign": CampaignType.build(campaigns.schedule(campaign, send_at or now, now))}
