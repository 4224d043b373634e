"""Orders are synced, not handled: the ledger rows an order's current facts call for, whatever arrives when."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum

from saleor_loyalty.core.facts import OrderFacts
from saleor_loyalty.exceptions import CurrencyMismatch
from saleor_loyalty.ledger import programs
from saleor_loyalty.ledger.accounts import account_for, append_entry, effective_account, lock_account
from saleor_loyalty.ledger.accrual import Member, earn_source_key, insert_earn, lock_member, look_up
from saleor_loyalty.ledger.rules import reversal_target, state_source_key
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyProgram, NegativeBalancePolicy, TierCause
from saleor_loyalty.tiers.ladder import upgrade_if_qualified


@dataclass(frozen=True)
class OrderSyncResult:
    """What one delivery changed; `duplicate` means the order was already recorded as these facts say."""

    earned: LedgerEntry | None = None
    reversed: LedgerEntry | None = None
    duplicate: bool = False


def _first_accrual(facts: OrderFacts, member: Member) -> OrderSyncResult | None:
    """A new paid order of a member read unlocked: one guarded statement; None means take the lock path."""
    program, tier = member.program, member.tier
    with transaction.atomic():
        inserted = insert_earn(member, facts, guarded=True, qualify=tier.next_entry is not None)
        if not inserted.locked or inserted.entry is None:
            return None
        if inserted.qualifying_after is not None and inserted.qualifying_after >= tier.next_entry:
            upgrade_if_qualified(
                member.account,
                program,
                TierCause.ORDER_UPGRADE,
                order_id=facts.order_id,
                next_entry=tier.next_entry,
            )
    return OrderSyncResult(earned=inserted.entry)


def _can_accrue_unlocked(facts: OrderFacts, member: Member | None, earn_id) -> bool:
    plain_paid = facts.is_paid and not facts.is_cancelled and state_source_key(facts) is None
    return (
        plain_paid
        and earn_id is None
        and member is not None
        and member.program.is_active
        and member.program.currency == facts.currency
    )


def sync_order(facts: OrderFacts, channel_lookup=None) -> OrderSyncResult:
    """Bring an order's ledger rows in line with its current facts. Safe to call any number of times.

    Replay path (the facts were recorded already: a duplicate or unchanged event): one indexed read,
    no lock, no write. First accrual (a new paid order of a known member): that read also found the
    member, program and tier; one statement locks the account if unchanged since, inserts the earn
    and moves the balance. Every other case, or a member whose account changed meanwhile, takes the
    lock-first path: lock the account with its program, then earn and reverse. The program and
    account are created on an order's first need; an earn held by another account (a guest account
    merged since) is reversed there.
    """
    found = look_up(facts)
    if found.recorded:
        return OrderSyncResult(duplicate=True)
    if _can_accrue_unlocked(facts, found.member, found.earn_id):
        result = _first_accrual(facts, found.member)
        if result is not None:
            return result
    return _sync_locked(facts, channel_lookup)


def _sync_locked(facts: OrderFacts, channel_lookup=None) -> OrderSyncResult:
    earn_key = earn_source_key(facts.order_id)
    for _ in range(2):
        with transaction.atomic():
            locked = lock_member(facts)
            if locked is not None:
                account, program, tier = locked.account, locked.program, locked.tier
                if not program.is_active:
                    return OrderSyncResult()
                _check_currency(program, facts)
                earned = None
                if facts.is_paid:
                    earned = insert_earn(locked, facts, guarded=False, qualify=False).entry
                if earned is not None:
                    upgrade_if_qualified(
                        account,
                        program,
                        TierCause.ORDER_UPGRADE,
                        order_id=facts.order_id,
                        next_entry=tier.next_entry,
                    )
                earn = earned or LedgerEntry.objects.filter(kind=EntryKind.EARN, source_key=earn_key).first()
                if earn is None or earn.account_id == account.pk:
                    reversed_now = _reverse(program, account, earn, facts) if earn else None
                    return _result(earn, earned, reversed_now)
        if locked is not None:
            return _reverse_where_held(program, earn, facts)
        program = programs.get_program(facts.channel_slug, channel_lookup)
        if not program.is_active:
            return OrderSyncResult()
        _check_currency(program, facts)
        if not facts.is_paid:
            earn = LedgerEntry.objects.filter(kind=EntryKind.EARN, source_key=earn_key).first()
            return _reverse_where_held(program, earn, facts) if earn else OrderSyncResult()
        account_for(program, facts.user_id, facts.email)
    raise RuntimeError(f"Could not lock a loyalty account for order {facts.order_id}")


def _check_currency(program: LoyaltyProgram, facts: OrderFacts) -> None:
    if facts.currency != program.currency:
        raise CurrencyMismatch(
            f"Order {facts.number} is in {facts.currency}; channel {program.channel_slug} is in {program.currency}."
        )


def _result(earn, earned, reversed_now) -> OrderSyncResult:
    changed = earned is not None or reversed_now is not None
    return OrderSyncResult(earned=earned, reversed=reversed_now, duplicate=earn is not None and not changed)


def _reverse_where_held(program, earn: LedgerEntry, facts: OrderFacts) -> OrderSyncResult:
    with transaction.atomic():
        holder = lock_account(effective_account(earn.account))
        return _result(earn, None, _reverse(program, holder, earn, facts))


def _reverse(program, account, earn: LedgerEntry, facts: OrderFacts) -> LedgerEntry | None:
    target = reversal_target(earn.points, earn.detail, facts)
    if target is None:
        return None
    done = earn.reversals.aggregate(taken=Sum("points"), forgiven=Sum("forgiven_points"))
    already = -(done["taken"] or 0) + (done["forgiven"] or 0)
    missing = target.points - already
    if missing <= 0:
        return None
    taken = missing
    if program.negative_balance_policy == NegativeBalancePolicy.CLAMP:
        taken = min(missing, max(account.balance, 0))
    return append_entry(
        account,
        kind=EntryKind.EARN_REVERSAL,
        points=-taken,
        forgiven_points=missing - taken,
        source_key=target.source_key,
        reverses=earn,
        order_id=facts.order_id,
        order_number=facts.number,
        money_amount=target.money_amount,
        reason=target.reason,
        available_at=earn.available_at,
        detail={
            "cumulative_target": target.points,
            "earned": earn.points,
            **({} if target.base_reversed is None else {"base_reversed": str(target.base_reversed)}),
        },
    )
