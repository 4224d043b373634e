"""The writer of action awards (`EntryKind.ACTION`): one statement inserts the row, moves the cached balance
and stores the caller's recording of its idempotency key.

Invariant: the statement holds the account lock. Either the caller locked it (`lock_account`, its own
statement, so this statement reads what the previous lock holder committed), or the statement takes it
itself, only if the account row is still the version the caller's unlocked probe read (`seen`, its `xmin`:
every writer of ledger rows updates the account row in the same transaction), so the caps counted by that
probe are still exact; otherwise it writes nothing and says so. The (kind, source_key) unique index decides
a duplicate; a recording that lost its idempotency key to a concurrent caller awards nothing either.
"""

from datetime import datetime

from saleor_loyalty.core.facts import Actor
from saleor_loyalty.ledger.prepared import planned_once
from saleor_loyalty.models import ActionRecording, ClubAction, EntryKind, LedgerEntry, LoyaltyAccount

_LEDGER, _RECORDINGS, _ACCOUNTS, _ACTIONS = (
    LedgerEntry._meta.db_table,
    ActionRecording._meta.db_table,
    LoyaltyAccount._meta.db_table,
    ClubAction._meta.db_table,
)
ACTION_COLUMNS = [
    "id",
    "program_id",
    "key",
    "is_builtin",
    "name_en",
    "name_he",
    "points",
    "cap_per_day",
    "cap_per_month",
    "cap_lifetime",
    "once_per_object",
    "pending_days",
    "is_enabled",
]
# The member's awards of the action `a` today / this month / ever (local days; without a lifetime cap only
# this month's are read), by the partial index `loyalty_entry_action_cap_idx`.
CAP_COUNTS_SQL = f"""
SELECT count(*) FILTER (WHERE occurred_at >= %(day_from)s AND occurred_at < %(day_to)s) AS day,
       count(*) FILTER (WHERE occurred_at >= %(month_from)s AND occurred_at < %(month_to)s) AS month,
       count(*) AS lifetime
FROM {_LEDGER} WHERE account_id = %(account)s AND kind = 'action' AND detail ->> 'action' = a.key
 AND occurred_at >= CASE WHEN a.cap_lifetime IS NULL THEN %(month_from)s ELSE '-infinity'::timestamptz END
"""
# The new row's id is drawn first, so the recording can name it and the award can depend on the recording.
_AWARD_SQL = f"""
WITH member AS (
    SELECT a.id FROM {_ACCOUNTS} a WHERE a.id = %(account)s {{guard}}
), entry AS (
    SELECT nextval(pg_get_serial_sequence('{_LEDGER}', 'id')) AS id FROM member WHERE %(award)s
), recorded AS (
    INSERT INTO {_RECORDINGS} (program_id, idempotency_key, action_key, account_id, object_id, outcome, entry_id,
                               actor_label, created_at)
    SELECT %(program)s, %(idempotency_key)s, %(action)s, %(account)s, %(object)s, %(outcome)s,
           coalesce((SELECT id FROM entry), %(earlier)s), %(actor_label)s, %(created_at)s
    FROM member WHERE %(keyed)s
    ON CONFLICT (program_id, idempotency_key) DO NOTHING
    RETURNING id
), awarded AS (
    INSERT INTO {_LEDGER} (id, account_id, kind, points, forgiven_points, source_key, order_number, reason, detail,
                           available_at, expires_at, actor_user_id, actor_app_id, actor_label, occurred_at, created_at)
    SELECT entry.id, %(account)s, 'action', %(points)s, 0, %(source_key)s, '', %(reason)s, %(detail)s::jsonb,
           %(available_at)s, %(expires_at)s, %(actor_user)s, %(actor_app)s, %(actor_label)s, %(now)s, %(created_at)s
    FROM entry WHERE NOT %(keyed)s OR EXISTS (SELECT 1 FROM recorded)
    ON CONFLICT (kind, source_key) DO NOTHING
    RETURNING id, points
), moved AS (
    UPDATE {_ACCOUNTS} AS account
    SET balance = account.balance + awarded.points, updated_at = %(created_at)s
    FROM awarded WHERE account.id = %(account)s
    RETURNING account.balance
)
SELECT EXISTS (SELECT 1 FROM member), (SELECT id FROM awarded), (SELECT count(*) FROM recorded),
       (SELECT balance FROM moved)
"""
_SQL = {
    guarded: _AWARD_SQL.format(guard="AND a.xmin::text = %(seen)s FOR UPDATE" if guarded else "")
    for guarded in (False, True)
}


def write_action_award(params: dict, seen: str | None = None) -> tuple[bool, int | None, int, int | None]:
    """(locked, the new row's id or None, recordings written, the balance after): `award` false writes only
    the recording. Given `seen`, nothing at all is written unless the account is still that version.

    An award whose recording names an id the ledger then refused (a duplicate source key) fails the
    recording's foreign key at commit: the caller's transaction, or this statement alone, rolls back.
    """
    with planned_once() as cursor:
        keyed = params["idempotency_key"] is not None
        cursor.execute(_SQL[seen is not None], {**params, "seen": seen, "keyed": keyed})
        return cursor.fetchone()


