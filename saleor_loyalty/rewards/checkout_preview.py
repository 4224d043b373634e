"""What a checkout will bring its owner: points, cashback, the most points redeemable on it.

Uses accrual's own rules (`rules.compute_earn`) on the checkout's stored prices, so the preview
and the order's real earn cannot disagree unless Saleor's prices change before payment.
"""

from dataclasses import dataclass
from uuid import UUID

from django.utils import timezone
from prices import Money

from saleor_loyalty.core.money import cashback_for_amount, points_worth
from saleor_loyalty.ledger.rules import compute_earn
from saleor_loyalty.members.summary import find_account
from saleor_loyalty.models import LoyaltyProgram
from saleor_loyalty.rewards.redemption import most_redeemable, open_checkout_of
from saleor_loyalty.rewards.store_credit import StoreCreditCards
from saleor_loyalty.tiers.ladder import cashback_percent_for, earn_tier
from saleor_loyalty.tiers.outlook import TierOutlook, tier_outlook


@dataclass(frozen=True)
class CheckoutPreview:
    points: int
    cashback: Money
    max_redeemable_points: int
    max_redeemable_value: Money
    tier: TierOutlook | None


def preview(
    program: LoyaltyProgram, user_id: int, checkout_token: UUID, cards: StoreCreditCards
) -> CheckoutPreview:
    checkout = open_checkout_of(cards, program, user_id, checkout_token)
    account = find_account(program, user_id=user_id)
    computation = compute_earn(
        program, checkout.as_order_facts(timezone.now()), timezone.now(), earn_tier(program, account)
    )
    redeemable = most_redeemable(program, account, checkout)
    return CheckoutPreview(
        points=computation.points,
        cashback=cashback_for_amount(
            computation.base, cashback_percent_for(program, account), program.currency
        ),
        max_redeemable_points=redeemable,
        max_redeemable_value=points_worth(redeemable, program.point_value, program.currency),
        tier=tier_outlook(program, account, computation.base, computation.points),
    )
