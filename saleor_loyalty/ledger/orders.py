"""Orders are synced, not handled: the ledger rows an order's current facts call for, whatever arrives when."""

import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from saleor_loyalty.core.facts import NO_TIER, EarnTier, OrderFacts
from saleor_loyalty.exceptions import CurrencyMismatch
from saleor_loyalty.ledger import programs
from saleor_loyalty.ledger.accounts import (
    SYSTEM,
    account_for,
    append_entry,
    effective_account,
    lock_account,
    normalize_email,
)
from saleor_loyalty.ledger.prepared import planned_once
from saleor_loyalty.ledger.rules import compute_earn, reversal_target, state_source_key
from saleor_loyalty.models import (
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    NegativeBalancePolicy,
    Tier,
    TierBasis,
    TierCause,
)
from saleor_loyalty.tiers.ladder import MEMBER_QUALIFICATION_SQL, upgrade_if_qualified, window_start


@dataclass(frozen=True)
class OrderSyncResult:
    """What one delivery changed; `duplicate` means the order was already recorded as these facts say."""

    earned: LedgerEntry | None = None
    reversed: LedgerEntry | None = None
    duplicate: bool = False


def earn_source_key(order_id) -> str:
    return f"order:{order_id}"


def _columns(model, alias: str) -> str:
    return ", ".join(f'{alias}."{f.column}"' for f in model._meta.concrete_fields)


_LOCK_MEMBER_SQL = f"""
SELECT {_columns(LoyaltyAccount, "a")}, {_columns(LoyaltyProgram, "p")},
       COALESCE(ct.id, bt.id), COALESCE(ct.name, bt.name), COALESCE(ct.earn_multiplier, bt.earn_multiplier),
       (SELECT MIN(nt.entry_threshold) FROM {Tier._meta.db_table} nt
        WHERE nt.program_id = p.id AND nt.position > COALESCE(ct.position, 0))
FROM {LoyaltyAccount._meta.db_table} a JOIN {LoyaltyProgram._meta.db_table} p ON p.id = a.program_id
LEFT JOIN {Tier._meta.db_table} ct ON ct.id = a.tier_id
LEFT JOIN {Tier._meta.db_table} bt ON bt.program_id = p.id AND bt.position = 0
WHERE p.channel_slug = %s AND {{member}}
FOR UPDATE OF a
"""
_BY_USER = _LOCK_MEMBER_SQL.format(member="a.user_id = %s")
_BY_GUEST_EMAIL = _LOCK_MEMBER_SQL.format(
    member="a.user_id IS NULL AND a.merged_into_id IS NULL AND a.email = %s"
)


def _lock_member(facts: OrderFacts) -> tuple[LoyaltyAccount, LoyaltyProgram, EarnTier] | None:
    """Lock the order's member account, read its program and tier, in one round trip (the accrual hot path)."""
    sql, member = (
        (_BY_USER, facts.user_id)
        if facts.user_id is not None
        else (_BY_GUEST_EMAIL, normalize_email(facts.email))
    )
    with planned_once() as cursor:
        cursor.execute(sql, [facts.channel_slug, member])
        row = cursor.fetchone()
    if row is None:
        return None
    account_fields = [f.attname for f in LoyaltyAccount._meta.concrete_fields]
    program_fields = [f.attname for f in LoyaltyProgram._meta.concrete_fields]
    account = LoyaltyAccount.from_db(connection.alias, account_fields, row[: len(account_fields)])
    split = len(account_fields) + len(program_fields)
    program = LoyaltyProgram.from_db(connection.alias, program_fields, row[len(account_fields) : split])
    account.program = program
    tier_id, tier_name, multiplier, next_entry = row[split:]
    tier = EarnTier(tier_id, tier_name, multiplier, next_entry) if tier_id is not None else NO_TIER
    return account, program, tier


_INSERT_EARN_SQL = f"""
WITH earned AS (
    INSERT INTO {LedgerEntry._meta.db_table}
        (account_id, kind, points, forgiven_points, source_key, order_id, order_number, money_amount,
         reason, detail, available_at, expires_at, actor_label, occurred_at, created_at)
    VALUES (%(account)s, %(kind)s, %(points)s, 0, %(key)s, %(order_id)s, %(number)s, %(amount)s,
            %(reason)s, %(detail)s::jsonb, %(available_at)s, %(expires_at)s, %(actor)s, %(occurred_at)s, now())
    ON CONFLICT (kind, source_key) DO NOTHING
    RETURNING id, created_at
), moved AS (
    UPDATE {LoyaltyAccount._meta.db_table}
    SET balance = balance + %(points)s, lifetime_earned = lifetime_earned + %(points)s, updated_at = now()
    WHERE id = %(account)s AND EXISTS (SELECT 1 FROM earned)
)
SELECT e.id, e.created_at, {{qualifying}} FROM (SELECT 1) AS one LEFT JOIN earned e ON true
"""
# The member's tier amount before this earn, in the same statement: it runs after the lock statement,
# so its snapshot holds every row committed for the account; the statement's own insert is added in
# Python. One round trip fewer on every accrual of a member below the top tier.
_QUALIFYING = (
    "(SELECT CASE %(basis)s WHEN 'spend' THEN q.spend WHEN 'points' THEN q.points ELSE q.orders END "
    f"FROM ({MEMBER_QUALIFICATION_SQL}) AS q(spend, points, orders))"
)
_INSERT_SQL = {
    qualify: _INSERT_EARN_SQL.format(qualifying=_QUALIFYING if qualify else "NULL")
    for qualify in (False, True)
}