# The common case in one statement: an enabled action, under its caps, not awarded for this key, no earlier
# recording of the caller's key. The caps are counted in the statement's snapshot, and the account is locked
# only if its row is still the version of that snapshot, so no award the counts miss can exist.
_AWARD_AT_ONCE_SQL = f"""
WITH action AS (
    SELECT a.*, CASE WHEN a.once_per_object THEN %(key_once)s ELSE %(key_each)s END AS source_key
    FROM {_ACTIONS} a WHERE a.program_id = %(program)s AND a.key = %(action)s
), clear AS (
    SELECT a.* FROM action a CROSS JOIN LATERAL ({CAP_COUNTS_SQL}) c
    WHERE a.is_enabled AND (%(has_object)s OR NOT a.once_per_object)
      AND (a.cap_per_day IS NULL OR c.day < a.cap_per_day)
      AND (a.cap_per_month IS NULL OR c.month < a.cap_per_month)
      AND (a.cap_lifetime IS NULL OR c.lifetime < a.cap_lifetime)
      AND NOT EXISTS (SELECT 1 FROM {_LEDGER} e WHERE e.kind = 'action' AND e.source_key = a.source_key)
      AND NOT EXISTS (SELECT 1 FROM {_RECORDINGS} r
                      WHERE r.program_id = a.program_id AND r.idempotency_key = %(idempotency_key)s)
), seen AS (
    SELECT m.xmin AS version FROM {_ACCOUNTS} m WHERE m.id = %(account)s AND m.merged_into_id IS NULL
), member AS (
    SELECT m.id FROM {_ACCOUNTS} m, seen, clear WHERE m.id = %(account)s AND m.xmin = seen.version FOR UPDATE OF m
), entry AS (
    SELECT nextval(pg_get_serial_sequence('{_LEDGER}', 'id')) AS entry_id, clear.* FROM member, clear
), recorded AS (
    INSERT INTO {_RECORDINGS} (program_id, idempotency_key, action_key, account_id, object_id, outcome, entry_id,
                               actor_label, created_at)
    SELECT entry.program_id, %(idempotency_key)s, entry.key, %(account)s, %(object)s, 'awarded', entry.entry_id,
           %(actor_label)s, %(created_at)s
    FROM entry WHERE %(keyed)s
    ON CONFLICT (program_id, idempotency_key) DO NOTHING
    RETURNING id
), awarded AS (
    INSERT INTO {_LEDGER} (id, account_id, kind, points, forgiven_points, source_key, order_number, reason, detail,
                           available_at, expires_at, actor_user_id, actor_app_id, actor_label, occurred_at, created_at)
    SELECT entry.entry_id, %(account)s, 'action', entry.points, 0, entry.source_key, '', entry.name_en, %(detail)s::jsonb,
           %(now)s + entry.pending_days * interval '24 hours', %(expires_at)s, %(actor_user)s, %(actor_app)s,
           %(actor_label)s, %(now)s, %(created_at)s
    FROM entry WHERE NOT %(keyed)s OR EXISTS (SELECT 1 FROM recorded)
    ON CONFLICT (kind, source_key) DO NOTHING
    RETURNING id, points, source_key, available_at
), moved AS (
    UPDATE {_ACCOUNTS} AS account
    SET balance = account.balance + awarded.points, updated_at = %(created_at)s
    FROM awarded WHERE account.id = %(account)s
    RETURNING account.balance
)
SELECT awarded.id, awarded.source_key, awarded.available_at, moved.balance,
       {", ".join(f"a.{column}" for column in ACTION_COLUMNS)}
FROM action a LEFT JOIN awarded ON true LEFT JOIN moved ON true
"""


def award_at_once(params: dict) -> tuple | None:
    """(the new row's id, source key, available_at, balance after, then the action's ACTION_COLUMNS), the id
    None when the common case did not hold and nothing was written; None when there is no such action."""
    keyed, has_object = params["idempotency_key"] is not None, params["object"] != ""
    with planned_once() as cursor:
        cursor.execute(_AWARD_AT_ONCE_SQL, {**params, "keyed": keyed, "has_object": has_object})
        return cursor.fetchone()


def written_action_entry(
    entry_id: int,
    account: LoyaltyAccount,
    action: ClubAction,
    source_key: str,
    detail: dict,
    available_and_expires: tuple[datetime, datetime | None],
    actor: Actor,
    now: datetime,
    created_at: datetime,
) -> LedgerEntry:
    """The award row a statement just wrote, built from what it returned (no read back)."""
    available_at, expires_at = available_and_expires
    entry = LedgerEntry(
        id=entry_id,
        account=account,
        kind=EntryKind.ACTION,
        points=action.points,
        source_key=source_key,
        reason=action.name_en,
        detail=detail,
        available_at=available_at,
        expires_at=expires_at,
        actor_user_id=actor.user_id,
        actor_app_id=actor.app_id,
        actor_label=actor.label,
        occurred_at=now,
        created_at=created_at,
    )
    entry._state.adding = False
    return entry
