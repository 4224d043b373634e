"""Rewards for many members in a few statements: the set-based form of `lock_account` + `append_entry`.

The rows travel as one JSON document (a list parameter per column costs the client more than the
database spends inserting). The caller's transaction locks the accounts (in primary-key order, its own statement, so later
statements see what the previous lock holders committed), then one statement inserts the rows
`ON CONFLICT (kind, source_key) DO NOTHING` and moves each account's cached balance by what was
really inserted. A replay inserts nothing and moves nothing, exactly as `append_entry` does.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from saleor_loyalty.ledger.accounts import SYSTEM, int_array
from saleor_loyalty.models import LedgerEntry, LoyaltyAccount

_ACCOUNTS = LoyaltyAccount._meta.db_table
_LOCK_SQL = f"SELECT id FROM {_ACCOUNTS} WHERE id = ANY(%s::bigint[]) ORDER BY id FOR UPDATE"
_AWARD_SQL = f"""
WITH inserted AS (
    INSERT INTO {LedgerEntry._meta.db_table}
        (account_id, kind, points, forgiven_points, source_key, order_number, reason, detail,
         available_at, actor_label, occurred_at, created_at)
    SELECT v.account, %(kind)s, v.points, 0, v.key, '', v.reason, v.detail, %(now)s, %(actor)s, %(now)s, now()
    FROM jsonb_to_recordset(%(awards)s::jsonb) AS v(account bigint, points int, key text, reason text, detail jsonb)
    ON CONFLICT (kind, source_key) DO NOTHING
    RETURNING account_id, points
), moved AS (
    UPDATE {_ACCOUNTS} a SET balance = a.balance + s.total, updated_at = now()
    FROM (SELECT account_id, SUM(points) AS total FROM inserted GROUP BY account_id) s WHERE a.id = s.account_id
)
SELECT account_id, points FROM inserted
"""


@dataclass(frozen=True)
class Award:
    account_id: int
    points: int
    source_key: str
    reason: str
    detail: dict


def lock_accounts(account_ids) -> None:
    """Lock these accounts for the caller's transaction, in primary-key order (no deadlock between batches)."""
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_SQL, [int_array(sorted(set(account_ids)))])


def append_awards(kind: str, awards: list[Award], now: datetime) -> int:
    """Insert positive awards for accounts the caller locked; returns the points really added (0 on replay)."""
    awards = [award for award in awards if award.points > 0]
    if not awards:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            _AWARD_SQL,
            {
                "kind": kind,
                "now": now,
                "actor": SYSTEM.label,
                "awards": json.dumps(
                    [
                        {
                            "account": a.account_id,
                            "points": a.points,
                            "key": a.source_key,
                            "reason": a.reason,
                            "detail": a.detail,
                        }
                        for a in awards
                    ]
                ),
            },
        )
        return sum(points for _, points in cursor.fetchall())
