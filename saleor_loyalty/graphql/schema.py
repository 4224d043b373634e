"""The club's own GraphQL schema (graphene 2), served by the plugin beside Saleor's API.

The query root is composed from one mixin per noun; each resolver authorizes through
`errors.resolver` and every mutation through `mutations.base.ClubMutation`.
"""

import graphene
from graphql import parse
from graphql.error import GraphQLSyntaxError
from graphql.execution import ExecutionResult

from saleor_loyalty.graphql.actions import ActionQueries
from saleor_loyalty.graphql.backtest import BacktestQueries
from saleor_loyalty.graphql.campaigns import CampaignQueries
from saleor_loyalty.graphql.challenges import ChallengeQueries
from saleor_loyalty.graphql.checkout_preview import CheckoutPreviewQueries
from saleor_loyalty.graphql.club import ClubQueries
from saleor_loyalty.graphql.consent import ConsentQueries
from saleor_loyalty.graphql.early_access import EarlyAccessQueries
from saleor_loyalty.graphql.entities import FederationQueries
from saleor_loyalty.graphql.kpis import KpiQueries
from saleor_loyalty.graphql.members import MemberQueries
from saleor_loyalty.graphql.membership import MembershipQueries
from saleor_loyalty.graphql.mutations.action_create import LoyaltyActionCreate
from saleor_loyalty.graphql.mutations.action_delete import LoyaltyActionDelete
from saleor_loyalty.graphql.mutations.action_record import LoyaltyActionRecord
from saleor_loyalty.graphql.mutations.action_settings_update import LoyaltyActionSettingsUpdate
from saleor_loyalty.graphql.mutations.action_update import LoyaltyActionUpdate
from saleor_loyalty.graphql.mutations.badge_create import LoyaltyBadgeCreate
from saleor_loyalty.graphql.mutations.badge_update import LoyaltyBadgeUpdate
from saleor_loyalty.graphql.mutations.birthday_set import LoyaltyBirthdaySet
from saleor_loyalty.graphql.mutations.bulk_grant_create import LoyaltyBulkGrantCreate
from saleor_loyalty.graphql.mutations.campaign_cancel import LoyaltyCampaignCancel
from saleor_loyalty.graphql.mutations.campaign_create import LoyaltyCampaignCreate
from saleor_loyalty.graphql.mutations.campaign_schedule import LoyaltyCampaignSchedule
from saleor_loyalty.graphql.mutations.campaign_update import LoyaltyCampaignUpdate
from saleor_loyalty.graphql.mutations.challenge_create import LoyaltyChallengeCreate
from saleor_loyalty.graphql.mutations.challenge_delete import LoyaltyChallengeDelete
from saleor_loyalty.graphql.mutations.challenge_update import LoyaltyChallengeUpdate
from saleor_loyalty.graphql.mutations.club_shipping_set import LoyaltyClubShippingMethodsSet
from saleor_loyalty.graphql.mutations.consent_evidence_export import LoyaltyConsentEvidenceExport
from saleor_loyalty.graphql.mutations.consent_import import LoyaltyConsentImport
from saleor_loyalty.graphql.mutations.consent_set import LoyaltyConsentSet
from saleor_loyalty.graphql.mutations.consent_sms_confirm import LoyaltyConsentSmsConfirm
from saleor_loyalty.graphql.mutations.consent_sms_start import LoyaltyConsentSmsStart
from saleor_loyalty.graphql.mutations.early_access_mark import LoyaltyEarlyAccessMark
from saleor_loyalty.graphql.mutations.early_access_unmark import LoyaltyEarlyAccessUnmark
from saleor_loyalty.graphql.mutations.flow_update import LoyaltyFlowUpdate
from saleor_loyalty.graphql.mutations.membership_plan_delete import LoyaltyMembershipPlanDelete
from saleor_loyalty.graphql.mutations.membership_plan_set import LoyaltyMembershipPlanSet
from saleor_loyalty.graphql.mutations.nps_answer import LoyaltyNpsAnswer
from saleor_loyalty.graphql.mutations.nps_settings_update import LoyaltyNpsSettingsUpdate
from saleor_loyalty.graphql.mutations.points_adjust import LoyaltyPointsAdjust
from saleor_loyalty.graphql.mutations.program_update import LoyaltyProgramUpdate
from saleor_loyalty.graphql.mutations.reconciliation_repair import (
    LoyaltyReconciliationRepair,
    ReconciliationQueries,
)
from saleor_loyalty.graphql.mutations.recovery_settings_update import LoyaltyRecoverySettingsUpdate
from saleor_loyalty.graphql.mutations.redeem_points import LoyaltyRedeemPoints
from saleor_loyalty.graphql.mutations.referral_apply import LoyaltyReferralApply
from saleor_loyalty.graphql.mutations.referral_review import LoyaltyReferralReview
from saleor_loyalty.graphql.mutations.referral_settings_update import LoyaltyReferralSettingsUpdate
from saleor_loyalty.graphql.mutations.saved_segment_create import LoyaltySavedSegmentCreate
from saleor_loyalty.graphql.mutations.saved_segment_delete import LoyaltySavedSegmentDelete
from saleor_loyalty.graphql.mutations.saved_segment_update import LoyaltySavedSegmentUpdate
from saleor_loyalty.graphql.mutations.segment_settings_update import LoyaltySegmentSettingsUpdate
from saleor_loyalty.graphql.mutations.share_link_create import LoyaltyShareLinkCreate
from saleor_loyalty.graphql.mutations.tier_create import LoyaltyTierCreate
from saleor_loyalty.graphql.mutations.tier_delete import LoyaltyTierDelete
from saleor_loyalty.graphql.mutations.tier_override import LoyaltyTierOverride
from saleor_loyalty.graphql.mutations.tier_translate import LoyaltyTierTranslate
from saleor_loyalty.graphql.mutations.tier_update import LoyaltyTierUpdate
from saleor_loyalty.graphql.nps import NpsQueries
from saleor_loyalty.graphql.programs import ProgramQueries
from saleor_loyalty.graphql.recovery import RecoveryQueries
from saleor_loyalty.graphql.recovery_preview import RecoveryPreviewQueries
from saleor_loyalty.graphql.referrals import ReferralQueries
from saleor_loyalty.graphql.segments import SegmentQueries
from saleor_loyalty.graphql.strict_inputs import StrictInputError, check_variables, strict_input_error


