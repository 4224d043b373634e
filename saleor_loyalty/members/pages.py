"""The newest rows of many members at once, for a page of the member list: one statement per kind of row.

Each member's rows are one range of the (account, -id) index, read in a LATERAL loop over the page's
accounts (a join of the account list to the whole table would let the planner scan it instead), so
a page of 100 members costs the statements of a page of 5, whatever the size of their histories.
"""

from django.db import connection

from saleor_loyalty.ledger.accounts import int_array
from saleor_loyalty.models import LedgerEntry, TierEvent


def _newest_sql(table: str, after: bool) -> str:
    cut = "AND r.id < %(after)s" if after else ""
    return f"""
SELECT r.* FROM unnest(%(accounts)s::bigint[]) WITH ORDINALITY AS a(id, position)
CROSS JOIN LATERAL (SELECT * FROM {table} r WHERE r.account_id = a.id {cut} ORDER BY r.id DESC LIMIT %(size)s) r
ORDER BY a.position, r.id DESC"""


def newest_rows(model, account_ids, size: int, after_id: int | None = None) -> dict[int, list]:
    """Up to `size` newest rows of `model` (older than `after_id` if given) of each account, newest first."""
    found = {account_id: [] for account_id in account_ids}
    if not found:
        return found
    params = {"accounts": int_array(found), "size": size, "after": after_id}
    for row in model.objects.raw(_newest_sql(model._meta.db_table, after_id is not None), params):
        found[row.account_id].append(row)
    return found


def entry_counts(account_ids) -> dict[int, int]:
    """How many ledger rows each account has (an index-only count per account)."""
    counts = dict.fromkeys(account_ids, 0)
    if not counts:
        return counts
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.id, (SELECT count(*) FROM {LedgerEntry._meta.db_table} e WHERE e.account_id = a.id) "
            "FROM unnest(%s::bigint[]) AS a(id)",
            [int_array(counts)],
        )
        counts.update(cursor.fetchall())
    return counts


def newest_entries(account_ids, size: int, after_id: int | None = None) -> dict[int, list[LedgerEntry]]:
    return newest_rows(LedgerEntry, account_ids, size, after_id)


def newest_tier_events(account_ids, size: int) -> dict[int, list[TierEvent]]:
    return newest_rows(TierEvent, account_ids, size)
