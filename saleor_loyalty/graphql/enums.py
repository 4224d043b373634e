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


def choices_enum(name: str, values, description: str):
    """A GraphQL enum of stored values, named the GraphQL way (`order_upgrade` → ORDER_UPGRADE)."""
    return graphene.Enum(name, [(value.upper(), value) for value in values], description=description)


LoyaltyErrorCodeEnum = graphene.Enum.from_enum(LoyaltyErrorCode, description="What went wrong, for programs.")
LoyaltyTransactionKindEnum = choices_enum(
    "LoyaltyTransactionKind", EntryKind.values, "What changed a member's points."
)
NegativeBalancePolicyEnum = choices_enum(
    "LoyaltyNegativeBalancePolicy",
    NegativeBalancePolicy.values,
    "What a reversal of points already spent does.",
)
TierBasisEnum = choices_enum("LoyaltyTierBasis", TierBasis.values, "What tiers are measured in.")
TierWindowEnum = choices_enum("LoyaltyTierWindow", TierWindow.values, "The period tiers are measured over.")
TierCauseEnum = choices_enum("LoyaltyTierCause", TierCause.values, "What changed a member's tier.")
EarlyAccessKindEnum = choices_enum(
    "LoyaltyEarlyAccessKind", EarlyAccessKind.values, "A Saleor product or collection."
)

ConsentMediumEnum = choices_enum("LoyaltyConsentMedium", Medium.values, "How the club may reach a customer.")
RecoveryStateEnum = choices_enum(
    "LoyaltyRecoveryState", RecoveryState.values, "Where recovery of an abandoned checkout stands."
)

# Saleor's way of naming languages (HE, EN_US), for the languages Django knows.
LanguageCodeEnum = graphene.Enum(
    "LoyaltyLanguageCode",
    [(code.replace("-", "_").upper(), code) for code, _name in global_settings.LANGUAGES],
    description="A language, named the way Saleor names them (HE, EN_US).",
)
