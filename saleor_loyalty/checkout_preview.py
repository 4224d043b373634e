"""What a checkout will bring its owner: points, cashback, the most points redeemable on it.

Uses accrual's own rules (`rules.compute_earn`) on the checkout's stored prices, so the preview
and the order's real earn cannot disagree unless Saleor's prices change before payment.
"""

from dataclasses import dataclass
from uuid import UUID

from django.utils import timezone
from prices import Money

from .members import find_account
from .models import LoyaltyAccount, LoyaltyProgram
from .money import cashback_for_amount, points_worth
from .redemption import most_redeemable, open_checkout_of
from .rules import compute_earn
from .store_credit import StoreCreditCards


@dataclass(frozen=True)
class TierOutlook:
    """The tier a member would hold after spending more (filled by the tiers module)."""

    name: str
    reached: bool


def tier_after_spend(program: LoyaltyProgram, account: LoyaltyAccount | None, extra_spend: Money) -> TierOutlook | None:
    """Seam for tiers: the member's tier after `extra_spend` more qualifying spend.

    The club has no tiers yet, so there is no tier to reach: None. The tiers work replaces this
    body; `preview` already passes the checkout's accrual base as the extra spend.
    """
    return None


@dataclass(frozen=True)
class CheckoutPreview:
    points: int
    cashback: Money
    max_redeemable_points: int
    max_redeemable_value: Money
    tier: TierOutlook | None


def preview(program: LoyaltyProgram, user_id: int, checkout_token: UUID, cards: StoreCreditCards) -> CheckoutPreview:
    checkout = open_checkout_of(cards, program, user_id, checkout_token)
    account = find_account(program, user_id=user_id)
    computation = compute_earn(program, checkout.as_order_facts(timezone.now()), timezone.now())
    redeemable = most_redeemable(program, account, checkout)
    return CheckoutPreview(
        points=computation.points,
        cashback=cashback_for_amount(computation.base, program.cashback_percent, program.currency),
        max_redeemable_points=redeemable,
        max_redeemable_value=points_worth(redeemable, program.point_value, program.currency),
        tier=tier_after_spend(program, account, Money(computation.base, program.currency)),
    )
