"""Accounts and the one way a ledger row is written: lock the account, insert, move the cached totals."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from ..facts import Actor
from ..lock_objects import account_qs_select_for_update
from ..lots import Replay, Row, replay
from ..models import EntryKind, LedgerEntry, LoyaltyAccount, LoyaltyProgram

SOURCE_UNIQUE_CONSTRAINT = "loyalty_ledgerentry_source_uniq"
SYSTEM = Actor()


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


def is_duplicate(error: IntegrityError) -> bool:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == SOURCE_UNIQUE_CONSTRAINT


def append_entry(account: LoyaltyAccount, *, kind: str, points: int, source_key: str, actor: Actor = SYSTEM,
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
        if is_duplicate(error):
            return None
        raise
    account.balance += points
    if kind in (EntryKind.EARN, EntryKind.EARN_REVERSAL):
        account.lifetime_earned += points
    account.save(update_fields=["balance", "lifetime_earned", "updated_at"])
    return entry


def lock_account(account: LoyaltyAccount) -> LoyaltyAccount:
    """The account row, locked for this transaction (call inside atomic); every writer starts here."""
    return account_qs_select_for_update().get(pk=account.pk)


def pending_points(account: LoyaltyAccount, now=None) -> int:
    """Earned points still inside their pending period (net of reversals of those lots)."""
    now = now or timezone.now()
    total = LedgerEntry.objects.filter(
        account=account, kind__in=[EntryKind.EARN, EntryKind.EARN_REVERSAL], available_at__gt=now
    ).aggregate(total=Sum("points"))["total"]
    return max(total or 0, 0)


# Instants travel as integer microseconds since the epoch: exact, and parsing them is ~10x cheaper in
# Python than timestamptz text, which dominated the nightly expiry of large batches.
_MICROS = "(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint"
_ROW_COLUMNS = (f"entry.id, entry.account_id, entry.points, {_MICROS.format(column='entry.created_at')}, "
                f"{_MICROS.format(column='entry.expires_at')}, entry.reverses_id")
_ACCOUNT_ROWS_SQL = f"""
SELECT {_ROW_COLUMNS} FROM {LedgerEntry._meta.db_table} entry
WHERE entry.account_id = ANY(%(accounts)s) ORDER BY entry.id
"""
_LOCKED_ACCOUNT_ROWS_SQL = f"""
WITH locked AS (
    SELECT id FROM {LoyaltyAccount._meta.db_table} WHERE id = ANY(%(accounts)s) ORDER BY id FOR UPDATE
)
SELECT {_ROW_COLUMNS} FROM {LedgerEntry._meta.db_table} entry JOIN locked ON locked.id = entry.account_id
ORDER BY entry.id
"""
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def from_micros(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def replay_accounts(account_ids, lock: bool = False) -> dict[int, Replay]:
    """What is left of every lot of these accounts (see lots.py); `lock` also locks them, in pk order.

    The replay's instants are epoch microseconds (`to_micros` / `from_micros` convert).
    """
    rows = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(_LOCKED_ACCOUNT_ROWS_SQL if lock else _ACCOUNT_ROWS_SQL, {"accounts": list(account_ids)})
        for entry_id, account_id, points, created_at, expires_at, reverses_id in cursor.fetchall():
            rows[account_id].append(Row(entry_id, points, created_at, expires_at, reverses_id))
    return {account_id: replay(account_rows) for account_id, account_rows in rows.items()}


def reconcile_account(account: LoyaltyAccount) -> int:
    """Difference between the cached balance and the ledger sum (0 when healthy)."""
    total = LedgerEntry.objects.filter(account=account).aggregate(total=Sum("points"))["total"] or 0
    account.refresh_from_db(fields=["balance"])
    return account.balance - total
