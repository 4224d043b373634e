"""What every resolver gets: who is calling and how to reach Saleor (absent in the engine tier)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from saleor_loyalty.benefits.early_access import CatalogLookup
from saleor_loyalty.core.facts import ChannelFacts, Requestor
from saleor_loyalty.engagement.membership_plans import VariantLookup
from saleor_loyalty.engagement.referral_facts import ReferralShop
from saleor_loyalty.members.order_rewards import OrderOwner
from saleor_loyalty.rewards.store_credit import StoreCreditCards


@dataclass
class ClubContext:
    requestor: Requestor
    channel_lookup: Callable[[str], ChannelFacts | None] | None = None
    cards: StoreCreditCards | None = None
    loaders: dict = field(default_factory=dict)
    client_ip: str = ""
    shipping_method_exists: Callable[[int, str], bool] | None = None  # (method id, channel slug)
    shop: object = None  # recovery's view of Saleor (checkouts, orders); absent in the engine tier
    catalog: CatalogLookup | None = None  # which Saleor products/collections exist, for early access
    orders: Callable[[UUID], OrderOwner | None] | None = None  # whose a Saleor order is (federation)
    referrals: ReferralShop | None = None  # checkouts, vouchers and orders for referrals
    variants: VariantLookup | None = None  # Saleor variants and their channel prices, for membership plans
