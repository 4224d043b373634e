import graphene

from ..error_codes import LoyaltyErrorCode
from ..models import EntryKind, NegativeBalancePolicy

LoyaltyErrorCodeEnum = graphene.Enum.from_enum(LoyaltyErrorCode)
LoyaltyTransactionKindEnum = graphene.Enum(
    "LoyaltyTransactionKind", [(value.upper(), value) for value in EntryKind.values]
)
NegativeBalancePolicyEnum = graphene.Enum(
    "LoyaltyNegativeBalancePolicy", [(value.upper(), value) for value in NegativeBalancePolicy.values]
)
