"""Cashback: a share of a paid order's accrual base, credited to the member's card after the pending period.

Three steps, each idempotent by a unique key:
- `sync_order_cashback` records the earn (pending) when the order is paid, on the same base as
  points (`rules.compute_earn`), with the rate and base kept in `detail`; and brings its reversal
  to what the order's refunds/cancellation call for (cumulative target, like points).
- `credit_due_cashback` (Celery beat) puts earns whose pending period is over on the card: one
  CASHBACK_CREDIT row per earn (unique), first paying back any credit debt.
- A reversal before crediting just lowers what will be credited; after crediting it takes the
  money from the card and records what the card no longer holds as debt.
"""

import logging
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from . import ledger, programs, store_credit
from .exceptions import CurrencyMismatch
from .facts import OrderFacts
from .models import CreditEntry, CreditKind, LoyaltyAccount, LoyaltyProgram
from .money import cashback_for_amount, proportional_money
from .rules import compute_earn
from .store_credit import StoreCreditCards

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
MAX_BATCHES = 25


def earn_key(order_id) -> str:
    return f"order:{order_id}"


def sync_order_cashback(facts: OrderFacts, cards: StoreCreditCards, channel_lookup=None) -> None:
    """Bring the order's cashback rows in line with its current facts. Safe to call any number of times."""
    program = programs.get_program(facts.channel_slug, channel_lookup)
    if facts.currency != program.currency:
        raise CurrencyMismatch(f"Order {facts.number} is in {facts.currency}; the program in {program.currency}.")
    earn = CreditEntry.objects.filter(kind=CreditKind.CASHBACK_EARN, source_key=earn_key(facts.order_id)).first()
    if earn is None and program.is_active and facts.is_paid:
        earn = _earn(program, facts)
    if earn is not None:
        _reverse(earn, facts, cards)


def _earn(program: LoyaltyProgram, facts: OrderFacts) -> CreditEntry | None:
    if program.cashback_percent <= 0:
        return None
    paid_at = facts.paid_at or timezone.now()
    computation = compute_earn(program, facts, paid_at)
    amount = cashback_for_amount(computation.base, program.cashback_percent, program.currency)
    if amount.amount <= 0:
        return None
    detail = {
        "cashback_percent": str(program.cashback_percent), "base": str(computation.base),
        "refund_basis": computation.detail["refund_basis"], "cash_share": computation.detail["cash_share"],
        "include_tax": program.include_tax, "lines": computation.detail["lines"],
    }
    key = earn_key(facts.order_id)
    account = ledger.account_for(program, facts.user_id, facts.email)
    with transaction.atomic():
        locked = ledger.lock_account(account)
        entry = store_credit.append(
            locked, kind=CreditKind.CASHBACK_EARN, amount=amount.amount, source_key=key,
            order_id=facts.order_id, detail=detail, available_at=computation.available_at,
        )
    return entry or CreditEntry.objects.get(kind=CreditKind.CASHBACK_EARN, source_key=key)


def _target(earn: CreditEntry, facts: OrderFacts) -> tuple[Decimal, str] | None:
    if facts.is_cancelled:
        return earn.amount, f"cancel:{facts.order_id}"
    if facts.refunded_amount <= 0:
        return None
    taken = proportional_money(earn.amount, facts.refunded_amount, Decimal(earn.detail["refund_basis"]), earn.currency)
    return taken.amount, f"refund:{facts.order_id}:{facts.refunded_amount.normalize():f}"


def _reverse(earn: CreditEntry, facts: OrderFacts, cards: StoreCreditCards) -> CreditEntry | None:
    target = _target(earn, facts)
    if target is None:
        return None
    amount, key = target
    with transaction.atomic():
        holder = ledger.lock_account(ledger.effective_account(earn.account))
        done = -(earn.followups.filter(kind=CreditKind.CASHBACK_REVERSAL).aggregate(t=Sum("amount"))["t"] or 0)
        missing = amount - done
        if missing <= 0:
            return None
        row = dict(kind=CreditKind.CASHBACK_REVERSAL, amount=-missing, source_key=key, earn=earn,
                   order_id=facts.order_id, available_at=earn.available_at,
                   detail={"cumulative_target": str(amount), "refunded": str(facts.refunded_amount)})
        credited = earn.followups.filter(kind=CreditKind.CASHBACK_CREDIT).exists()
        if not credited:
            return store_credit.append(holder, **row)
        card = store_credit.card_for(holder, cards)
        return store_credit.move_card_and_record(
            holder, card, cards, delta=-missing, note=f"Cashback reversed: order {facts.number}", **row)


def _due(now: datetime, after: tuple[datetime, int] | None):
    credited = CreditEntry.objects.filter(kind=CreditKind.CASHBACK_CREDIT, earn_id=OuterRef("pk"))
    rows = CreditEntry.objects.filter(kind=CreditKind.CASHBACK_EARN, available_at__lte=now).filter(~Exists(credited))
    if after is not None:
        rows = rows.filter(Q(available_at__gt=after[0]) | Q(available_at=after[0], pk__gt=after[1]))
    return rows.order_by("available_at", "pk")


def credit_due_cashback(cards: StoreCreditCards, now: datetime | None = None, batch_size: int = BATCH_SIZE,
                        max_batches: int = MAX_BATCHES) -> int:
    """Credit every due earn, in keyset batches; returns how many were credited.

    Resumable (nothing but the rows themselves says what is done), bounded per run, and safe on
    several workers: each earn is credited under its member's account lock taken with SKIP LOCKED,
    and the one-credit-per-earn constraint refuses a second credit whatever happens.
    """
    now = now or timezone.now()
    credited, after = 0, None
    for _ in range(max_batches):
        batch = list(_due(now, after).values_list("pk", "available_at")[:batch_size])
        if not batch:
            break
        for earn_id, _available_at in batch:
            credited += _credit_one(earn_id, cards)
        after = (batch[-1][1], batch[-1][0])
    return credited


def _credit_one(earn_id: int, cards: StoreCreditCards) -> int:
    with transaction.atomic():
        earn = CreditEntry.objects.select_related("account").get(pk=earn_id)
        holder = ledger.effective_account(earn.account)
        if holder.user_id is None:
            return 0  # a guest's cashback waits until the email signs up and owns a card
        locked = LoyaltyAccount.objects.select_for_update(skip_locked=True).filter(pk=holder.pk).first()
        if locked is None or earn.followups.filter(kind=CreditKind.CASHBACK_CREDIT).exists():
            return 0
        net = earn.amount + (earn.followups.filter(kind=CreditKind.CASHBACK_REVERSAL)
                             .aggregate(t=Sum("amount"))["t"] or Decimal(0))
        repaid = min(store_credit.outstanding_debt(locked), max(net, Decimal(0)))
        to_card = max(net - repaid, Decimal(0))
        card = store_credit.card_for(locked, cards)
        entry = store_credit.move_card_and_record(
            locked, card, cards, delta=to_card, note=f"Cashback for order {earn.order_id}",
            kind=CreditKind.CASHBACK_CREDIT, amount=Decimal(0), debt_amount=-repaid,
            source_key=f"credit:{earn.pk}", earn=earn, order_id=earn.order_id, available_at=earn.available_at,
            detail={"net": str(net), "debt_repaid": str(repaid)},
        )
        return int(entry is not None)
