"""The accrual hot path in SQL: look an order up without a lock, insert its earn with the balance move.

Invariant: an earn row and its cached-balance move are one statement on a locked account row, and the
(kind, source_key) unique constraint decides whether the earn is new. The lock is held one of two ways:
- `lock_member` locks first (`FOR UPDATE OF a`) and reads program and tier under the lock;
- `look_up` reads without a lock (a replay is answered by it alone), and `insert_earn` given what it read
  (`seen`) locks the account inside the insert statement, on condition that the account row is still
  the version read (`xmin`: every ledger writer updates the account row in the transaction that writes
  its rows). The statement's snapshot then already held every row of the member, so it counts the tier
  as under the lock. A row that changed meanwhile makes it write nothing; the caller locks first.
"""

import json
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from saleor_loyalty.core.facts import NO_TIER, EarnTier, OrderFacts
from saleor_loyalty.ledger.accounts import SYSTEM, normalize_email
from saleor_loyalty.ledger.prepared import planned_once
from saleor_loyalty.ledger.rules import compute_earn, state_source_key
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount, LoyaltyProgram, Tier, TierBasis
from saleor_loyalty.tiers.ladder import MEMBER_QUALIFICATION_SQL, counted_kinds
from saleor_loyalty.tiers.windows import window_start

_ENTRIES, _ACCOUNTS = LedgerEntry._meta.db_table, LoyaltyAccount._meta.db_table
_ACCOUNT_FIELDS = [f.attname for f in LoyaltyAccount._meta.concrete_fields]
_PROGRAM_FIELDS = [f.attname for f in LoyaltyProgram._meta.concrete_fields]


def _select(model, alias: str) -> str:
    return ", ".join(f'{alias}."{f.column}"' for f in model._meta.concrete_fields)


# A program row's version: xmin and ctid together name one row version (two updates in one transaction
# share the xmin, never the place), updated_at moves with every save (so that not even a transaction id
# reused after wraparound could pass a stale row for a current one).
_PROGRAM_VERSION = "p.xmin::text || '/' || p.ctid::text || '/' || p.updated_at::text"
_MEMBER_SQL = f"""
SELECT {_select(LoyaltyAccount, "a")}, p.id, {_PROGRAM_VERSION},
       COALESCE(ct.id, bt.id), COALESCE(ct.name, bt.name), COALESCE(ct.earn_multiplier, bt.earn_multiplier),
       (SELECT MIN(nt.entry_threshold) FROM {Tier._meta.db_table} nt
        WHERE nt.program_id = p.id AND nt.position > COALESCE(ct.position, 0)),
       a.xmin::text
FROM {_ACCOUNTS} a JOIN {LoyaltyProgram._meta.db_table} p ON p.id = a.program_id
LEFT JOIN {Tier._meta.db_table} ct ON ct.id = a.tier_id
LEFT JOIN {Tier._meta.db_table} bt ON bt.program_id = p.id AND bt.position = 0
WHERE p.channel_slug = %(channel)s AND {{member}}
"""
_MEMBER = {
    "user": "a.user_id = %(member)s",
    "guest": "a.user_id IS NULL AND a.merged_into_id IS NULL AND a.email = %(member)s",
}
_LOCK_SQL = {
    by: _MEMBER_SQL.format(member=condition) + "FOR UPDATE OF a" for by, condition in _MEMBER.items()
}
# Both lookups are probes of the (kind, source_key) unique index; the member is read only for an order
# not earned yet whose facts call for no reversal (the only case `insert_earn` can take unlocked).
_LOOK_UP_SQL = {
    by: f"""
SELECT probe.earned, probe.state_recorded, m.*
FROM (SELECT EXISTS (SELECT 1 FROM {_ENTRIES} WHERE kind = %(earn)s AND source_key = %(key)s) AS earned,
             EXISTS (SELECT 1 FROM {_ENTRIES} WHERE kind = %(reversal)s AND source_key = %(state)s) AS state_recorded
     ) AS probe
LEFT JOIN LATERAL ({_MEMBER_SQL.format(member=condition)} AND NOT probe.earned AND %(state)s::text IS NULL) AS m ON true
"""
    for by, condition in _MEMBER.items()
}


