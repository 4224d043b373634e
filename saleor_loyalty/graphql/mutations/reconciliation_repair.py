"""Staff and reconciliation: the open findings of a channel, and the one explicit repair of a drift."""

import graphene

from saleor_loyalty.exceptions import FindingNotFound
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.ids import int_pk, to_global_id
from saleor_loyalty.graphql.member_types import LoyaltyTransaction
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.ledger import reconciliation

PERMISSION = "MANAGE_USERS"
FINDING = "LoyaltyReconciliationFinding"


class LoyaltyReconciliationFinding(graphene.ObjectType):
    """A difference the nightly reconciliation found between a member's rows and a cached or card balance."""

    id = graphene.ID(required=True, description="Global ID of the finding.")
    check = graphene.String(required=True, description="`points` or `store_credit`.")
    email = graphene.String(required=True, description="The member's email.")
    user_id = graphene.ID(description="Saleor global ID of the member; null for a guest.")
    expected = graphene.String(required=True, description="What the rows say (points, or card money).")
    found = graphene.String(required=True, description="The cached balance, or the card's balance.")
    drift = graphene.String(required=True, description="found - expected")
    found_at = graphene.DateTime(required=True, description="When reconciliation found it.")
    resolved_at = graphene.DateTime(description="When staff repaired it; null while open.")
    resolution = graphene.String(required=True, description="What the repair did; empty while open.")
    resolved_by = graphene.String(required=True, description="Who repaired it; empty while open.")

    class Meta:
        name = FINDING

    @staticmethod
    def resolve_id(finding, _info):
        return to_global_id(FINDING, finding.pk)

    @staticmethod
    def resolve_check(finding, _info):
        return finding.kind

    @staticmethod
    def resolve_email(finding, _info):
        return finding.account.email

    @staticmethod
    def resolve_user_id(finding, _info):
        user_id = finding.account.user_id
        return to_global_id("User", user_id) if user_id is not None else None

    @staticmethod
    def resolve_expected(finding, _info):
        return f"{finding.expected.normalize():f}"

    @staticmethod
    def resolve_found(finding, _info):
        return f"{finding.found.normalize():f}"

    @staticmethod
    def resolve_drift(finding, _info):
        return f"{finding.drift.normalize():f}"


class ReconciliationQueries(graphene.ObjectType):
    reconciliation_findings = graphene.List(
        graphene.NonNull(LoyaltyReconciliationFinding),
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        description="Open drifts the nightly reconciliation found in a channel. Requires MANAGE_USERS.",
    )

    @staticmethod
    @resolver(PERMISSION)
    def resolve_reconciliation_findings(_root, info, channel):
        return list(reconciliation.open_findings(program_for(info, channel))[:500])


class LoyaltyReconciliationRepair(ClubMutation):
    finding = graphene.Field(LoyaltyReconciliationFinding, description="The finding as resolved.")
    transaction = graphene.Field(
        LoyaltyTransaction, description="The correction row; null when none was due."
    )

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        finding_id = graphene.ID(required=True, description="Global ID of the finding to repair.")
        reason = graphene.String(required=True, description="Why (kept on the repair's ledger row).")

    class Meta:
        description = (
            "Repair a points drift reconciliation found: one correction row makes the ledger explain the "
            "balance the member was shown; repeating it writes nothing. Requires MANAGE_USERS."
        )

    permission = PERMISSION

    @classmethod
    def perform(cls, info, channel, finding_id, reason):
        program = program_for(info, channel)
        pk = int_pk(finding_id, FINDING, "finding_id", FindingNotFound)
        finding, entry = reconciliation.repair(program, pk, reason, info.context.requestor.as_actor())
        return {"finding": finding, "transaction": entry}
