"""A referrer rewarded in store credit: the amount goes on their club gift card, and comes off it again when
the friend's order is refunded or cancelled.

It reuses the store-credit writer the cashback, birthday and membership gifts use (`rewards.store_credit`):
the card move and its `CreditEntry` are one savepoint under the referrer's account lock, keyed
`referral:<id>` (the reward) and `referral-reversal:<id>` (its reversal), so a rerun job, a replayed event or
a second worker moves the card once. A reversal the card no longer covers (the member spent it) becomes
credit debt, as a cashback reversal does, and later cashback pays it back first.
"""

from decimal import Decimal

from saleor_loyalty.core.money import quantize_money
from saleor_loyalty.exceptions import StoreCreditUnavailable
from saleor_loyalty.models import CreditEntry, CreditKind, LoyaltyAccount, Referral
from saleor_loyalty.rewards import store_credit


def _require(cards, account: LoyaltyAccount):
    if cards is None:
        raise StoreCreditUnavailable("Store credit cannot be reached here.")
    if account.user_id is None:
        raise StoreCreditUnavailable("Only a registered customer has a club gift card.")
    return cards


def credit_reward(referral: Referral, referrer: LoyaltyAccount, cards, now) -> CreditEntry | None:
    """Put the referral's snapshotted credit on the locked referrer's card; None if it was already there."""
    amount = quantize_money(referral.referrer_credit, referral.program.currency).amount
    card = store_credit.card_for(referrer, _require(cards, referrer))
    return store_credit.move_card_and_record(
        referrer,
        card,
        cards,
        delta=amount,
        note=f"Referral reward: friend's order {referral.order_number}",
        kind=CreditKind.REFERRAL_REWARD,
        amount=amount,
        source_key=f"referral:{referral.pk}",
        order_id=referral.order_id,
        available_at=now,
        detail={"referral": referral.pk, "code": referral.code},
    )


def reverse_credit(referral: Referral, lock, cards, now) -> CreditEntry | None:
    """Take back the referral's credit from the referrer's card (debt for what was spent); None without one.
    `lock(account)` locks the account that holds the reward (the ledger's writer path)."""
    given = (
        CreditEntry.objects.filter(kind=CreditKind.REFERRAL_REWARD, source_key=f"referral:{referral.pk}")
        .select_related("account__program")
        .first()
    )
    if given is None:
        return None
    account = lock(given.account)
    account.program = given.account.program
    card = store_credit.card_for(account, _require(cards, account))
    taken = -given.amount
    return store_credit.move_card_and_record(
        account,
        card,
        cards,
        delta=taken,
        note=f"Referral reversed: friend's order {referral.order_number}",
        kind=CreditKind.REFERRAL_REVERSAL,
        amount=taken,
        debt_amount=Decimal(0),
        source_key=f"referral-reversal:{referral.pk}",
        order_id=referral.order_id,
        available_at=now,
        detail={"referral": referral.pk, "reverses": given.pk},
    )