@dataclass(frozen=True)
class Member:
    account: LoyaltyAccount
    program: LoyaltyProgram
    tier: EarnTier
    seen: str  # the account row's version (xmin) when read


def _member_params(facts: OrderFacts) -> tuple[str, dict]:
    if facts.user_id is not None:
        return "user", {"channel": facts.channel_slug, "member": facts.user_id}
    return "guest", {"channel": facts.channel_slug, "member": normalize_email(facts.email)}


# The program rows the member reads met, by id: (version, column values). A program changes rarely and is
# read on every order: its columns travel and are parsed only when its version is new to this process.
_PROGRAMS: dict[int, tuple[str, tuple]] = {}
_PROGRAM_SQL = f"""
SELECT {_select(LoyaltyProgram, "p")}, {_PROGRAM_VERSION} FROM {LoyaltyProgram._meta.db_table} p WHERE p.id = %s
"""


def _program(program_id: int, version: str) -> LoyaltyProgram:
    """The program row at `version` or newer, a fresh instance each time (callers may change theirs)."""
    known = _PROGRAMS.get(program_id)
    if known is None or known[0] != version:
        with planned_once() as cursor:
            cursor.execute(_PROGRAM_SQL, [program_id])
            *values, loaded = cursor.fetchone()
        known = _PROGRAMS[program_id] = (loaded, tuple(values))
    return LoyaltyProgram.from_db(DEFAULT_DB_ALIAS, _PROGRAM_FIELDS, known[1])


def _member_from_row(row) -> Member | None:
    if not row or row[0] is None:
        return None
    split = len(_ACCOUNT_FIELDS)
    account = LoyaltyAccount.from_db(DEFAULT_DB_ALIAS, _ACCOUNT_FIELDS, row[:split])
    program_id, version, tier_id, tier_name, multiplier, next_entry, seen = row[split:]
    account.program = program = _program(program_id, version)
    tier = EarnTier(tier_id, tier_name, multiplier, next_entry) if tier_id is not None else NO_TIER
    return Member(account, program, tier, seen)


def lock_member(facts: OrderFacts) -> Member | None:
    """Lock the order's member account, read its program and tier, in one round trip."""
    by, params = _member_params(facts)
    with planned_once() as cursor:
        cursor.execute(_LOCK_SQL[by], params)
        return _member_from_row(cursor.fetchone())


@dataclass(frozen=True)
class LookUp:
    """What the ledger holds for an order, read without a lock."""

    recorded: bool  # everything the facts call for is already there
    member: Member | None  # read only for an order not earned yet whose facts call for no reversal


