"""The only writer of ledger rows.

Design overview
- Every change of points is a new `LedgerEntry`; nothing here updates or deletes a row.
- Every writer runs in one transaction that locks the account row (`select_for_update`, pk order),
  inserts the row inside a savepoint, and updates the cached `balance` / `lifetime_earned` in that
  same transaction. If the insert hits the (kind, source_key) unique constraint, the event was
  already recorded: nothing changes, and the caller is told it was a duplicate.
- Orders are synced, not "handled": `sync_order` brings the ledger to what the order's current
  facts call for (earned once if paid; cumulative reversal for refunds and cancellation). So an
  event delivered twice, late, out of order or from two workers at once converges to the same rows.
- Reversals take their numbers from the earn row's snapshot, never from today's program.
- Expiry writes one `expire` row per lot for what the lot replay (lots.py) says is left of it;
  spending is never attributed at write time, so which lot was spent can always be derived again.
- When a reversal needs more points than the member has, the program's policy decides: DEBT lets
  the balance go negative (future earnings pay it back first, simply because the balance is a
  sum), CLAMP stops at zero and records the rest as `forgiven_points` so it is not retried.
"""

import json
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from . import programs
from .exceptions import CurrencyMismatch, InsufficientPoints, InvalidPoints, ReasonRequired
from .facts import Actor, OrderFacts
from .lock_objects import account_qs_select_for_update
from .lots import Replay, Row, replay
from .models import EntryKind, LedgerEntry, LoyaltyAccount, LoyaltyProgram, NegativeBalancePolicy, Tier, TierCause
from .rules import NO_TIER, EarnTier, compute_earn, reversal_target
from .tiers import upgrade_if_qualified

logger = logging.getLogger(__name__)

SOURCE_UNIQUE_CONSTRAINT = "loyalty_ledgerentry_source_uniq"
SYSTEM = Actor()
MAX_REASON_LENGTH = 1000


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def effective_account(account: LoyaltyAccount) -> LoyaltyAccount:
    """The account that now holds a (possibly merged) account's points."""
    while account.merged_into_id is not None:
        account = account.merged_into
    return account


def account_for(program: LoyaltyProgram, user_id: int | None, email: str) -> LoyaltyAccount:
    """The member's account, created on first need: by user when known, else a guest account by email."""
    email = normalize_email(email)
    if user_id is not None:
        account, _ = LoyaltyAccount.objects.get_or_create(
            program=program, user_id=user_id, defaults={"email": email}
        )
        return effective_account(account)
    account, _ = LoyaltyAccount.objects.get_or_create(
        program=program, user__isnull=True, merged_into__isnull=True, email=email
    )
    return account


def _is_duplicate(error: IntegrityError) -> bool:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == SOURCE_UNIQUE_CONSTRAINT


def _append(account: LoyaltyAccount, *, kind: str, points: int, source_key: str, actor: Actor = SYSTEM,
            **fields) -> LedgerEntry | None:
    """Insert one row for a locked account and move its cached totals; None if the source was seen."""
    fields.setdefault("available_at", timezone.now())
    fields.setdefault("occurred_at", timezone.now())
    try:
        with transaction.atomic():
            entry = LedgerEntry.objects.create(
                account=account, kind=kind, points=points, source_key=source_key,
                actor_user_id=actor.user_id, actor_app_id=actor.app_id, actor_label=actor.label,
                **fields,
            )
    except IntegrityError as error:
        if _is_duplicate(error):
            return None
        raise
    account.balance += points
    if kind in (EntryKind.EARN, EntryKind.EARN_REVERSAL):
        account.lifetime_earned += points
    account.save(update_fields=["balance", "lifetime_earned", "updated_at"])
    return entry


def _lock(account: LoyaltyAccount) -> LoyaltyAccount:
    return account_qs_select_for_update().get(pk=account.pk)


def lock_account(account: LoyaltyAccount) -> LoyaltyAccount:
    """Lock a member's account for a change that spans the ledger and store credit (call inside atomic)."""
    return _lock(account)


def pending_points(account: LoyaltyAccount, now=None) -> int:
    """Earned points still inside their pending period (net of reversals of those lots)."""
    now = now or timezone.now()
    total = LedgerEntry.objects.filter(
        account=account, kind__in=[EntryKind.EARN, EntryKind.EARN_REVERSAL], available_at__gt=now
    ).aggregate(total=Sum("points"))["total"]
    return max(total or 0, 0)


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
_BY_GUEST_EMAIL = _LOCK_MEMBER_SQL.format(member="a.user_id IS NULL AND a.merged_into_id IS NULL AND a.email = %s")