def _earn(
    program, account, facts: OrderFacts, earn_key: str, tier: EarnTier
) -> tuple[LedgerEntry | None, object]:
    """Insert the order's earn and move the cached totals in one statement: (earn or None if already
    earned, the member's tier amount with it when a next tier exists, else None).

    `ON CONFLICT (kind, source_key) DO NOTHING` is the unique constraint doing the deduplication, and
    the balance moves only when the row was really inserted, so a replay changes nothing.
    """
    paid_at = facts.paid_at or timezone.now()
    computation = compute_earn(program, facts, paid_at, tier)
    if computation.points <= 0:
        return None, None
    entry = LedgerEntry(
        account=account,
        kind=EntryKind.EARN,
        points=computation.points,
        source_key=earn_key,
        order_id=facts.order_id,
        order_number=facts.number,
        money_amount=computation.base,
        reason=f"Order #{facts.number}",
        detail=computation.detail,
        available_at=computation.available_at,
        expires_at=computation.expires_at,
        actor_label=SYSTEM.label,
        occurred_at=paid_at,
    )
    qualify = tier.next_entry is not None
    since = window_start(program, timezone.now()) if qualify else None
    added = {TierBasis.SPEND: computation.base, TierBasis.POINTS: entry.points, TierBasis.ORDERS: 1}
    with planned_once() as cursor:
        cursor.execute(
            _INSERT_SQL[qualify],
            {
                "earn": EntryKind.EARN,
                "adjustment": EntryKind.ADJUSTMENT,
                "since": since,
                "basis": program.tier_basis,
                "account": account.pk,
                "kind": entry.kind,
                "points": entry.points,
                "key": earn_key,
                "order_id": entry.order_id,
                "number": entry.order_number,
                "amount": entry.money_amount,
                "reason": entry.reason,
                "detail": json.dumps(entry.detail),
                "available_at": entry.available_at,
                "expires_at": entry.expires_at,
                "actor": entry.actor_label,
                "occurred_at": entry.occurred_at,
            },
        )
        entry_id, created_at, before = cursor.fetchone()
    if entry_id is None:
        return None, None
    entry.pk, entry.created_at = entry_id, created_at
    entry._state.adding, entry._state.db = False, connection.alias
    account.balance += entry.points
    account.lifetime_earned += entry.points
    if not qualify:
        return entry, None
    counts = since is None or paid_at >= since
    return entry, before + (added[program.tier_basis] if counts else 0)


_RECORDED_SQL = f"""
SELECT EXISTS (SELECT 1 FROM {LedgerEntry._meta.db_table} WHERE kind = %(reversal)s AND source_key = %(state)s)
FROM {LedgerEntry._meta.db_table} WHERE kind = %(earn)s AND source_key = %(key)s
"""


def already_recorded(facts: OrderFacts, earn_key: str) -> bool:
    """True when the ledger already holds everything these facts call for: one read, no lock.

    Both lookups are probes of the (kind, source_key) unique index: the order's earn, and the
    reversal row keyed by the facts' refund or cancellation state (`rules.state_source_key`). Only
    committed rows are seen, so a True answer can never hide work; a False one takes the lock path.
    """
    state = state_source_key(facts)
    with planned_once() as cursor:
        cursor.execute(
            _RECORDED_SQL,
            {"earn": EntryKind.EARN, "key": earn_key, "reversal": EntryKind.EARN_REVERSAL, "state": state},
        )
        row = cursor.fetchone()
    return row is not None and (state is None or row[0])


def sync_order(facts: OrderFacts, channel_lookup=None) -> OrderSyncResult:
    """Bring an order's ledger rows in line with its current facts. Safe to call any number of times.

    Replay path (the facts were recorded already: a duplicate or unchanged event): one indexed read,
    no lock, no write. Hot path (a new paid order of a known member): lock the account with its
    program, insert the earn with its balance move, commit. The program and account are created on
    an order's first need; an earn held by another account (a guest account merged since) is
    reversed there.
    """
    earn_key = earn_source_key(facts.order_id)
    if already_recorded(facts, earn_key):
        return OrderSyncResult(duplicate=True)
    for _ in range(2):
        with transaction.atomic():
            locked = _lock_member(facts)
            if locked is not None:
                account, program, tier = locked
                _check_currency(program, facts)
                earns = facts.is_paid and program.gives_value(facts.paid_at)  # reversals go on when off
                earned, amount = _earn(program, account, facts, earn_key, tier) if earns else (None, None)
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
