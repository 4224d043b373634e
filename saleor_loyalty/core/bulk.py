"""Writing many rows in one statement, each row its own values, sent as one typed array per column.

Django's `bulk_update` builds a CASE expression per field with a branch per row, and `bulk_create` a
VALUES list with a placeholder per field per row: for a batch of a few hundred rows building and
binding those costs more than sending the batch. Here a batch is an UPDATE … FROM unnest(arrays) or an
INSERT … SELECT FROM unnest(arrays): nothing compiled per row, and a column that holds one value for
the whole batch is sent once. `together` runs several such writes as
one statement (data-modifying WITH clauses), one round trip for all of them.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection


@dataclass(frozen=True)
class Statement:
    sql: str
    params: list


# A text value cast to varchar(n) is cut silently (psycopg's untyped strings happen to be checked by the
# type's input instead); cast to text, the length is checked by the column itself, whatever the driver sends.
_LIMITED_TEXT = re.compile(r"^varchar\(\d+\)$")
# Values whose equality means the same stored value (no float: 0.0 == -0.0; no Decimal: 1.0 == 1.00).
_SCALARS = (str, int, bool, type(None), datetime, date, uuid.UUID)


def _same_for_all(values: list) -> bool:
    first = values[0]
    kind = type(first)
    return kind in _SCALARS and all(type(value) is kind and value == first for value in values)


def _columns(rows: list, columns: list) -> tuple[list[str], str, list, list]:
    """Each column as the statement reads it: a column whose value is the same in every row (a batch's
    channel, status, timestamps) is one parameter, the others one array each in `unnest(…)` (the first
    always, so the rows are counted). Values are prepared as `bulk_create` prepares them. Returns the
    expressions, the unnest(…) AS v(…) clause, and the parameters of each in the order the SQL names them."""
    expressions, arrays, names, scalars, casts = [], [], [], [], []
    for index, field in enumerate(columns):
        cast = field.rel_db_type(connection) if field.primary_key else field.db_type(connection)
        cast = _LIMITED_TEXT.sub(
            "text", cast
        )  # the column's own type checks the length, as for Django's writes
        values = [getattr(row, field.attname) for row in rows]
        if index and _same_for_all(values):
            expressions.append(f"%s::{cast}")
            scalars.append(field.get_db_prep_save(values[0], connection))
        else:
            expressions.append(f"v.c{index}")
            names.append(f"c{index}")
            casts.append(f"%s::{cast}[]")
            arrays.append([field.get_db_prep_save(value, connection) for value in values])
    return expressions, f"unnest({', '.join(casts)}) AS v({', '.join(names)})", scalars, arrays


def update_statement(rows: list, fields: list[str]) -> Statement:
    """Write `fields` of `rows` (saved instances of one model) as they are in memory."""
    meta = type(rows[0])._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    expressions, unnest, scalars, arrays = _columns(rows, columns)
    quote = connection.ops.quote_name
    assignments = ", ".join(
        f"{quote(field.column)} = {expression}"
        for field, expression in zip(columns[1:], expressions[1:], strict=True)
    )
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "
        f"FROM {unnest} WHERE t.{quote(meta.pk.column)} = {expressions[0]}"
    )
    return Statement(sql, scalars + arrays)


def insert_statement(rows: list, ignore_conflicts: bool = False) -> Statement:
    """Insert new instances of one model with every concrete column as `bulk_create` fills it (defaults and
    `pre_save` applied); rows whose primary key is unset get it from its sequence (not read back)."""
    meta = type(rows[0])._meta
    columns = [field for field in meta.concrete_fields if not (field.primary_key and rows[0].pk is None)]
    for row in rows:
        for field in columns:
            setattr(row, field.attname, field.pre_save(row, add=True))
    expressions, unnest, scalars, arrays = _columns(rows, columns)
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in columns)
    conflicts = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    return Statement(
        f"INSERT INTO {quote(meta.db_table)} ({names}) SELECT {', '.join(expressions)} FROM {unnest}{conflicts}",
        scalars + arrays,
    )


def together(*statements: Statement) -> None:
    """Run the statements as one (the last one main, the others WITH clauses): one round trip. They see the
    same snapshot, so none may read what another writes; foreign keys are checked at the end as usual."""
    *first, last = statements
    clauses = ", ".join(f"w{index} AS ({statement.sql})" for index, statement in enumerate(first))
    sql = f"WITH {clauses} {last.sql}" if first else last.sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [param for statement in statements for param in statement.params])


def update_rows(rows: list, fields: list[str]) -> int:
    """Write `fields` of `rows` (saved instances of one model) as they are in memory; returns rows updated."""
    if not rows:
        return 0
    statement = update_statement(rows, fields)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, statement.params)
        return cursor.rowcount


def insert_rows(rows: list, ignore_conflicts: bool = False) -> None:
    """`bulk_create(rows)` in one INSERT … SELECT FROM unnest(…) (see `insert_statement`)."""
    if rows:
        together(insert_statement(rows, ignore_conflicts))