def _lock_member(facts: OrderFacts) -> tuple[LoyaltyAccount, LoyaltyProgram, EarnTier] | None:
    """Lock the order's member account, read its program and tier, in one round trip (the accrual hot path)."""
    sql, member = (_BY_USER, facts.user_id) if facts.user_id is not None else (
        _BY_GUEST_EMAIL, normalize_email(facts.email))
    with connection.cursor() as cursor:
        cursor.execute(sql, [facts.channel_slug, member])
        row = cursor.fetchone()
    if row is None:
        return None
    account_fields = [f.attname for f in LoyaltyAccount._meta.concrete_fields]
    program_fields = [f.attname for f in LoyaltyProgram._meta.concrete_fields]
    account = LoyaltyAccount.from_db(connection.alias, account_fields, row[: len(account_fields)])
    split = len(account_fields) + len(program_fields)
    program = LoyaltyProgram.from_db(connection.alias, program_fields, row[len(account_fields):split])
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
SELECT id, created_at FROM earned
"""


def _earn(program, account, facts: OrderFacts, earn_key: str, tier: EarnTier) -> LedgerEntry | None:
    """Insert the order's earn and move the cached totals in one statement; None if already earned.

    `ON CONFLICT (kind, source_key) DO NOTHING` is the unique constraint doing the deduplication, and
    the balance moves only when the row was really inserted, so a replay changes nothing.
    """
    paid_at = facts.paid_at or timezone.now()
    computation = compute_earn(program, facts, paid_at, tier)
    if computation.points <= 0:
        return None
    entry = LedgerEntry(
        account=account, kind=EntryKind.EARN, points=computation.points, source_key=earn_key,
        order_id=facts.order_id, order_number=facts.number, money_amount=computation.base,
        reason=f"Order #{facts.number}", detail=computation.detail, available_at=computation.available_at,
        expires_at=computation.expires_at, actor_label=SYSTEM.label, occurred_at=paid_at,
    )
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_EARN_SQL, {
            "account": account.pk, "kind": entry.kind, "points": entry.points, "key": earn_key,
            "order_id": entry.order_id, "number": entry.order_number, "amount": entry.money_amount,
            "reason": entry.reason, "detail": json.dumps(entry.detail), "available_at": entry.available_at,
            "expires_at": entry.expires_at, "actor": entry.actor_label, "occurred_at": entry.occurred_at,
        })
        row = cursor.fetchone()
    if row is None:
        return None
    entry.pk, entry.created_at = row
    entry._state.adding, entry._state.db = False, connection.alias
    account.balance += entry.points
    account.lifetime_earned += entry.points
    return entry


def sync_order(facts: OrderFacts, channel_lookup=None) -> OrderSyncResult:
    """Bring an order's ledger rows in line with its current facts. Safe to call any number of times.

    Hot path (a new paid order of a known member): lock the account with its program, insert the
    earn with its balance move, commit. The program and account are created on an order's first
    need; an earn held by another account (a guest account merged since) is reversed there.
    """
    earn_key = earn_source_key(facts.order_id)
    for _ in range(2):
        with transaction.atomic():
            locked = _lock_member(facts)
            if locked is not None:
                account, program, tier = locked
                if not program.is_active:
                    return OrderSyncResult()
                _check_currency(program, facts)
                earned = _earn(program, account, facts, earn_key, tier) if facts.is_paid else None
                if earned is not None:
                    upgrade_if_qualified(account, program, TierCause.ORDER_UPGRADE, order_id=facts.order_id,
                                         next_entry=tier.next_entry)
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
        holder = _lock(effective_account(earn.account))
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
    return _append(
        account, kind=EntryKind.EARN_REVERSAL, points=-taken, forgiven_points=missing - taken,
        source_key=target.source_key, reverses=earn, order_id=facts.order_id,
        order_number=facts.number, money_amount=target.money_amount, reason=target.reason,
        available_at=earn.available_at,
        detail={"cumulative_target": target.points, "earned": earn.points},
    )


def adjust_points(account: LoyaltyAccount, points, reason: str, actor: Actor,
                  idempotency_key: str | None = None) -> LedgerEntry:
    """A staff or app correction with a mandatory reason. A retried call with the same key is a no-op.

    A deduction may not take more than the member can spend now: staff correct mistakes, they do
    not create debt (debt only comes from reversals of points already spent).
    """
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        raise InvalidPoints("Points must be a non-zero whole number.")
    program = account.program
    if abs(points) > program.max_adjustment_points:
        raise InvalidPoints(f"At most {program.max_adjustment_points} points can be adjusted at once.")
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("A reason is required.")
    if len(reason) > MAX_REASON_LENGTH:
        raise ReasonRequired(f"The reason can be at most {MAX_REASON_LENGTH} characters.")
    source_key = f"adjust:{account.pk}:{idempotency_key or uuid.uuid4()}"
    with transaction.atomic():
        locked = _lock(effective_account(account))
        if points < 0 and locked.balance - pending_points(locked) < -points:
            raise InsufficientPoints("The member does not have that many spendable points.")
        entry = _append(
            locked, kind=EntryKind.ADJUSTMENT, points=points, source_key=source_key,
            reason=reason, actor=actor,
        )
        if entry is not None and points > 0:
            upgrade_if_qualified(locked, program, TierCause.ADJUSTMENT_UPGRADE, actor=actor)
    return entry or LedgerEntry.objects.get(kind=EntryKind.ADJUSTMENT, source_key=source_key)


def birthday_source_key(account_id: int, year: int) -> str:
    return f"birthday:{account_id}:{year}"


def award_birthday_points(account: LoyaltyAccount, points: int, year: int, tier_name: str) -> LedgerEntry | None:
    """The tier's birthday gift for one year; keyed by account and year, so a rerun gives nothing twice."""
    if points <= 0:
        return None
    with transaction.atomic():
        locked = _lock(account)
        return _append(
            locked, kind=EntryKind.BIRTHDAY, points=points, source_key=birthday_source_key(account.pk, year),
            reason=f"Birthday gift {year} ({tier_name})", detail={"year": year, "tier": tier_name},
        )
