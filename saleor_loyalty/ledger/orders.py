"""Orders are synced, not handled: the ledger rows an order's current facts call for, whatever arrives when."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum

from saleor_loyalty.core.facts import OrderFacts
from saleor_loyalty.exceptions import CurrencyMismatch
from saleor_loyalty.ledger import programs
from saleor_loyalty.ledger.accounts import account_for, append_entry, effective_account, lock_account
from saleor_loyalty.ledger.accrual import Inserted, Member, insert_earn, lock_member, look_up
from saleor_loyalty.ledger.rules import reversal_target, state_source_key
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyProgram, NegativeBalancePolicy, TierCause
from saleor_loyalty.tiers.ladder import upgrade_if_qualified


@dataclass(frozen=True)
class OrderSyncResult:
    """What one delivery changed; `duplicate` means the order was already recorded as these facts say."""

    earned: LedgerEntry | None = None
    reversed: LedgerEntry | None = None
    duplicate: bool = False


def earn_source_key(order_id) -> str:
    return f"order:{order_id}"


def sync_order(facts: OrderFacts, channel_lookup=None) -> OrderSyncResult:
    """Bring an order's ledger rows in line with its current facts. Safe to call any number of times.

    Replay path (the facts were recorded already: a duplicate or unchanged event): one indexed read,
    no lock, no write. Hot path (a new paid order of a known member): that read also finds the member,
    and one statement locks the account (if unchanged since), inserts the earn and moves the balance.
    Otherwise the account is locked first. The program and account are created on an order's first
    need; an earn held by another account (a guest account merged since) is reversed there.
    """
    earn_key = earn_source_key(facts.order_id)
    seen = look_up(facts, earn_key)
    if seen.recorded:
        return OrderSyncResult(duplicate=True)
    if seen.member is not None and _earns(seen.member.program, facts):
        result = _earn_unlocked(seen.member, facts, earn_key)
        if result is not None:
            return result
    for _ in range(2):
        with transaction.atomic():
            locked = lock_member(facts)
            if locked is not None:
                account, program, tier = locked.account, locked.program, locked.tier
                _check_currency(program, facts)
                earns = facts.is_paid and program.gives_value(facts.paid_at)  # reversals go on when off
                inserted = insert_earn(locked, facts, earn_key) if earns else Inserted(True)
                earned, amount = inserted.entry, inserted.qualifying_after
                if amount is not None and amount >= tier.next_entry:
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
        _check_currency(program, facts)
        if not facts.is_paid or not program.gives_value(facts.paid_at):
            earn = LedgerEntry.objects.filter(kind=EntryKind.EARN, source_key=earn_key).first()
            return _reverse_where_held(program, earn, facts) if earn else OrderSyncResult()
        account_for(program, facts.user_id, facts.email)
    raise RuntimeError(f"Could not lock a loyalty account for order {facts.order_id}")


def _earns(program: LoyaltyProgram, facts: OrderFacts) -> bool:
    """A paid order in the program's currency and live period, whose facts call for no reversal."""
    return (
        facts.is_paid
        and facts.currency == program.currency
        and program.gives_value(facts.paid_at)
        and state_source_key(facts) is None
    )


def _earn_unlocked(member: Member, facts: OrderFacts, earn_key: str) -> OrderSyncResult | None:
    """The hot path: one statement (its own transaction outside one) when the account is unchanged since
    `look_up`; None sends the caller to the lock-first path. A tier the earn reaches is entered right
    after, under the lock, the amount counted again there."""
    inserted = insert_earn(member, facts, earn_key, seen=member.seen)
    if inserted.entry is None:
        return None
    amount, next_entry = inserted.qualifying_after, member.tier.next_entry
    if amount is not None and amount >= next_entry:
        with transaction.atomic():
            account = lock_account(member.account)
            upgrade_if_qualified(account, member.program, TierCause.ORDER_UPGRADE, order_id=facts.order_id)
    return OrderSyncResult(earned=inserted.entry)


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
