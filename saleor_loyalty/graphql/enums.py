import graphene
from django.conf import global_settings

from saleor_loyalty.error_codes import LoyaltyErrorCode
from saleor_loyalty.models import (
    EarlyAccessKind,
    EntryKind,
    Medium,
    NegativeBalancePolicy,
    RecoveryState,
    TierBasis,
    TierCause,
    TierWindow,
)

LoyaltyErrorCodeEnum = graphene.Enum.from_enum(LoyaltyErrorCode, description="What went wrong, for programs.")
LoyaltyTransactionKindEnum = graphene.Enum(
    "LoyaltyTransactionKind",
    [(value.upper(), value) for value in EntryKind.values],
    description="What changed a member's points.",
)
NegativeBalancePolicyEnum = graphene.Enum(
    "LoyaltyNegativeBalancePolicy",
    [(value.upper(), value) for value in NegativeBalancePolicy.values],
    description="What a reversal of points already spent does.",
)
TierBasisEnum = graphene.Enum(
    "LoyaltyTierBasis",
    [(value.upper(), value) for value in TierBasis.values],
    description="What tiers are measured in.",
)
TierWindowEnum = graphene.Enum(
    "LoyaltyTierWindow",
    [(value.upper(), value) for value in TierWindow.values],
    description="The period tiers are measured over.",
)
TierCauseEnum = graphene.Enum(
    "LoyaltyTierCause",
    [(value.upper(), value) for value in TierCause.values],
    description="What changed a member's tier.",
)
EarlyAccessKindEnum = graphene.Enum(
    "LoyaltyEarlyAccessKind",
    [(value.upper(), value) for value in EarlyAccessKind.values],
    description="A Saleor product or collection.",
)

ConsentMediumEnum = graphene.Enum(
    "LoyaltyConsentMedium",
    [(value.upper(), value) for value in Medium.values],
    description="How the club may reach a customer.",
)
RecoveryStateEnum = graphene.Enum(
    "LoyaltyRecoveryState",
    [(value.upper(), value) for value in RecoveryState.values],
    description="Where recovery of an abandoned checkout stands.",
)

# Saleor's way of naming languages (HE, EN_US), for the languages Django knows.
LanguageCodeEnum = graphene.Enum(
    "LoyaltyLanguageCode",
    [(code.replace("-", "_").upper(), code) for code, _name in global_settings.LANGUAGES],
    description="A language, named the way Saleor names them (HE, EN_US).",
)
