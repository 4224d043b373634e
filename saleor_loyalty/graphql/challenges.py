"""Challenges on the API for staff: the definitions (archived ones too), badges, and a per-challenge summary.

A member's progress and badges are fields of `LoyaltyMember` (`me`, `member`), see member_types.py.
"""

import graphene

from saleor_loyalty.engagement import challenge_settings
from saleor_loyalty.engagement.badges import program_badges
from saleor_loyalty.exceptions import ChallengeNotFound
from saleor_loyalty.graphql.challenge_types import BadgeType, ChallengeSummaryType, ChallengeType
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.ids import int_pk
from saleor_loyalty.graphql.resolvers import program_for

MANAGE_SETTINGS = "MANAGE_SETTINGS"


def challenge_pk(global_id: str, field: str = "id") -> int:
    return int_pk(global_id, "LoyaltyChallenge", field, ChallengeNotFound)


class ChallengeQueries(graphene.ObjectType):
    challenges = graphene.List(
        graphene.NonNull(ChallengeType),
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        include_archived=graphene.Boolean(default_value=False, description="Also deleted ones still in use."),
        description="A channel's challenges, oldest first. Requires MANAGE_SETTINGS.",
    )
    challenge_summary = graphene.Field(
        ChallengeSummaryType,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        id=graphene.ID(required=True, description="Global ID of the challenge."),
        description="How one challenge did: completions, points and badges given. Requires MANAGE_SETTINGS.",
    )
    badges = graphene.List(
        graphene.NonNull(BadgeType),
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        description="A channel's badges, oldest first. Requires MANAGE_SETTINGS.",
    )

    @staticmethod
    @resolver(permission=MANAGE_SETTINGS)
    def resolve_challenges(_root, info, channel, include_archived=False):
        return challenge_settings.staff_challenges(program_for(info, channel), include_archived)

    @staticmethod
    @resolver(permission=MANAGE_SETTINGS)
    def resolve_challenge_summary(_root, info, channel, id):
        return challenge_settings.summary(program_for(info, channel), challenge_pk(id))

    @staticmethod
    @resolver(permission=MANAGE_SETTINGS)
    def resolve_badges(_root, info, channel):
        return program_badges(program_for(info, channel))
