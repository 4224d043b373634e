"""Paid membership on the API: staff read the channel's plans; the public offer for the `club(channel)` page.

`me { membership }` and `member { membership { terms } }` are on the member type; plans are changed by
`loyaltyMembershipPlanSet` / `loyaltyMembershipPlanDelete` (MANAGE_SETTINGS).
"""

import graphene

from saleor_loyalty.engagement import membership_plans
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.membership_types import MembershipOfferType, MembershipPlanType
from saleor_loyalty.graphql.resolvers import program_for

MANAGE_SETTINGS = "MANAGE_SETTINGS"


def membership_offers(program, variants, offered=None) -> list[MembershipOfferType]:
    """The offered plans with Saleor's prices, for the public `club(channel) { membershipOffers }`: nothing
    member-specific or staff-only (no inactive plans, no reminder settings). One catalog call; the plans
    come from the club page's section query (`offered`), or one query when not given."""
    found = membership_plans.offers(program, variants, offered)
    return [MembershipOfferType.from_offer(offer) for offer in found]


class MembershipQueries(graphene.ObjectType):
    membership_plans = graphene.List(
        graphene.NonNull(MembershipPlanType),
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        description="The channel's paid membership plans, offered or not. Requires MANAGE_SETTINGS.",
    )

    @staticmethod
    @resolver(permission=MANAGE_SETTINGS)
    def resolve_membership_plans(_root, info, channel):
        return membership_plans.plans(program_for(info, channel))
