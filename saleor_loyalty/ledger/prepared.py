"""Statements of the accrual hot path, planned once per database connection instead of once per order.

Django binds parameters on the client (the SQL text is sent with the values in it), so PostgreSQL
parses and plans every statement again. The hot path's statements are long (the tier qualification
rides inside the earn insert) and run on every order event, so planning them was a large share of
an accrual. `planned_once` gives a Django cursor (queries are logged and counted as usual) over a
server-side-binding psycopg cursor that prepares its statements: parsed and planned on first use,
then only executed. PostgreSQL re-plans a prepared statement itself when a table it uses changes.

`LOYALTY_PREPARED_STATEMENTS = False` turns it off, for a transaction-mode connection pooler that
cannot keep prepared statements (PgBouncer before 1.21, or with `max_prepared_statements = 0`).
"""

from functools import cache
from types import SimpleNamespace

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

NEVER_AUTOMATICALLY = 2**31 - 1  # only statements executed with prepare=True (ours) are prepared


@cache
def _prepared_cursor_class():
    """Imported on first use: a deployment on psycopg2 never gets here."""
    import psycopg

    class PreparedCursor(psycopg.Cursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            super().execute(query, params, prepare=True, binary=binary)
            if self._query is None or self._query.query is None:  # a prepared run leaves Django's log no text
                self._query = SimpleNamespace(
                    query=query.encode() if isinstance(query, str) else bytes(query)
                )
            return self

    return PreparedCursor


def planned_once():
    """A cursor (context manager) whose statements are prepared; the ordinary cursor where that is off.

    The connection is looked up once: every `django.db.connection.<attribute>` is a thread-local lookup,
    and this runs twice per order."""
    db = connections[DEFAULT_DB_ALIAS]
    if not getattr(settings, "LOYALTY_PREPARED_STATEMENTS", True) or db.vendor != "postgresql":
        return db.cursor()
    db.ensure_connection()
    raw = db.connection
    if not hasattr(raw, "prepare_threshold"):  # psycopg2: no protocol-level prepared statements
        return db.cursor()
    if raw.prepare_threshold is None:  # Django's default turns preparing off; automatic preparing stays off
        raw.prepare_threshold = NEVER_AUTOMATICALLY
    return db._prepare_cursor(_prepared_cursor_class()(raw))
