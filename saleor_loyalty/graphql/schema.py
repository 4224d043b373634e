"""The club's own GraphQL schema (graphene 2), served by the plugin beside Saleor's API.

The query root is composed from one mixin per noun; each resolver authorizes through
`errors.resolver` and every mutation through `mutations.base.ClubMutation`.
"""

import graphene
from graphql import parse
from graphql.error import GraphQLSyntaxError
from graphql.execution import ExecutionResult

from saleor_loyalty.graphql.checkout_preview import CheckoutPreviewQueries
from saleor_loyalty.graphql.consent import ConsentQueries
from saleor_loyalty.graphql.early_access import EarlyAccessQueries
from saleor_loyalty.graphql.entities import FederationQueries
from saleor_loyalty.graphql.members import MemberQueries
from saleor_loyalty.graphql.mutations.birthday_set import LoyaltyBirthdaySet
from saleor_loyalty.graphql.mutations.club_shipping_set import LoyaltyClubShippingMethodsSet
from saleor_loyalty.graphql.mutations.consent_set import LoyaltyConsentSet
from saleor_loyalty.graphql.mutations.consent_sms_confirm import LoyaltyConsentSmsConfirm
from saleor_loyalty.graphql.mutations.consent_sms_start import LoyaltyConsentSmsStart
from saleor_loyalty.graphql.mutations.early_access_mark import LoyaltyEarlyAccessMark
from saleor_loyalty.graphql.mutations.early_access_unmark import LoyaltyEarlyAccessUnmark
from saleor_loyalty.graphql.mutations.points_adjust import LoyaltyPointsAdjust
from saleor_loyalty.graphql.mutations.program_update import LoyaltyProgramUpdate
from saleor_loyalty.graphql.mutations.reconciliation_repair import (
    LoyaltyReconciliationRepair,
    ReconciliationQueries,
)
from saleor_loyalty.graphql.mutations.recovery_settings_update import LoyaltyRecoverySettingsUpdate
from saleor_loyalty.graphql.mutations.redeem_points import LoyaltyRedeemPoints
from saleor_loyalty.graphql.mutations.tier_create import LoyaltyTierCreate
from saleor_loyalty.graphql.mutations.tier_delete import LoyaltyTierDelete
from saleor_loyalty.graphql.mutations.tier_override import LoyaltyTierOverride
from saleor_loyalty.graphql.mutations.tier_translate import LoyaltyTierTranslate
from saleor_loyalty.graphql.mutations.tier_update import LoyaltyTierUpdate
from saleor_loyalty.graphql.programs import ProgramQueries
from saleor_loyalty.graphql.recovery import RecoveryQueries
from saleor_loyalty.graphql.strict_inputs import StrictInputError, check_variables, strict_input_error


class Query(
    MemberQueries,
    ProgramQueries,
    CheckoutPreviewQueries,
    EarlyAccessQueries,
    ConsentQueries,
    RecoveryQueries,
    ReconciliationQueries,
    FederationQueries,
    graphene.ObjectType,
):
    """What the club answers; `_entities` and `_service` serve it as a federation subgraph of Saleor."""


class Mutation(graphene.ObjectType):
    """The club's changes: each answers `errors` and writes nothing when it has any."""

    loyalty_consent_set = LoyaltyConsentSet.Field()
    loyalty_consent_sms_start = LoyaltyConsentSmsStart.Field()
    loyalty_consent_sms_confirm = LoyaltyConsentSmsConfirm.Field()
    loyalty_recovery_settings_update = LoyaltyRecoverySettingsUpdate.Field()
    loyalty_points_adjust = LoyaltyPointsAdjust.Field()
    loyalty_program_update = LoyaltyProgramUpdate.Field()
    loyalty_tier_create = LoyaltyTierCreate.Field()
    loyalty_tier_update = LoyaltyTierUpdate.Field()
    loyalty_tier_delete = LoyaltyTierDelete.Field()
    loyalty_tier_override = LoyaltyTierOverride.Field()
    loyalty_tier_translate = LoyaltyTierTranslate.Field()
    loyalty_birthday_set = LoyaltyBirthdaySet.Field()
    loyalty_redeem_points = LoyaltyRedeemPoints.Field()
    loyalty_club_shipping_methods_set = LoyaltyClubShippingMethodsSet.Field()
    loyalty_early_access_mark = LoyaltyEarlyAccessMark.Field()
    loyalty_early_access_unmark = LoyaltyEarlyAccessUnmark.Field()
    loyalty_reconciliation_repair = LoyaltyReconciliationRepair.Field()


class ClubSchema(graphene.Schema):
    """The club's schema; variables are checked strictly against their types before execution."""

    def execute(self, request_string="", *args, **kwargs):
        variables = kwargs.get("variable_values")
        if variables is not None and not isinstance(variables, dict):
            error = StrictInputError("variables", "Variables must be a JSON object.")
            return ExecutionResult(errors=[strict_input_error(error)], invalid=True)
        if variables:
            try:
                document = parse(request_string) if isinstance(request_string, str) else request_string
                check_variables(self, document, kwargs.get("operation_name"), variables)
            except GraphQLSyntaxError:
                pass  # execution answers the syntax error itself
            except StrictInputError as error:
                return ExecutionResult(errors=[strict_input_error(error)], invalid=True)
        return super().execute(request_string, *args, **kwargs)


schema = ClubSchema(query=Query, mutation=Mutation, auto_camelcase=True)