def redemption_source_key(checkout_token, request_key: str) -> str:
    return f"redeem:{checkout_token}:{request_key}"


def redeem_points(account: LoyaltyAccount, points: int, source_key: str, reason: str,
                  detail: dict | None = None) -> LedgerEntry | None:
    """Spend points on a redemption; None when that source_key was already redeemed.

    Takes only spendable points (never pending ones, never into debt); the check and the insert
    run under the account lock, so two redemptions at once can never spend the same points.
    """
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise InvalidPoints("Points must be a positive whole number.")
    with transaction.atomic():
        locked = _lock(effective_account(account))
        if locked.balance - pending_points(locked) < points:
            raise InsufficientPoints("The member does not have that many spendable points.")
        return _append(locked, kind=EntryKind.REDEMPTION, points=-points, source_key=source_key,
                       reason=reason, detail=detail or {})


def attach_guest_accounts(user_id: int, email: str) -> list[LoyaltyAccount]:
    """Give a new customer the points held for their email as a guest, in every program.

    The guest account is linked to the user; if the user already has an account in that program,
    the guest balance moves over as a MERGE_OUT/MERGE_IN pair keyed by the guest account, so a
    second delivery of `customer_created` moves nothing twice.
    """
    attached = []
    guests = LoyaltyAccount.objects.filter(
        email=normalize_email(email), user__isnull=True, merged_into__isnull=True
    )
    for guest in guests:
        with transaction.atomic():
            member = LoyaltyAccount.objects.filter(program_id=guest.program_id, user_id=user_id).first()
            locked = {a.pk: a for a in account_qs_select_for_update().filter(
                pk__in=[guest.pk] + ([member.pk] if member else []))}
            guest = locked[guest.pk]
            if guest.user_id is not None or guest.merged_into_id is not None:
                continue
            if member is None:
                guest.user_id = user_id
                guest.save(update_fields=["user", "updated_at"])
                attached.append(guest)
            else:
                attached.append(_merge(guest, locked[member.pk]))
    return attached


