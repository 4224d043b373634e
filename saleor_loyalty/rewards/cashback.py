"""Cashback: a share of a paid order's accrual base, credited to the member's card after the pending period.

Three steps, each idempotent by a unique key:
- `sync_order_cashback` records the earn (pending) when the order is paid, on the same base as
  points (`rules.compute_earn`), with the rate and base kept in `detail`; and brings its reversal
  to what the order's refunds/cancellation call for (cumulative target, like points).
- `credit_due_cashback` (Celery beat) puts earns whose pending period is over on the card: one
  CASHBACK_CREDIT row per earn (unique), first paying back any credit debt.
- Refunds take back the refunded lines' recorded cashback (`cashback_refunds`): shipping-only
  refunds nothing, money refunded as an amount alone its share of the whole order.
- A reversal before crediting just lowers what will be credited; after crediting it takes the
  money from the card and records what the card no longer holds as debt.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import OrderFacts
from saleor_loyalty.core.jobs import single_runner
from saleor_loyalty.core.money import cashback_for_amount
from saleor_loyalty.exceptions import CurrencyMismatch
from saleor_loyalty.ledger import programs
from saleor_loyalty.ledger.rules import compute_earn
from saleor_loyalty.models import CreditEntry, CreditKind, JobCursor, LoyaltyAccount, LoyaltyProgram
from saleor_loyalty.rewards import store_credit
from saleor_loyalty.rewards.cashback_refunds import reversal_target, split_over_lines
from saleor_loyalty.rewards.store_credit import StoreCreditCards
from saleor_loyalty.tiers.ladder import cashback_percent_for

BATCH_SIZE = 200
MAX_BATCHES = 25


def earn_key(order_id) -> str:
    return f"order:{order_id}"


def sync_order_cashback(
    facts: OrderFacts, cards: StoreCreditCards, channel_lookup=None, now: datetime | None = None
) -> None:
    """Bring the order's cashback rows in line with its current facts. Safe to call any number of times.

    An earn that is already due (no pending period, or a late event) is credited right here: the
    crediting job's checkpoint only moves forward and would not come back for it.
    """
    program = programs.get_program(facts.channel_slug, channel_lookup)
    if facts.currency != program.currency:
        raise CurrencyMismatch(
            f"Order {facts.number} is in {facts.currency}; the program in {program.currency}."
        )
    earn = CreditEntry.objects.filter(
        kind=CreditKind.CASHBACK_EARN, source_key=earn_key(facts.order_id)
    ).first()
    if earn is None and facts.is_paid and program.gives_value(facts.paid_at):
        earn = _earn(program, facts)
    if earn is None:
        return
    _reverse(earn, facts, cards)
    if earn.available_at <= (now or timezone.now()):
        _credit_one(earn.pk, cards)


def _earn(program: LoyaltyProgram, facts: OrderFacts) -> CreditEntry | None:
    """The order's cashback at the member's rate: their tier's when it sets one (the tier held once
    this order is recorded, so an order that makes the member Platinum earns Platinum cashback)."""
    account = ledger.account_for(program, facts.user_id, facts.email)
    percent = cashback_percent_for(program, account)
    if percent <= 0:
        return None
    paid_at = facts.paid_at or timezone.now()
    computation = compute_earn(program, facts, paid_at)
    amount = cashback_for_amount(computation.base, percent, program.currency)
    if amount.amount <= 0:
        return None
    detail = {
        "cashback_percent": str(percent),
        "base": str(computation.base),
        "refund_basis": computation.detail["refund_basis"],
        "cash_share": computation.detail["cash_share"],
        "include_tax": program.include_tax,
        "lines": [
            {**line, "cashback": share}
            for line, share in zip(
                computation.detail["lines"],
                split_over_lines(amount.amount, computation.detail["lines"]),
                strict=True,
            )
        ],
    }
    key = earn_key(facts.order_id)
    with transaction.atomic():
        locked = ledger.lock_account(account)
        entry = store_credit.append(
            locked,
            kind=CreditKind.CASHBACK_EARN,
            amount=amount.amount,
            source_key=key,
            order_id=facts.order_id,
            detail=detail,
            available_at=computation.available_at,
        )
    return entry or CreditEntry.objects.get(kind=CreditKind.CASHBACK_EARN, source_key=key)


def _reverse(earn: CreditEntry, facts: OrderFacts, cards: StoreCreditCards) -> CreditEntry | None:
    target = reversal_target(earn, facts)
    if target is None:
        return None
    amount, key = target
    with transaction.atomic():
        holder = ledger.lock_account(ledger.effective_account(earn.account))
        done = -(
            earn.followups.filter(kind=CreditKind.CASHBACK_REVERSAL).aggregate(t=Sum("amount"))["t"] or 0
        )
        missing = amount - done
        if missing <= 0:
            return None
        row = {
            "kind": CreditKind.CASHBACK_REVERSAL,
            "amount": -missing,
            "source_key": key,
            "earn": earn,
            "order_id": facts.order_id,
            "available_at": earn.available_at,
            "detail": {"cumulative_target": str(amount), "refunded": str(facts.refunded_amount)},
        }
        credited = earn.followups.filter(kind=CreditKind.CASHBACK_CREDIT).exists()
        if not credited:
            return store_credit.append(holder, **row)
        card = store_credit.card_for(holder, cards)
        return store_credit.move_card_and_record(
            holder, card, cards, delta=-missing, note=f"Cashback reversed: order {facts.number}", **row
        )


CREDIT_JOB = "credit_due_cashback"
CLOCK_SKEW_OVERLAP = timedelta(hours=1)


def _due(now: datetime, after: tuple[datetime | None, int]):
    """Uncredited earns due by `now`, after a keyset position, oldest first (index loyalty_credit_due_idx)."""
    credited = CreditEntry.objects.filter(kind=CreditKind.CASHBACK_CREDIT, earn_id=OuterRef("pk"))
    rows = CreditEntry.objects.filter(kind=CreditKind.CASHBACK_EARN, available_at__lte=now).filter(
        ~Exists(credited)
    )
    position_at, position_id = after
    if position_at is not None:
        rows = rows.filter(Q(available_at__gt=position_at) | Q(available_at=position_at, pk__gt=position_id))
    return rows.order_by("available_at", "pk")


def credit_due_cashback(
    cards: StoreCreditCards,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    max_batches: int = MAX_BATCHES,
) -> int:
    """Beat job: credit earns whose pending period is over, in keyset batches; how many were credited.

    - Resumable: a checkpoint (advanced after each batch) says where the next run starts, so a run
      reads only what became due since, never the credited history. It restarts an hour early
      (clock skew between workers; a crash between a batch and its checkpoint), and the anti-join
      skips what is already credited.
    - Bounded: at most `max_batches` × `batch_size` earns per run.
    - Safe on several workers: `jobs.single_runner` lets one worker credit while the others return
      at once; the one-credit-per-earn constraint refuses a second credit whatever
      happens.
    - Earns the checkpoint passes without crediting are those of guests (no card yet):
      `credit_member_cashback` credits them when the email signs up. An earn written already due
      (late Saleor event) is credited by `sync_order_cashback` itself, so the checkpoint never
      needs to look back for it.
    """
    now = now or timezone.now()
    with single_runner(CREDIT_JOB) as mine:
        return _credit_due(cards, now, batch_size, max_batches) if mine else 0


def _held_back(now: datetime, paused: set[str]) -> datetime | None:
    """When the first due earn of a switched-off program became due: the checkpoint stays before it,
    so the job credits it once the program is switched back on (crediting waits, it is not dropped)."""
    if not paused:
        return None
    return (
        _due(now, (None, 0))
        .filter(account__program__channel_slug__in=paused, account__user__isnull=False)
        .values_list("available_at", flat=True)
        .first()
    )


def _credit_due(cards: StoreCreditCards, now: datetime, batch_size: int, max_batches: int) -> int:
    cursor, _ = JobCursor.objects.get_or_create(name=CREDIT_JOB)
    after = (cursor.moment - CLOCK_SKEW_OVERLAP, 0) if cursor.moment else (None, 0)
    paused = LoyaltyProgram.paused_channels()
    held = _held_back(now, paused)
    credited = 0
    for _ in range(max_batches):
        due = (
            _due(now, after).exclude(account__program__channel_slug__in=paused)
            if paused
            else _due(now, after)
        )
        batch = list(due.values_list("pk", "available_at")[:batch_size])
        if not batch:
            break
        for earn_id, _available_at in batch:
            credited += _credit_one(earn_id, cards)  # own transaction: a member is locked only briefly
        after = (batch[-1][1], batch[-1][0])
        checkpoint = min(after, (held, 0)) if held is not None else after
        if cursor.moment is None or checkpoint > (cursor.moment, cursor.last_id):
            cursor.moment, cursor.last_id = checkpoint
            cursor.save(update_fields=["moment", "last_id", "updated_at"])
        if len(batch) < batch_size:
            break
    return credited


def credit_member_cashback(
    account: LoyaltyAccount, cards: StoreCreditCards, now: datetime | None = None
) -> int:
    """Credit a member's due earns now, including those held by guest accounts merged into theirs."""
    now = now or timezone.now()
    holders = [account.pk, *LoyaltyAccount.objects.filter(merged_into=account).values_list("pk", flat=True)]
    due = _due(now, (None, 0)).filter(account_id__in=holders).values_list("pk", flat=True)
    return sum(_credit_one(earn_id, cards) for earn_id in due)


