"""Staff import of consents gathered elsewhere, as CSV lines (source IMPORT, with origin and evidence).

The club endpoint caps every string at 2,000 characters and every list at 100 items, so a file is
sent as its lines, header first, up to 99 rows a call; bigger files go in several calls (each is
all or nothing, and re-sending a call adds nothing).
"""

import graphene
from django.db import transaction
from django.utils import timezone
from graphene.utils.str_converters import to_camel_case

from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.graphql.enums import LoyaltyErrorCodeEnum
from saleor_loyalty.graphql.errors import LoyaltyErrorType, error_list
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.insights import consent_evidence

MAX_LINES = 100


class ConsentImportRowError(graphene.ObjectType):
    """A bad row of a consent import."""

    row = graphene.Int(required=True, description="Data row (1 = the first line after the header).")
    field = graphene.String(required=True, description="The column.")
    message = graphene.String(required=True, description="What is wrong, for people.")
    code = LoyaltyErrorCodeEnum(required=True, description="What is wrong, for programs.")

    class Meta:
        name = "LoyaltyConsentImportRowError"


class LoyaltyConsentImport(ClubMutation):
    rows = graphene.Int(description="Data rows in the file.")
    created = graphene.Int(description="Consents recorded now.")
    already_imported = graphene.Int(description="Rows recorded by an earlier import, skipped.")
    row_errors = graphene.List(
        graphene.NonNull(ConsentImportRowError),
        required=True,
        description="Each bad row; nothing is written then.",
    )

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        csv_lines = graphene.List(
            graphene.NonNull(graphene.String),
            required=True,
            description="The CSV's lines, header first: medium,address,action,occurred_at,wording,locale,"
            "origin,evidence. At most 100 lines.",
        )

    class Meta:
        description = (
            "Import consents gathered elsewhere, with their evidence; all or nothing. Requires MANAGE_USERS."
        )

    permission = "MANAGE_USERS"

    @classmethod
    def mutate(cls, _root, info, **data):
        """As `ClubMutation.mutate`, and a refused file also answers one typed error per bad row."""
        try:
            cls.authorize(info.context.requestor, data["channel"])
            with transaction.atomic():
                return cls(errors=[], **cls.perform(info, **data))
        except consent_evidence.ImportRejected as rejected:
            rows = [
                ConsentImportRowError(row=e.row, field=to_camel_case(e.field), message=e.message, code=e.code)
                for e in rejected.errors
            ]
            errors = [
                LoyaltyErrorType(
                    field="csvLines", message=f"Row {e.row}, {e.field}: {e.message}", code=e.code
                )
                for e in rejected.errors
            ]
            return cls(errors=errors, row_errors=rows)
        except LoyaltyError as error:
            return cls(errors=error_list(error), row_errors=[])

    @classmethod
    def perform(cls, info, channel, csv_lines):
        if len(csv_lines) > MAX_LINES:
            raise LoyaltyError(f"At most {MAX_LINES} lines a call.", "csv_lines")
        program_for(info, channel)
        result = consent_evidence.import_consents(
            channel, "\n".join(csv_lines) + "\n", info.context.requestor.as_actor(), timezone.now()
        )
        return {**result.__dict__, "row_errors": []}
