"""The accrual hot path in SQL: find the member, insert the earn with its balance move, count the tier.

Invariant: an earn row and its cached-balance move are one statement on a locked account row, and
the unique (kind, source_key) constraint decides whether it is new. Two ways to hold the lock:
- `lock_member` locks first (`FOR UPDATE OF a`) and reads program and tier under the lock;
- `look_up` reads without a lock (answering a replay on its own), and `insert_earn` then locks the
  account inside the insert statement, on condition that the row is still the one that was read
  (same `updated_at`, balance and tier: every ledger writer touches the account row). A row that
  changed meanwhile makes the statement write nothing, and the caller takes the lock-first path.
"""

import json
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from saleor_loyalty.core.facts import NO_TIER, EarnTier, OrderFacts
from saleor_loyalty.ledger.accounts import SYSTEM, normalize_email
from saleor_loyalty.ledger.rules import compute_earn, state_source_key
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount, LoyaltyProgram, Tier, TierBasis
from saleor_loyalty.tiers.ladder import MEMBER_QUALIFICATION_SQL, window_start

_ENTRIES = LedgerEntry._meta.db_table
_ACCOUNTS = LoyaltyAccount._meta.db_table
_ACCOUNT_FIELDS = [f.attname for f in LoyaltyAccount._meta.concrete_fields]
_PROGRAM_FIELDS = [f.attname for f in LoyaltyProgram._meta.concrete_fields]


def earn_source_key(order_id) -> str:
    return f"order:{order_id}"


def _columns(model, alias: str) -> str:
    return ", ".join(f'{alias}."{f.column}"' for f in model._meta.concrete_fields)


_MEMBER_SQL = f"""
SELECT {_columns(LoyaltyAccount, "a")}, {_columns(LoyaltyProgram, "p")},
       COALESCE(ct.id, bt.id), COALESCE(ct.name, bt.name), COALESCE(ct.earn_multiplier, bt.earn_multiplier),
       (SELECT MIN(nt.entry_threshold) FROM {Tier._meta.db_table} nt
        WHERE nt.program_id = p.id AND nt.position > COALESCE(ct.position, 0))
FROM {_ACCOUNTS} a JOIN {LoyaltyProgram._meta.db_table} p ON p.id = a.program_id
LEFT JOIN {Tier._meta.db_table} ct ON ct.id = a.tier_id
LEFT JOIN {Tier._meta.db_table} bt ON bt.program_id = p.id AND bt.position = 0
WHERE p.channel_slug = %(channel)s AND {{member}}
"""
_BY_USER = "a.user_id = %(member)s"
_BY_GUEST_EMAIL = "a.user_id IS NULL AND a.merged_into_id IS NULL AND a.email = %(member)s"
_LOCK_SQL = {
    by: _MEMBER_SQL.format(member=condition) + "FOR UPDATE OF a"
    for by, condition in (("user", _BY_USER), ("guest", _BY_GUEST_EMAIL))
}
# The earn and the reversal the facts call for are probes of the (kind, source_key) unique index.
_LOOK_UP_SQL = {
    by: f"""
SELECT (SELECT id FROM {_ENTRIES} WHERE kind = %(earn)s AND source_key = %(key)s),
       EXISTS (SELECT 1 FROM {_ENTRIES} WHERE kind = %(reversal)s AND source_key = %(state)s),
       m.*
FROM (SELECT 1) AS one LEFT JOIN LATERAL ({_MEMBER_SQL.format(member=condition)}) AS m ON true
"""
    for by, condition in (("user", _BY_USER), ("guest", _BY_GUEST_EMAIL))
}


@dataclass(frozen=True)
class Member:
    account: LoyaltyAccount
    program: LoyaltyProgram
    tier: EarnTier


def _member_params(facts: OrderFacts) -> tuple[str, dict]:
    if facts.user_id is not None:
        return "user", {"channel": facts.channel_slug, "member": facts.user_id}
    return "guest", {"channel": facts.channel_slug, "member": normalize_email(facts.email)}


def _member_from_row(row) -> Member | None:
    if row[0] is None:
        return None
    account = LoyaltyAccount.from_db(connection.alias, _ACCOUNT_FIELDS, row[: len(_ACCOUNT_FIELDS)])
    split = len(_ACCOUNT_FIELDS) + len(_PROGRAM_FIELDS)
    program = LoyaltyProgram.from_db(connection.alias, _PROGRAM_FIELDS, row[len(_ACCOUNT_FIELDS) : split])
    account.program = program
    tier_id, tier_name, multiplier, next_entry = row[split:]
    tier = EarnTier(tier_id, tier_name, multiplier, next_entry) if tier_id is not None else NO_TIER
    return Member(account, program, tier)


def lock_member(facts: OrderFacts) -> Member | None:
    """Lock the order's member account, read its program and tier, in one round trip."""
    by, params = _member_params(facts)
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_SQL[by], params)
        row = cursor.fetchone()
    return _member_from_row(row) if row is not None else None


@dataclass(frozen=True)
class LookUp:
    """What the ledger holds for an order, read without a lock."""

    recorded: bool  # everything the facts call for is already there
    earn_id: int | None
    member: Member | None


