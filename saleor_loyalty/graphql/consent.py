"""Marketing consent on the API: a customer's own consent state in a channel."""

import graphene

from saleor_loyalty.graphql.enums import ConsentMediumEnum
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.messages import consent
from saleor_loyalty.models import Medium


class ConsentStateType(graphene.ObjectType):
    """A customer's marketing consent for one medium in one channel."""

    channel = graphene.String(required=True, description="The Saleor channel's slug.")
    medium = ConsentMediumEnum(required=True, description="Email or SMS.")
    granted = graphene.Boolean(required=True, description="Marketing on this medium is allowed now.")
    suppressed = graphene.Boolean(required=True, description="The person unsubscribed (all channels).")
    updated_at = graphene.DateTime(description="When it last changed; null if never recorded.")

    class Meta:
        name = "LoyaltyConsentState"


def consent_view(channel: str, medium: str, address: str) -> ConsentStateType:
    state = consent.current_state(channel, medium, address)
    return ConsentStateType(
        channel=channel,
        medium=medium,
        granted=state.may_market,
        suppressed=state.suppressed,
        updated_at=state.updated_at,
    )


class ConsentQueries(graphene.ObjectType):
    my_consent = graphene.List(
        graphene.NonNull(ConsentStateType),
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        phone=graphene.String(
            description="Also show SMS consent for this number (one on your Saleor addresses)."
        ),
        description="The signed-in customer's marketing consent in a channel.",
    )

    @staticmethod
    @resolver(customer=True)
    def resolve_my_consent(_root, info, channel, phone=None):
        """Only the caller's own addresses: another number's state is nobody else's business."""
        program_for(info, channel)
        requestor = info.context.requestor
        states = [consent_view(channel, Medium.EMAIL, requestor.email)]
        if phone:
            shop = info.context.shop
            consent.require_owned_phone(phone, shop.customer_phones(requestor.user_id) if shop else ())
            states.append(consent_view(channel, Medium.SMS, phone))
        return states
