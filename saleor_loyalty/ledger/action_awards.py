"""The writer of action awards (`EntryKind.ACTION`): one statement inserts the row, moves the cached balance
and stores the caller's recording of its idempotency key.

Invariant: called only with the account locked (`lock_account`, its own statement, so this statement reads
what the previous lock holder committed); the (kind, source_key) unique index decides a duplicate
(`ON CONFLICT DO NOTHING`), and the balance moves only when the row was inserted.
"""

from django.db import connection

from saleor_loyalty.models import ActionRecording, LedgerEntry, LoyaltyAccount

_LEDGER, _RECORDINGS = LedgerEntry._meta.db_table, ActionRecording._meta.db_table
_AWARD_SQL = f"""
WITH awarded AS (
    INSERT INTO {_LEDGER} (account_id, kind, points, forgiven_points, source_key, order_number, reason, detail,
                           available_at, expires_at, actor_user_id, actor_app_id, actor_label, occurred_at, created_at)
    SELECT %(account)s, 'action', %(points)s, 0, %(source_key)s, '', %(reason)s, %(detail)s::jsonb, %(available_at)s,
           %(expires_at)s, %(actor_user)s, %(actor_app)s, %(actor_label)s, %(now)s, %(created_at)s
    WHERE %(award)s
    ON CONFLICT (kind, source_key) DO NOTHING
    RETURNING id, points
), moved AS (
    UPDATE {LoyaltyAccount._meta.db_table} AS account
    SET balance = account.balance + awarded.points, updated_at = %(created_at)s
    FROM awarded WHERE account.id = %(account)s
    RETURNING account.id
), recorded AS (
    INSERT INTO {_RECORDINGS} (program_id, idempotency_key, action_key, account_id, object_id, outcome, entry_id,
                               actor_label, created_at)
    SELECT %(program)s, %(idempotency_key)s, %(action)s, %(account)s, %(object)s,
           CASE WHEN %(award)s AND NOT EXISTS (SELECT 1 FROM awarded) THEN 'already_awarded' ELSE %(outcome)s END,
           coalesce((SELECT id FROM awarded), %(earlier)s), %(actor_label)s, %(created_at)s
    WHERE %(idempotency_key)s IS NOT NULL
    ON CONFLICT (program_id, idempotency_key) DO NOTHING
    RETURNING id
)
SELECT (SELECT id FROM awarded), (SELECT count(*) FROM recorded)
"""


def write_action_award(params: dict) -> tuple[int | None, int]:
    """(the new row's id or None, recordings written): `award` false writes only the recording."""
    with connection.cursor() as cursor:
        cursor.execute(_AWARD_SQL, params)
        return cursor.fetchone()
