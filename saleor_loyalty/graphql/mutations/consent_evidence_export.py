"""Staff export of one person's consent history (§30A evidence). A mutation: every export is audited."""

import graphene

from saleor_loyalty.graphql.enums import ConsentMediumEnum, choices_enum
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.insights import consent_evidence

EvidenceFormatEnum = choices_enum(
    "LoyaltyEvidenceFormat", ("json", "csv"), "File format of a consent export."
)


class LoyaltyConsentEvidenceExport(ClubMutation):
    content = graphene.String(description="The file's text (UTF-8).")
    filename = graphene.String(description="A suggested file name.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        medium = ConsentMediumEnum(required=True, description="Email or SMS.")
        address = graphene.String(
            required=True, description="The person's email or phone, up to 254 characters."
        )
        format = EvidenceFormatEnum(required=True, description="JSON or CSV.")

    class Meta:
        description = (
            "Export one person's full consent history (wording, place, time, withdrawals) on a channel; "
            "the export is recorded with who made it. Requires MANAGE_USERS."
        )

    permission = "MANAGE_USERS"

    @classmethod
    def perform(cls, info, channel, medium, address, format):
        program_for(info, channel)
        actor = info.context.requestor.as_actor()
        content = consent_evidence.export_history(channel, medium, address, actor, format)
        return {"content": content, "filename": f"consent-{channel}-{medium}.{format}"}