class Query(
    MemberQueries,
    ProgramQueries,
    CheckoutPreviewQueries,
    EarlyAccessQueries,
    ConsentQueries,
    RecoveryQueries,
    RecoveryPreviewQueries,
    ReconciliationQueries,
    ReferralQueries,
    MembershipQueries,
    SegmentQueries,
    CampaignQueries,
    NpsQueries,
    FederationQueries,
    ActionQueries,
    ClubQueries,
    ChallengeQueries,
    KpiQueries,
    BacktestQueries,
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
    loyalty_referral_apply = LoyaltyReferralApply.Field()
    loyalty_referral_review = LoyaltyReferralReview.Field()
    loyalty_referral_settings_update = LoyaltyReferralSettingsUpdate.Field()
    loyalty_action_create = LoyaltyActionCreate.Field()
    loyalty_action_update = LoyaltyActionUpdate.Field()
    loyalty_action_delete = LoyaltyActionDelete.Field()
    loyalty_action_settings_update = LoyaltyActionSettingsUpdate.Field()
    loyalty_action_record = LoyaltyActionRecord.Field()
    loyalty_share_link_create = LoyaltyShareLinkCreate.Field()
    loyalty_bulk_grant_create = LoyaltyBulkGrantCreate.Field()
    loyalty_membership_plan_set = LoyaltyMembershipPlanSet.Field()
    loyalty_membership_plan_delete = LoyaltyMembershipPlanDelete.Field()
    loyalty_challenge_create = LoyaltyChallengeCreate.Field()
    loyalty_challenge_update = LoyaltyChallengeUpdate.Field()
    loyalty_challenge_delete = LoyaltyChallengeDelete.Field()
    loyalty_badge_create = LoyaltyBadgeCreate.Field()
    loyalty_badge_update = LoyaltyBadgeUpdate.Field()
    loyalty_segment_settings_update = LoyaltySegmentSettingsUpdate.Field()
    loyalty_saved_segment_create = LoyaltySavedSegmentCreate.Field()
    loyalty_saved_segment_update = LoyaltySavedSegmentUpdate.Field()
    loyalty_saved_segment_delete = LoyaltySavedSegmentDelete.Field()
    loyalty_flow_update = LoyaltyFlowUpdate.Field()
    loyalty_campaign_create = LoyaltyCampaignCreate.Field()
    loyalty_campaign_update = LoyaltyCampaignUpdate.Field()
    loyalty_campaign_schedule = LoyaltyCampaignSchedule.Field()
    loyalty_campaign_cancel = LoyaltyCampaignCancel.Field()
    loyalty_nps_settings_update = LoyaltyNpsSettingsUpdate.Field()
    loyalty_nps_answer = LoyaltyNpsAnswer.Field()
    loyalty_consent_evidence_export = LoyaltyConsentEvidenceExport.Field()
    loyalty_consent_import = LoyaltyConsentImport.Field()


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
