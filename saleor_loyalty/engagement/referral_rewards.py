"""Rewards once the friend's order has passed its pending period, reversals, and staff review.

The ledger rows are keyed by the referral: the referrer's `referral_reward` and the friend's
`referral_welcome` both `referral:<id>`, their reversals `referral-reversal:<kind>:<id>`, so a second
worker, a replayed event or a rerun job writes nothing twice (the unique (kind, source_key) decides).
A referrer rewarded in store credit gets it on their card instead (`referral_credit`, keyed the same way);
where the card cannot be reached the whole reward waits (nothing is half given).

The beat job that calls `reward` is `referral_orders.reward_due` (it re-reads the order first).
"""

from django.db import transaction
from django.utils import timezone

from saleor_loyalty.core.facts import Actor
from saleor_loyalty.engagement.referral_credit import credit_reward, reverse_credit
from saleor_loyalty.error_codes import LoyaltyErrorCode
from saleor_loyalty.exceptions import LoyaltyError, ReasonRequired, StoreCreditUnavailable
from saleor_loyalty.ledger import account_for, effective_account, lock_account
from saleor_loyalty.ledger.accounts import append_entry
from saleor_loyalty.models import (
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    NegativeBalancePolicy,
    Referral,
    ReferralStatus,
)

MAX_REVIEW_REASON = 500


class ReferralNotFound(LoyaltyError):
    code = LoyaltyErrorCode.NOT_FOUND


class ReferralNotHeld(LoyaltyError):
    code = LoyaltyErrorCode.REFERRAL_NOT_HELD


def source_key(referral: Referral) -> str:
    return f"referral:{referral.pk}"


def _locked(accounts: list[LoyaltyAccount]) -> dict[int, LoyaltyAccount]:
    """Lock each distinct account once, in primary-key order (the ledger's rule for two accounts)."""
    return {
        account.pk: lock_account(account)
        for account in sorted({a.pk: a for a in accounts}.values(), key=lambda a: a.pk)
    }


def reward(referral: Referral, now, cards=None) -> None:
    """Referrer's reward (points or store credit) and the friend's welcome points for a locked, ORDERED
    referral, in one savepoint: a card that cannot be reached (`StoreCreditUnavailable`) gives nothing."""
    with transaction.atomic():
        _reward(referral, now, cards)


def _reward(referral: Referral, now, cards) -> None:
    referrer = effective_account(referral.referrer)
    friend = None
    if referral.friend_points:
        friend = account_for(referral.program, referral.friend_user_id, referral.friend_email)
    locked = _locked([referrer] + ([friend] if friend else []))
    common = {
        "source_key": source_key(referral),
        "order_id": referral.order_id,
        "order_number": referral.order_number,
        "detail": {"referral": referral.pk, "code": referral.code},
    }
    if referral.referrer_credit > 0:
        locked[referrer.pk].program = referral.program
        credit_reward(referral, locked[referrer.pk], cards, now)
    if referral.referrer_points:
        append_entry(
            locked[referrer.pk],
            kind=EntryKind.REFERRAL_REWARD,
            points=referral.referrer_points,
            reason=f"A friend's first order ({referral.order_number}) with your code {referral.code}",
            **common,
        )
    if friend is not None:
        append_entry(
            locked[friend.pk],
            kind=EntryKind.REFERRAL_WELCOME,
            points=referral.friend_points,
            reason=f"Welcome: you joined with the code {referral.code}",
            **common,
        )
    referral.status, referral.rewarded_at = ReferralStatus.REWARDED, now
    referral.save(update_fields=["status", "rewarded_at", "updated_at"])


def reverse_rewards(referral: Referral, cards=None, now=None) -> None:
    """Take back both sides' referral points (the program's debt-or-clamp policy applies, as for orders) and
    the referrer's store credit (debt for what was spent, as for cashback)."""
    reverse_credit(referral, lock_account, cards, now or timezone.now())
    _reverse_points(referral)


def _reverse_points(referral: Referral) -> None:
    rows = list(
        LedgerEntry.objects.filter(
            kind__in=[EntryKind.REFERRAL_REWARD, EntryKind.REFERRAL_WELCOME], source_key=source_key(referral)
        ).select_related("account__program")
    )
    locked = _locked([effective_account(row.account) for row in rows])
    for row in rows:
        account = locked[effective_account(row.account).pk]
        take = row.points
        if account.program.negative_balance_policy == NegativeBalancePolicy.CLAMP:
            take = min(row.points, max(account.balance, 0))
        append_entry(
            account,
            kind=EntryKind.REFERRAL_REVERSAL,
            points=-take,
            forgiven_points=row.points - take,
            source_key=f"referral-reversal:{row.kind}:{referral.pk}",
            reverses=row,
            order_id=referral.order_id,
            order_number=referral.order_number,
            reason=f"Referral {referral.code}: the friend's order {referral.order_number} was refunded or cancelled",
            detail={"referral": referral.pk},
        )


def review(
    program: LoyaltyProgram, referral_id: int, approve: bool, reason: str, actor: Actor, now=None, cards=None
) -> Referral:
    """Staff decide a held referral: approved, it waits out the rest of its pending period like any other
    (rewarded now when that is over); rejected, it records the staff's reason."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if len(reason) > MAX_REVIEW_REASON:
        raise ReasonRequired(f"The reason can be at most {MAX_REVIEW_REASON} characters.", "reason")
    if not approve and not reason:
        raise ReasonRequired("Say why the referral is rejected.", "reason")
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("program", "referrer")
            .filter(program=program, pk=referral_id)
            .first()
        )
        if referral is None:
            raise ReferralNotFound("No such referral in this channel.", "id")
        if referral.status != ReferralStatus.HELD:
            raise ReferralNotHeld("Only a referral held for review can be approved or rejected.", "id")
        referral.reviewed_at, referral.reviewed_by = now, actor.label[:255]
        if approve:
            referral.status = ReferralStatus.ORDERED
            referral.reason_code, referral.reason = "approved", reason or "Approved by the shop."
        else:
            referral.status = ReferralStatus.REJECTED
            referral.reason_code, referral.reason = "staff_rejected", reason
        referral.save()
        if approve and referral.reward_due_at <= now and program.gives_value():
            try:
                reward(referral, now, cards)
            except StoreCreditUnavailable:
                pass  # approved: the beat job gives it once the card can be reached
    return referral