def _credit_one(earn_id: int, cards: StoreCreditCards) -> int:
    """Credit one earn under its member's lock; 0 when it is a guest's, or was credited meanwhile."""
    with transaction.atomic():
        earn = CreditEntry.objects.select_related("account").get(pk=earn_id)
        holder = ledger.effective_account(earn.account)
        if holder.user_id is None:
            return 0  # a guest's cashback waits until the email signs up and owns a card
        if not holder.program.gives_value():
            return 0  # switched off: crediting waits for the switch (the job's checkpoint holds it)
        locked = ledger.lock_account(holder)
        if earn.followups.filter(kind=CreditKind.CASHBACK_CREDIT).exists():
            return 0
        net = earn.amount + (
            earn.followups.filter(kind=CreditKind.CASHBACK_REVERSAL).aggregate(t=Sum("amount"))["t"]
            or Decimal(0)
        )
        repaid = min(store_credit.outstanding_debt(locked), max(net, Decimal(0)))
        to_card = max(net - repaid, Decimal(0))
        card = store_credit.card_for(locked, cards)
        entry = store_credit.move_card_and_record(
            locked,
            card,
            cards,
            delta=to_card,
            note=f"Cashback for order {earn.order_id}",
            kind=CreditKind.CASHBACK_CREDIT,
            amount=Decimal(0),
            debt_amount=-repaid,
            source_key=f"credit:{earn.pk}",
            earn=earn,
            order_id=earn.order_id,
            available_at=earn.available_at,
            detail={"net": str(net), "debt_repaid": str(repaid)},
        )
        return int(entry is not None)
