"""Redeeming points: points become credit on the member's card, and the card goes on the checkout.

The value lands on the member's own assigned gift card, not on a one-off discount, so a checkout
that is never completed leaves the value on the card for the next one, and what comes back after
a cancellation or refund is card money, never points. How the card goes on the checkout follows
the channel (Saleor 3.23 `allow_legacy_gift_card_use`):

- legacy use allowed: as a promo code (`checkoutAddPromoCode`); Saleor takes the balance off at
  order creation and never gives it back, so `sync_order_card_return` does (cumulatively, like
  points reversals, keyed by the refund facts);
- legacy use off: as an authorized transaction of Saleor's gift-card gateway, in the same
  database transaction as the points (see `SaleorGiftCards._authorize_card`). Saleor charges it
  when the order is confirmed and puts it back when that transaction is refunded
  (`transactionRequestAction`, a granted refund); cancelling the order alone returns no payment,
  card or cash, as Saleor does for any transaction. The club never returns such money itself, so
  it can never come back twice.
"""

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from prices import Money

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import CardPayment, CheckoutFacts, OrderFacts
from saleor_loyalty.core.money import points_within, points_worth, proportional_money
from saleor_loyalty.exceptions import (
    BelowMinimum,
    CheckoutNotFound,
    CurrencyMismatch,
    IdempotencyConflict,
    InsufficientPoints,
    InvalidPoints,
    LoyaltyError,
    NotInSteps,
    NotYourCheckout,
)
from saleor_loyalty.ledger import programs
from saleor_loyalty.members.summary import find_account, summarize
from saleor_loyalty.models import (
    CreditEntry,
    CreditKind,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
)
from saleor_loyalty.rewards import store_credit
from saleor_loyalty.rewards.store_credit import StoreCreditCards

MAX_REQUEST_KEY = 64


@dataclass(frozen=True)
class Redemption:
    requested: int
    applied: int
    value: Money
    clamped_by: str | None
    duplicate: bool = False
    card_payment: CardPayment | None = None


def open_checkout_of(
    cards: StoreCreditCards, program: LoyaltyProgram, user_id: int, token: UUID
) -> CheckoutFacts:
    """The customer's own open checkout in the program's channel, or a typed error."""
    checkout = cards.checkout(token)
    if checkout is None:
        raise CheckoutNotFound("No open checkout with that id (it may be completed already).")
    if checkout.user_id != user_id:
        raise NotYourCheckout("That checkout is not yours.")
    if checkout.currency != program.currency:
        raise CurrencyMismatch(
            f"The checkout is in {checkout.currency}; the club in this channel works in {program.currency}.",
            "checkoutId",
        )
    if checkout.channel_slug != program.channel_slug:
        raise LoyaltyError("The checkout belongs to another channel.", "checkout_id")
    return checkout


def _round_to_step(points: int, step: int) -> int:
    return points - points % step


def redeemed_on_checkout(account: LoyaltyAccount, token: UUID) -> int:
    return (
        CreditEntry.objects.filter(
            account=account, kind=CreditKind.REDEMPTION, checkout_token=token
        ).aggregate(total=Sum("points"))["total"]
        or 0
    )


def checkout_cap(program: LoyaltyProgram, checkout: CheckoutFacts, already_redeemed: int) -> int:
    """Most points the program still lets this checkout take (share of its total, in whole steps)."""
    share_value = checkout.total_gross * program.redeem_max_share_percent / Decimal(100)
    cap = points_within(share_value, program.point_value) - already_redeemed
    return max(_round_to_step(cap, program.redeem_step_points), 0)


def most_redeemable(program: LoyaltyProgram, account: LoyaltyAccount | None, checkout: CheckoutFacts) -> int:
    """What `redeem` would apply if asked for everything spendable (0 when below the minimum)."""
    if account is None or not program.gives_value():
        return 0
    cap = checkout_cap(program, checkout, redeemed_on_checkout(account, checkout.token))
    most = _round_to_step(min(summarize(account).available, cap), program.redeem_step_points)
    return most if most >= max(program.redeem_min_points, 1) else 0


def _validate_request(program: LoyaltyProgram, points, request_key: str) -> None:
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise InvalidPoints("Points must be a positive whole number.")
    if not request_key or len(request_key) > MAX_REQUEST_KEY:
        raise LoyaltyError(f"requestKey must be 1-{MAX_REQUEST_KEY} characters.", "request_key")
    if points < program.redeem_min_points:
        raise BelowMinimum(f"At least {program.redeem_min_points} points can be redeemed.")
    if points % program.redeem_step_points:
        raise NotInSteps(f"Points are redeemed in steps of {program.redeem_step_points}.")