def look_up(facts: OrderFacts, earn_key: str) -> LookUp:
    """One read, no lock: is the order recorded as the facts say, and if not, whose account earns it.

    Only committed rows are seen, so `recorded` can never hide work; otherwise the caller writes.
    """
    state = state_source_key(facts)
    by, params = _member_params(facts)
    params |= {"earn": EntryKind.EARN, "key": earn_key, "reversal": EntryKind.EARN_REVERSAL, "state": state}
    with planned_once() as cursor:
        cursor.execute(_LOOK_UP_SQL[by], params)
        earned, state_recorded, *member = cursor.fetchone()
    return LookUp(earned and (state is None or state_recorded), _member_from_row(member))


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
# An upper bound of MEMBER_QUALIFICATION_SQL's amount for the program's basis: its rows (the member's and
# merged guests' earns and adjustments in the window) without their reversals, which only take spend,
# points and orders away; the covering index `loyalty_entry_tier_qual_idx` alone answers it.
_WINDOW = "(%(since)s::timestamptz IS NULL OR e.occurred_at >= %(since)s::timestamptz)"
QUALIFICATION_BOUND_SQL = f"""
SELECT CASE %(basis)s
       WHEN 'spend' THEN COALESCE(SUM(e.money_amount) FILTER (WHERE e.kind = %(earn)s), 0)
       WHEN 'points' THEN COALESCE(SUM(e.points), 0)
       ELSE COUNT(*) FILTER (WHERE e.kind = %(earn)s) END
FROM (
    SELECT e.kind, e.points, e.money_amount FROM {_ENTRIES} e
    WHERE e.account_id = %(account)s AND e.kind IN (%(earn)s, %(adjustment)s) AND {_WINDOW}
    UNION ALL
    SELECT e.kind, e.points, e.money_amount FROM {_ACCOUNTS} g JOIN {_ENTRIES} e ON e.account_id = g.id
    WHERE g.merged_into_id = %(account)s AND e.kind IN (%(earn)s, %(adjustment)s) AND {_WINDOW}
) e
"""
# The member's tier amount before this earn, in the same statement (its snapshot holds every row committed
# for the account; the statement's own insert is added in Python): no round trip of its own. The exact
# amount probes each earn's reversals, so it is counted only when the bound plus this earn reaches the
# next tier; NULL: this earn cannot reach it.
_QUALIFYING = (
    "(SELECT CASE WHEN b.amount + %(added)s::numeric < %(next_entry)s::numeric THEN NULL ELSE "
    "(SELECT CASE %(basis)s WHEN 'spend' THEN q.spend WHEN 'points' THEN q.points ELSE q.orders END "
    f"FROM ({MEMBER_QUALIFICATION_SQL}) AS q(spend, points, orders)) END FROM ({QUALIFICATION_BOUND_SQL}) AS b(amount))"
)
_UNCHANGED = "AND a.xmin::text = %(seen)s FOR UPDATE"
_INSERT_SQL = {
    (guarded, qualify): _INSERT_EARN_SQL.format(
        guard=_UNCHANGED if guarded else "", qualifying=_QUALIFYING if qualify else "NULL"
    )
    for guarded in (False, True)
    for qualify in (False, True)
}


@dataclass(frozen=True)
class Inserted:
    locked: bool  # False only when given `seen`: the account changed since it was read, nothing written
    entry: LedgerEntry | None = None  # None when nothing was earned or the order had earned already
    qualifying_after: object = None  # the tier amount with this earn, when it may reach the next tier


def insert_earn(member: Member, facts: OrderFacts, earn_key: str, seen: str | None = None) -> Inserted:
    """Insert the order's earn and move the cached totals in one statement.

    `ON CONFLICT (kind, source_key) DO NOTHING` is the unique constraint doing the deduplication, and
    the balance moves only when the row was really inserted, so a replay changes nothing. Without
    `seen` the caller holds the account lock; with it the statement takes the lock, only if unchanged.
    """
    account, program, tier = member.account, member.program, member.tier
    paid_at = facts.paid_at or timezone.now()
    computation = compute_earn(program, facts, paid_at, tier)
    if computation.points <= 0:
        return Inserted(True)
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
    counted = added[program.tier_basis] if since is None or paid_at >= since else 0
    with planned_once() as cursor:
        cursor.execute(
            _INSERT_SQL[seen is not None, qualify],
            {
                "seen": seen,
                **counted_kinds(program),
                "since": since,
                "basis": program.tier_basis,
                "added": counted,
                "next_entry": tier.next_entry,
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
        locked, entry_id, created_at, before = cursor.fetchone()
    if entry_id is None:
        return Inserted(locked)
    entry.pk, entry.created_at = entry_id, created_at
    entry._state.adding, entry._state.db = False, DEFAULT_DB_ALIAS
    account.balance += entry.points
    account.lifetime_earned += entry.points
    if before is None:  # no next tier, or this earn cannot take the member to it
        return Inserted(True, entry)
    return Inserted(True, entry, before + counted)