def _merge(guest: LoyaltyAccount, member: LoyaltyAccount) -> LoyaltyAccount:
    """Move a locked guest account's balance into the locked member account."""
    moved = guest.balance
    if moved:
        key = f"merge:{guest.pk}"
        _append(guest, kind=EntryKind.MERGE_OUT, points=-moved, source_key=key,
                reason=f"Moved to account {member.pk}")
        _append(member, kind=EntryKind.MERGE_IN, points=moved, source_key=key,
                reason=f"Guest points from account {guest.pk}")
    guest.merged_into = member
    guest.save(update_fields=["merged_into", "updated_at"])
    return member


_EXPIRE_LOTS_SQL = f"""
WITH expired AS (
    INSERT INTO {LedgerEntry._meta.db_table}
        (account_id, kind, points, forgiven_points, source_key, reverses_id, order_number, reason,
         detail, available_at, actor_label, occurred_at, created_at)
    SELECT lot.account_id, %(kind)s, -lot.points, 0, 'expire:' || lot.lot_id, lot.lot_id, '',
           'Points expired', '{{}}'::jsonb, now(), 'system', now(), now()
    FROM unnest(%(accounts)s::bigint[], %(points)s::int[], %(lots)s::bigint[]) AS lot(account_id, points, lot_id)
    ON CONFLICT (kind, source_key) DO NOTHING
    RETURNING account_id, points
), moved AS (
    UPDATE {LoyaltyAccount._meta.db_table} AS account
    SET balance = account.balance + per_account.points, updated_at = now()
    FROM (SELECT account_id, sum(points) AS points FROM expired GROUP BY account_id) AS per_account
    WHERE account.id = per_account.account_id
    RETURNING account.id
)
SELECT count(*), coalesce(-sum(points), 0) FROM expired
"""


_ACCOUNT_ROWS_SQL = f"""
SELECT id, account_id, points, created_at, expires_at, reverses_id FROM {LedgerEntry._meta.db_table}
WHERE account_id = ANY(%(accounts)s) ORDER BY id
"""
_LOCKED_ACCOUNT_ROWS_SQL = f"""
WITH locked AS (
    SELECT id FROM {LoyaltyAccount._meta.db_table} WHERE id = ANY(%(accounts)s) ORDER BY id FOR UPDATE
)
SELECT entry.id, entry.account_id, entry.points, entry.created_at, entry.expires_at, entry.reverses_id
FROM {LedgerEntry._meta.db_table} entry JOIN locked ON locked.id = entry.account_id ORDER BY entry.id
"""


def replay_accounts(account_ids, lock: bool = False) -> dict[int, Replay]:
    """What is left of every lot of these accounts (see lots.py); `lock` also locks them, in pk order."""
    rows = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(_LOCKED_ACCOUNT_ROWS_SQL if lock else _ACCOUNT_ROWS_SQL, {"accounts": list(account_ids)})
        for entry_id, account_id, points, created_at, expires_at, reverses_id in cursor.fetchall():
            rows[account_id].append(Row(entry_id, points, created_at, expires_at, reverses_id))
    return {account_id: replay(account_rows) for account_id, account_rows in rows.items()}


def expire_lots(due: list[tuple[int, int]]) -> tuple[int, int]:
    """Expire what is left of each (lot id, account id); returns (rows written, points expired).

    Batched for the nightly job: one statement locks all the accounts (pk order) and reads their
    rows to replay, one statement inserts the `expire` rows (keyed `expire:<lot>`, so a re-run
    writes nothing) and moves every cached balance by exactly what was inserted.
    """
    replays = replay_accounts(sorted({account_id for _, account_id in due}), lock=True)
    accounts, points, lots = [], [], []
    for lot_id, account_id in due:
        lot = replays.get(account_id, Replay()).lots.get(lot_id)
        if lot is not None and lot.remaining > 0:
            accounts.append(account_id)
            points.append(lot.remaining)
            lots.append(lot_id)
    if not lots:
        return 0, 0
    with connection.cursor() as cursor:
        cursor.execute(_EXPIRE_LOTS_SQL, {"kind": EntryKind.EXPIRE, "accounts": accounts, "points": points,
                                          "lots": lots})
        written, expired = cursor.fetchone()
    return written, expired


def reconcile_account(account: LoyaltyAccount) -> int:
    """Difference between the cached balance and the ledger sum (0 when healthy)."""
    total = LedgerEntry.objects.filter(account=account).aggregate(total=Sum("points"))["total"] or 0
    account.refresh_from_db(fields=["balance"])
    return account.balance - total

