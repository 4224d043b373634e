"""Club data: one program per Saleor channel, one account per member, an append-only ledger.

Invariants (enforced by the database, not only by the code):
- a ledger row is never updated or deleted (trigger `loyalty_ledgerentry_append_only`);
- a (kind, source_key) pair exists at most once, so a replayed Saleor event cannot award twice;
- `LoyaltyAccount.balance` equals the sum of its rows' points (kept by the `ledger` package, checked by
  `ledger.reconcile_account`).

Saleor objects (channels, orders, users' ids) are referenced by value, never by foreign key to
Saleor tables, so Saleor deleting a checkout or an order never erases club history. The only foreign
key out of the club is to the user model, with SET_NULL: deleting a customer keeps the ledger.
"""

from saleor_loyalty.models.actions import (
    ActionOutcome,
    ActionRecording,
    ActionSettings,
    BuiltinAction,
    BulkGrant,
    BulkGrantState,
    ClubAction,
    ShareLink,
    ShareVisit,
)
from saleor_loyalty.models.benefits import ClubShippingMethod, MemberVoucherCode, TierVoucher
from saleor_loyalty.models.campaigns import (
    AudienceKind,
    Campaign,
    CampaignConversion,
    CampaignRecipient,
    CampaignStatus,
    CampaignVariant,
    FeedbackNotice,
    NpsSettings,
    NpsStatus,
    NpsSurvey,
    RecipientStatus,
    TrackingEvent,
    TrackingKind,
    WinnerMetric,
)
from saleor_loyalty.models.challenges import (
    Badge,
    BadgeAward,
    Challenge,
    ChallengeCompletion,
    ChallengeMetric,
    ChallengePass,
    ChallengeWindow,
    OrderCategories,
)
from saleor_loyalty.models.credit import CreditEntry, CreditKind, StoreCreditCard
from saleor_loyalty.models.early_access import EarlyAccessItem, EarlyAccessKind
from saleor_loyalty.models.jobs import JobCursor
from saleor_loyalty.models.kpis import (
    ChannelDayRollup,
    CohortCell,
    ConsentImport,
    CreditDayRollup,
    CustomerMonth,
    CustomerRollup,
    EvidenceAccess,
    ImportedConsent,
    OrderRollup,
    PointsDayRollup,
    ReturnCell,
)
from saleor_loyalty.models.ledger import AppendOnlyError, EntryKind, ExpiryReminder, LedgerEntry
from saleor_loyalty.models.membership import (
    TERM_MONTHS,
    Membership,
    MembershipPlan,
    MembershipStatus,
    MembershipTerm,
    MembershipTermRow,
)
from saleor_loyalty.models.messaging import *  # noqa: F401,F403  (consent, recovery, messages, checkout activity)
from saleor_loyalty.models.program import (
    LoyaltyAccount,
    LoyaltyProgram,
    NegativeBalancePolicy,
    TierBasis,
    TierWindow,
)
from saleor_loyalty.models.reconciliation import ReconciliationCheck, ReconciliationFinding
from saleor_loyalty.models.referrals import (
    COUNTED_STATUSES,
    FriendBenefit,
    Referral,
    ReferralCode,
    ReferralSettings,
    ReferralStatus,
    ReferrerReward,
)
from saleor_loyalty.models.segments import (
    Flow,
    FlowKind,
    FlowRun,
    FlowRunState,
    IncentiveKind,
    MemberOrderStats,
    NamedSegment,
    OrderLineFact,
    SavedSegment,
    SegmentEvent,
    SegmentMembership,
    SegmentRun,
    SegmentSettings,
    SegmentSnapshot,
)
from saleor_loyalty.models.sms_opt_in import SmsOptInChallenge
from saleor_loyalty.models.tiers import Tier, TierCause, TierEvaluationRun, TierEvent, TierTranslation