def look_up(facts: OrderFacts) -> LookUp:
    """One read, no lock: is the order recorded as the facts say, and whose account would it go to."""
    state = state_source_key(facts)
    by, params = _member_params(facts)
    params |= {
        "earn": EntryKind.EARN,
        "key": earn_source_key(facts.order_id),
        "reversal": EntryKind.EARN_REVERSAL,
        "state": state,
    }
    with connection.cursor() as cursor:
        cursor.execute(_LOOK_UP_SQL[by], params)
        earn_id, state_recorded, *member = cursor.fetchone()
    recorded = earn_id is not None and (state is None or state_recorded)
    return LookUp(recorded, earn_id, _member_from_row(member))


_INSERT_EARN_SQL = f"""
WITH member AS (
    SELECT a.id FROM {_ACCOUNTS} a WHERE a.id = %(account)s {{guard}}
), earned AS (
    INSERT INTO {_ENTRIES}
        (account_id, kind, points, forgiven_points, source_key, order_id, order_number, money_amount,
         reason, detail, available_at, expires_at, actor_label, occurred_at, created_at)
    SELECT m.id, %(kind)s, %(points)s, 0, %(key)s, %(order_id)s, %(number)s, %(amount)s,
           %(reason)s, %(detail)s::jsonb, %(available_at)s, %(expires_at)s, %(actor)s, %(occurred_at)s, now()
    FROM member m
    ON CONFLICT (kind, source_key) DO NOTHING
    RETURNING id, created_at
), moved AS (
    UPDATE {_ACCOUNTS}
    SET balance = balance + %(points)s, lifetime_earned = lifetime_earned + %(points)s, updated_at = now()
    WHERE id = %(account)s AND EXISTS (SELECT 1 FROM earned)
)
SELECT EXISTS (SELECT 1 FROM member), e.id, e.created_at, {{qualifying}}
FROM (SELECT 1) AS one LEFT JOIN earned e ON true
"""
_UNCHANGED = "AND a.updated_at = %(seen)s AND a.balance = %(balance)s AND a.tier_id IS NOT DISTINCT FROM %(tier)s FOR UPDATE"
_QUALIFYING = f"(SELECT CASE WHEN %(spend_basis)s THEN q.spend ELSE q.points END FROM ({MEMBER_QUALIFICATION_SQL}) AS q(spend, points))"
_INSERT_SQL = {
    (guarded, qualifying): _INSERT_EARN_SQL.format(
        guard=_UNCHANGED if guarded else "", qualifying=_QUALIFYING if qualifying else "NULL"
    )
    for guarded in (False, True)
    for qualifying in (False, True)
}


@dataclass(frozen=True)
class Inserted:
    locked: bool  # False only on the guarded path: the account changed since it was read
    entry: LedgerEntry | None  # None when nothing was earned or the order had earned already
    qualifying_after: object = None  # the member's tier amount with this earn, when asked for


def insert_earn(member: Member, facts: OrderFacts, *, guarded: bool, qualify: bool) -> Inserted:
    """Insert the order's earn and move the cached totals in one statement.

    `ON CONFLICT (kind, source_key) DO NOTHING` is the unique constraint doing the deduplication, and
    the balance moves only when the row was really inserted, so a replay changes nothing. `guarded`
    locks the account in the statement, only if unchanged since `look_up`; `qualify` also returns the
    member's qualifying amount with this earn (the statement's snapshot precedes its own insert).
    """
    account, program, tier = member.account, member.program, member.tier
    paid_at = facts.paid_at or timezone.now()
    computation = compute_earn(program, facts, paid_at, tier)
    if computation.points <= 0:
        return Inserted(True, None)
    entry = LedgerEntry(
        account=account,
        kind=EntryKind.EARN,
        points=computation.points,
        source_key=earn_source_key(facts.order_id),
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
    now = timezone.now()
    since = window_start(program, now) if qualify else None
    params = {
        "account": account.pk,
        "seen": account.updated_at,
        "balance": account.balance,
        "tier": account.tier_id,
        "kind": entry.kind,
        "points": entry.points,
        "key": entry.source_key,
        "order_id": entry.order_id,
        "number": entry.order_number,
        "amount": entry.money_amount,
        "reason": entry.reason,
        "detail": json.dumps(entry.detail),
        "available_at": entry.available_at,
        "expires_at": entry.expires_at,
        "actor": entry.actor_label,
        "occurred_at": entry.occurred_at,
        "earn": EntryKind.EARN,
        "adjustment": EntryKind.ADJUSTMENT,
        "since": since,
        "spend_basis": program.tier_basis == TierBasis.SPEND,
    }
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_SQL[guarded, qualify], params)
        locked, entry_id, created_at, before = cursor.fetchone()
    if entry_id is None:
        return Inserted(locked, None)
    entry.pk, entry.created_at = entry_id, created_at
    entry._state.adding, entry._state.db = False, connection.alias
    account.balance += entry.points
    account.lifetime_earned += entry.points
    after = None
    if qualify:
        counts = since is None or paid_at >= since
        own = (computation.base if params["spend_basis"] else entry.points) if counts else 0
        after = before + own
    return Inserted(locked, entry, after)
