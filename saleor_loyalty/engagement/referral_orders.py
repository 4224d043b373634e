"""A referred friend's order: the referral follows the order's current facts, like the ledger does.

Every order event (paid, refunded, cancelled; replayed, late, concurrent) runs `sync_referral_order`,
which locks the referral row and moves it only forward:
- first paid order → the fraud checks decide: rejected (with the reason), held for staff review, or
  ordered, with the reward due after the pending period (`referral_rewards.reward_due`);
- the order refunded or cancelled → reversed on both sides: the rewards already given are taken back
  by reversal rows, and a welcome voucher the order used is recorded as spent.
`reward_due` is the beat job: it claims due referrals with SKIP LOCKED (several workers split the work),
a bounded number of batches per run; a referral's status is its own cursor (a rewarded one is never due
again), so a run that dies resumes where it stopped. Before rewarding it asks Saleor for the order once
more, so a refund whose event was lost still stops the reward.

A friend counts once per program (the partial unique constraint on the friend's canonical email), so
two first orders of one friend racing each other count once; the other is rejected with its reason.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from saleor_loyalty.core.jobs import JobRun
from saleor_loyalty.engagement.referral_facts import ReferralOrderFacts, ReferralShop, friend_key
from saleor_loyalty.engagement.referral_fraud import Verdict, screen_order
from saleor_loyalty.engagement.referral_rewards import reverse_rewards, reward
from saleor_loyalty.engagement.referrals import settings_for
from saleor_loyalty.exceptions import StoreCreditUnavailable
from saleor_loyalty.models import (
    FriendBenefit,
    LoyaltyProgram,
    Referral,
    ReferralCode,
    ReferralStatus,
    ReferrerReward,
)

FRIEND_ONCE_CONSTRAINT = "loyalty_referral_friend_once_uniq"
BATCH = 100
PAUSED_RECHECK = timedelta(hours=6)  # a due reward in a switched-off program waits, looked at again later


def _match(order_id, checkout_token, voucher_code: str) -> Q:
    match = Q(order_id=order_id)
    if checkout_token is not None:
        match |= Q(checkout_token=checkout_token)
    if voucher_code:
        match |= Q(voucher_code=voucher_code)
    return match


def may_be_referred(order_id, channel_slug: str, checkout_token, voucher_code: str) -> bool:
    """One indexed query: whether any referral could be about this order (most orders are not)."""
    return Referral.objects.filter(
        _match(order_id, checkout_token, voucher_code), program__channel_slug=channel_slug
    ).exists()


def find_referral(order: ReferralOrderFacts) -> Referral | None:
    """The referral this order belongs to: counted for it already, made on its checkout, or carrying the
    welcome voucher it used (a friend who moved to a new checkout and typed the code)."""
    program = LoyaltyProgram.objects.filter(channel_slug=order.channel_slug).first()
    if program is None:
        return None
    candidates = list(
        Referral.objects.filter(program=program).filter(
            _match(order.order_id, order.checkout_token, order.voucher_code)
        )
    )
    for rank in (
        lambda r: r.order_id == order.order_id,
        lambda r: r.checkout_token == order.checkout_token,
        lambda r: True,
    ):
        found = next((r for r in candidates if rank(r)), None)
        if found is not None:
            return found
    return None


def _spent_voucher(referral: Referral, order: ReferralOrderFacts) -> bool:
    return bool(referral.voucher_code) and order.voucher_code.upper() == referral.voucher_code.upper()


def _undo(referral: Referral, order: ReferralOrderFacts, now, cards) -> None:
    if referral.status == ReferralStatus.REWARDED:
        reverse_rewards(referral, cards, now)
    referral.status = ReferralStatus.REVERSED
    referral.reason_code = "order_cancelled" if order.is_cancelled else "order_refunded"
    referral.reason = (
        "The friend's order was cancelled." if order.is_cancelled else "The friend's order was refunded."
    )
    referral.voucher_spent = referral.voucher_spent or _spent_voucher(referral, order)
    referral.reversed_at = now
    referral.save()


def _count(referral: Referral, order: ReferralOrderFacts, shop: ReferralShop | None, now) -> None:
    """The friend's first paid order meets the checks; the referrer's code row is locked for the cap."""
    settings = settings_for(referral.program)
    ReferralCode.objects.select_for_update().filter(code=referral.code).first()
    referral.order_id, referral.order_number = order.order_id, order.number
    referral.order_total = order.total
    referral.friend_user_id = order.user_id or referral.friend_user_id
    referral.friend_email = (order.email or referral.friend_email).strip().lower()
    referral.friend_key = friend_key(referral.friend_email)
    referral.friend_name = (order.first_name or referral.friend_name)[:64]
    referral.ordered_at = order.paid_at or now
    referral.voucher_spent = _spent_voucher(referral, order)
    verdict = screen_order(referral, order, settings, shop)
    _record(referral, verdict)
    if verdict.outcome != "reject":
        in_credit = settings.referrer_reward == ReferrerReward.STORE_CREDIT
        referral.referrer_points = 0 if in_credit else settings.referrer_points
        referral.referrer_credit = settings.referrer_credit if in_credit else Decimal(0)
        referral.friend_points = (
            settings.friend_points if settings.friend_benefit == FriendBenefit.POINTS else 0
        )
        referral.reward_due_at = referral.ordered_at + timedelta(days=settings.pending_days)
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError as error:
        if getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) != FRIEND_ONCE_CONSTRAINT:
            raise
        _record(referral, Verdict.reject("existing_customer", "This friend already counted for a referral."))
        referral.reward_due_at = None
        referral.save()


def _record(referral: Referral, verdict: Verdict) -> None:
    referral.status = {
        "ok": ReferralStatus.ORDERED,
        "hold": ReferralStatus.HELD,
        "reject": ReferralStatus.REJECTED,
    }[verdict.outcome]
    referral.reason_code, referral.reason = verdict.reason_code, verdict.reason[:500]
    referral.signals = dict(verdict.signals)


def sync_referral_order(
    order: ReferralOrderFacts, shop: ReferralShop | None = None, now=None, cards=None
) -> Referral | None:
    """Bring the order's referral (if any) to what the order's facts call for; free to run again. A reversal
    of store credit needs `cards`: without them it raises `StoreCreditUnavailable` and changes nothing (the
    event is retried, and the sweep catches it)."""
    found = find_referral(order)
    if found is None:
        return None
    now = now or timezone.now()
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("program", "referrer")
            .get(pk=found.pk)
        )
        if referral.order_id is not None and referral.order_id != order.order_id:
            return referral  # another order of the same checkout or voucher: only the first one counts
        settings = settings_for(referral.program)
        if referral.status == ReferralStatus.INVITED:
            if not order.is_paid:
                return referral  # nothing counted yet; an unpaid order (or its cancellation) changes nothing
            _count(referral, order, shop, now)
        if referral.status in (ReferralStatus.ORDERED, ReferralStatus.HELD, ReferralStatus.REWARDED):
            if order.undone(settings.min_order_total):
                _undo(referral, order, now, cards)
    return referral


def _wait(referral: Referral, now) -> None:
    referral.reward_due_at = now + PAUSED_RECHECK
    referral.save(update_fields=["reward_due_at", "updated_at"])


def reward_due(shop=None, now=None, batch: int = BATCH, max_batches: int = 10, cards=None) -> JobRun:
    """Beat job: reward referrals whose pending period is over (see the module docstring)."""
    now = now or timezone.now()
    run = JobRun()
    for _ in range(max_batches):
        with transaction.atomic():
            due = list(
                Referral.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("program", "referrer")
                .filter(status=ReferralStatus.ORDERED, reward_due_at__lte=now)
                .order_by("reward_due_at", "id")[:batch]
            )
            if not due:
                break
            run.batches += 1
            for referral in due:
                run.seen += 1
                order = shop.order(referral.order_id) if shop is not None else None
                if order is not None:
                    sync_referral_order(order, shop, now, cards)  # a lost refund event is caught here
                    referral.refresh_from_db()
                if referral.status == ReferralStatus.ORDERED and referral.program.gives_value():
                    try:
                        reward(referral, now, cards)
                    except StoreCreditUnavailable:  # the card cannot be reached: the whole reward waits
                        _wait(referral, now)
                        continue
                    run.written += 1
                    run.points += referral.referrer_points
                elif referral.status == ReferralStatus.ORDERED:  # program switched off: wait for it
                    _wait(referral, now)
        if len(due) < batch:
            break
    return run