def redeem(
    program: LoyaltyProgram,
    user_id: int,
    checkout_token: UUID,
    points: int,
    request_key: str,
    cards: StoreCreditCards,
) -> Redemption:
    """Turn points into card credit for the customer's checkout; bad input raises and writes nothing.

    The request is re-clamped to what the checkout still allows (max share of its total minus what
    was already redeemed on it), so a clamped request says so; asking for more than is spendable
    is an error, not a clamp, since the customer can see their balance.
    """
    programs.require_live(program)
    _validate_request(program, points, request_key)
    checkout = open_checkout_of(cards, program, user_id, checkout_token)
    account = find_account(program, user_id=user_id)
    if account is None:
        raise InsufficientPoints("The member does not have that many spendable points.")
    key = ledger.redemption_source_key(checkout_token, request_key)
    with transaction.atomic():
        locked = ledger.lock_account(account)
        locked.program = program
        earlier = LedgerEntry.objects.filter(kind=EntryKind.REDEMPTION, source_key=key).first()
        if earlier is not None:
            if earlier.detail.get("requested") != points:
                raise IdempotencyConflict(
                    "This requestKey was used for a different redemption.", "request_key"
                )
            return _replayed(program, earlier, cards.card_payment(key))
        if summarize(locked).available < points:
            raise InsufficientPoints("The member does not have that many spendable points.")
        cap = checkout_cap(program, checkout, redeemed_on_checkout(locked, checkout_token))
        applied = min(points, cap)
        if applied < max(program.redeem_min_points, 1):
            raise BelowMinimum(
                "This checkout cannot take more points (the program caps redemption per order)."
            )
        value = points_worth(applied, program.point_value, program.currency)
        detail = {
            "requested": points,
            "applied": applied,
            "point_value": str(program.point_value),
            "clamped_by": "max_share" if applied < points else None,
            "value": str(value.amount),
        }
        ledger.redeem_points(locked, applied, key, f"Redeemed on checkout {checkout_token}", detail)
        card = store_credit.card_for(locked, cards)
        store_credit.move_card_and_record(
            locked,
            card,
            cards,
            delta=value.amount,
            note=f"{applied} points redeemed",
            kind=CreditKind.REDEMPTION,
            amount=value.amount,
            points=applied,
            source_key=key,
            checkout_token=checkout_token,
            detail=detail,
            available_at=timezone.now(),
        )
        payment = cards.apply_to_checkout(card.gift_card_id, checkout_token, key)
    return Redemption(
        requested=points, applied=applied, value=value, clamped_by=detail["clamped_by"], card_payment=payment
    )


def _replayed(program: LoyaltyProgram, entry: LedgerEntry, payment: CardPayment | None) -> Redemption:
    detail = entry.detail
    return Redemption(
        requested=detail["requested"],
        applied=detail["applied"],
        value=points_worth(detail["applied"], Decimal(detail["point_value"]), program.currency),
        clamped_by=detail["clamped_by"],
        duplicate=True,
        card_payment=payment,
    )


def sync_order_card_return(
    facts: OrderFacts, program: LoyaltyProgram, cards: StoreCreditCards
) -> CreditEntry | None:
    """Legacy use only: give back to the card what the order took from it, as cancellation/refunds call for.

    Cancellation returns all of it; a refund returns the refunded share of `order.total` (which
    legacy card money is not part of), cumulatively, so repeated partial refunds add up to exactly
    what the card paid. Card money charged as a transaction is Saleor's to refund, never counted here.
    """
    if facts.legacy_gift_card_paid <= 0 or facts.user_id is None:
        return None
    if not (facts.is_cancelled or facts.refunded_amount > 0):
        return None
    card = store_credit.find_card(facts.user_id, program.currency)
    account = find_account(program, user_id=facts.user_id)
    if card is None or account is None:
        return None
    spent = cards.spent_on_order(card.gift_card_id, facts.order_id)
    if spent <= 0:
        return None
    if facts.is_cancelled:
        target, key = spent, f"cancel:{facts.order_id}"
    else:
        target = proportional_money(spent, facts.refunded_amount, facts.total_gross, program.currency).amount
        key = f"refund:{facts.order_id}:{facts.refunded_amount.normalize():f}"
    with transaction.atomic():
        locked = ledger.lock_account(account)
        done = CreditEntry.objects.filter(
            account=locked, kind=CreditKind.CARD_RETURN, order_id=facts.order_id
        ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
        missing = target - done
        if missing <= 0:
            return None
        return store_credit.move_card_and_record(
            locked,
            card,
            cards,
            delta=missing,
            note=f"Card money returned: order {facts.number}",
            kind=CreditKind.CARD_RETURN,
            amount=missing,
            source_key=key,
            order_id=facts.order_id,
            detail={"spent_on_order": str(spent), "cumulative_target": str(target)},
            available_at=timezone.now(),
        )


def card_authorization_refit(authorized: Decimal, owed_now: Decimal) -> Decimal | None:
    """The amount a club card authorization must shrink to after the cart changed, or None to keep it.

    Saleor charges a gift-card transaction its whole authorized amount, so an authorization above what
    the checkout owes would overcharge the order; one below it stays (the rest is paid otherwise)."""
    if owed_now <= 0 or authorized <= owed_now:
        return None
    return owed_now
