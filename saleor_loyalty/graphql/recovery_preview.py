"""Club API: each cart-reminder step as it would be sent, in Hebrew and English, with the §30A gate's verdict."""

import graphene
from django.utils import timezone

from saleor_loyalty.graphql.enums import ConsentMediumEnum
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.recovery import preview

MANAGE_SETTINGS = "MANAGE_SETTINGS"


class MessagePreviewType(graphene.ObjectType):
    """One reminder step in one language, rendered from the saved settings on a sample cart."""

    step = graphene.Int(required=True, description="Which step of the sequence, from 0.")
    medium = ConsentMediumEnum(required=True, description="Email or SMS.")
    language = graphene.String(required=True, description="he or en.")
    subject = graphene.String(required=True, description="The email's subject; empty for SMS.")
    text = graphene.String(required=True, description="The text body (the whole message for SMS).")
    allowed = graphene.Boolean(
        required=True, description="The §30A gate would let it out (for a recipient who opted in)."
    )
    problems = graphene.List(
        graphene.NonNull(graphene.String), required=True, description="Why the gate would block it."
    )

    class Meta:
        name = "LoyaltyMessagePreview"


class RecoveryPreviewQueries(graphene.ObjectType):
    recovery_preview = graphene.List(
        graphene.NonNull(MessagePreviewType),
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        description="Each reminder step in Hebrew and English with the §30A check; sends nothing. "
        "Requires MANAGE_SETTINGS.",
    )

    @staticmethod
    @resolver(permission=MANAGE_SETTINGS)
    def resolve_recovery_preview(_root, info, channel):
        currency = program_for(info, channel).currency
        return [
            MessagePreviewType(**{**item.__dict__, "allowed": item.allowed})
            for item in preview.preview_steps(channel, currency, timezone.now())
        ]
