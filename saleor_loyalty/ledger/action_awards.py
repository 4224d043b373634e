"""The writer of action awards (`EntryKind.ACTION`): one statement inserts the row, moves the cached balance
and stores the caller's recording of its idempotency key.

Invariant: the statement holds the account lock. Either the caller locked it (`lock_account`, its own
statement, so this statement reads what the previous lock holder committed), or the statement takes it
itself, only if the account row is still the version the caller's unlocked probe read (`seen`, its `xmin`:
every writer of ledger rows updates the account row in the same transaction), so the caps counted by that
probe are still exact; otherwise it writes nothing and says so. The (kind, source_key) unique index decides
a duplicate; a recording that lost its idempotency key to a concurrent caller awards nothing either.
"""

from saleor_loyalty.ledger.prepared import planned_once
from saleor_loyalty.models import ActionRecording, LedgerEntry, LoyaltyAccount

_LEDGER, _RECORDINGS, _ACCOUNTS = (
    LedgerEntry._meta.db_table,
    ActionRecording._meta.db_table,
    LoyaltyAccount._meta.db_table,
)
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
