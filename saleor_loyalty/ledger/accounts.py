"""Accounts and the one way a ledger row is written: lock the account, insert, move the cached totals."""

from collections import defaultdict

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


def reconcile_account(account: LoyaltyAccount) -> int:
    """Difference between the cached balance and the ledger sum (0 when healthy)."""
    total = LedgerEntry.objects.filter(account=account).aggregate(total=Sum("points"))["total"] or 0
    account.refresh_from_db(fields=["balance"])
    return account.balance - total
