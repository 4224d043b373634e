import graphene
from django.utils import timezone

from saleor_loyalty.graphql.ids import uuid_pk
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.insights import nps


class LoyaltyNpsAnswer(ClubMutation):
    score = graphene.Int(description="The score as saved.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        order_id = graphene.ID(required=True, description="Saleor global ID of your surveyed order.")
        score = graphene.Int(required=True, description="0 (not at all likely) to 10 (extremely likely).")
        comment = graphene.String(description="Anything to add (up to 2000 characters).")

    class Meta:
        description = (
            "Answer the NPS survey of one of your orders (the latest answer stays). Signed-in customers only; "
            "another customer's order is not found."
        )

    customer_only = True

    @classmethod
    def perform(cls, info, channel, order_id, score, comment=None):
        order = uuid_pk(order_id, "Order", "order_id", nps.NpsSurveyNotFound)
        user_id = info.context.requestor.user_id
        return {
            "score": nps.answer_for_customer(channel, order, user_id, score, comment, timezone.now()).score
        }
