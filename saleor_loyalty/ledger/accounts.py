"""Accounts and the one way a ledger row is written: lock the account, insert, move the cached totals."""

from datetime import UTC, datetime, timedelta
from itertools import groupby
from operator import itemgetter

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from saleor_loyalty.core.facts import Actor
from saleor_loyalty.core.lock_objects import account_qs_select_for_update
from saleor_loyalty.ledger.lots import Replay, replay
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount, LoyaltyProgram

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


def append_entry(
    account: LoyaltyAccount, *, kind: str, points: int, source_key: str, actor: Actor = SYSTEM, **fields
) -> LedgerEntry | None:
    """Insert one row for a locked account and move its cached totals; None if the source was seen."""
    fields.setdefault("available_at", timezone.now())
    fields.setdefault("occurred_at", timezone.now())
    try:
        with transaction.atomic():
            entry = LedgerEntry.objects.create(
                account=account,
                kind=kind,
                points=points,
                source_key=source_key,
                actor_user_id=actor.user_id,
                actor_app_id=actor.app_id,
                actor_label=actor.label,
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


# The kinds whose rows can still be inside a pending period: order earns, their reversals, action awards.
PENDING_KINDS = (EntryKind.EARN, EntryKind.EARN_REVERSAL, EntryKind.ACTION)


def pending_points(account: LoyaltyAccount, now=None) -> int:
    """Earned points still inside their pending period (net of reversals of those lots)."""
    now = now or timezone.now()
    total = LedgerEntry.objects.filter(
        account=account,
        kind__in=PENDING_KINDS,
        available_at__gt=now,
    ).aggregate(total=Sum("points"))["total"]
    return max(total or 0, 0)


def micros_sql(column: str) -> str:
    """SQL for an instant as integer microseconds since the epoch: exact, and ~10x cheaper to parse in
    Python than timestamptz text, which dominated the nightly expiry of large batches."""
    return f"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint"


def int_array(values) -> str:
    """Integers as one PostgreSQL array literal (cast it with `::bigint[]`): passed as a list, each
    item is quoted in Python by the client-side binding Django uses, a large cost for long lists."""
    return "{" + ",".join(map(str, values)) + "}"


# One index range per account (a LATERAL loop): joining a long account list to the ledger lets the
# planner hash the whole table instead. Rows come grouped by account, each account's in ledger order.
_ACCOUNT_ROWS_SQL = f"""
SELECT member.id, entry.id, entry.points, {micros_sql("entry.created_at")}, {micros_sql("entry.expires_at")},
       entry.reverses_id
FROM unnest(%(accounts)s::bigint[]) AS member(id)
CROSS JOIN LATERAL (
    SELECT id, points, created_at, expires_at, reverses_id FROM {LedgerEntry._meta.db_table}
    WHERE account_id = member.id ORDER BY id
) AS entry
"""
_LOCK_ACCOUNTS_SQL = (
    f"SELECT id FROM {LoyaltyAccount._meta.db_table} WHERE id = ANY(%(accounts)s::bigint[]) "
    "ORDER BY id FOR UPDATE"
)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def from_micros(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def replay_accounts(account_ids, lock: bool = False) -> dict[int, Replay]:
    """What is left of every lot of these accounts (see lots.py); `lock` also locks them, in pk order.

    The lock is its own statement: a statement reads the rows as they were when it started, so rows
    read by the statement that waited for the lock could miss what the previous holder committed.
    The replay's instants are epoch microseconds (`to_micros` / `from_micros` convert).
    """
    accounts = int_array(dict.fromkeys(account_ids))  # once each: rows come grouped by account
    replays = {}
    with connection.cursor() as cursor:
        if lock:
            cursor.execute(_LOCK_ACCOUNTS_SQL, {"accounts": accounts})
        cursor.execute(_ACCOUNT_ROWS_SQL, {"accounts": accounts})
        for account_id, rows in groupby(cursor.fetchall(), key=itemgetter(0)):
            replays[account_id] = replay(row[1:] for row in rows)
    return replays


def reconcile_account(account: LoyaltyAccount) -> int:
    """Difference between the cached balance and the ledger sum (0 when healthy)."""
    total = LedgerEntry.objects.filter(account=account).aggregate(total=Sum("points"))["total"] or 0
    account.refresh_from_db(fields=["balance"])
    return account.balance - total
