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

LoyaltyErrorCodeEnum = graphene.Enum.from_enum(LoyaltyErrorCode)
LoyaltyTransactionKindEnum = graphene.Enum(
    "LoyaltyTransactionKind", [(value.upper(), value) for value in EntryKind.values]
)
NegativeBalancePolicyEnum = graphene.Enum(
    "LoyaltyNegativeBalancePolicy", [(value.upper(), value) for value in NegativeBalancePolicy.values]
)
TierBasisEnum = graphene.Enum("LoyaltyTierBasis", [(value.upper(), value) for value in TierBasis.values])
TierWindowEnum = graphene.Enum("LoyaltyTierWindow", [(value.upper(), value) for value in TierWindow.values])
TierCauseEnum = graphene.Enum("LoyaltyTierCause", [(value.upper(), value) for value in TierCause.values])
EarlyAccessKindEnum = graphene.Enum(
    "LoyaltyEarlyAccessKind", [(value.upper(), value) for value in EarlyAccessKind.values]
)

ConsentMediumEnum = graphene.Enum("LoyaltyConsentMedium", [(value.upper(), value) for value in Medium.values])
RecoveryStateEnum = graphene.Enum(
    "LoyaltyRecoveryState", [(value.upper(), value) for value in RecoveryState.values]
)

# Saleor's way of naming languages (HE, EN_US), for the languages Django knows.
LanguageCodeEnum = graphene.Enum(
    "LoyaltyLanguageCode",
    [(code.replace("-", "_").upper(), code) for code, _name in global_settings.LANGUAGES],
)
