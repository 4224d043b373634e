"""Writing many rows in one statement, each row its own values, sent as one typed array per column.

Django's `bulk_update` builds a CASE expression per field with a branch per row, and `bulk_create` a
VALUES list with a placeholder per field per row: for a batch of a few hundred rows building and
binding those costs more than sending the batch. Here a batch is an UPDATE … FROM unnest(arrays) or an
INSERT … SELECT FROM unnest(arrays): nothing compiled per row. `together` runs several such writes as
one statement (data-modifying WITH clauses), one round trip for all of them.
"""

from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class Statement:
    sql: str
    params: list


def _arrays(rows: list, columns: list) -> tuple[list, str]:
    """Each column's values as the database gets them (`bulk_create`'s preparation), and the unnest(…) call."""
    arrays = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for row in rows] for field in columns
    ]
    casts = ", ".join(
        f"%s::{field.rel_db_type(connection) if field.primary_key else field.db_type(connection)}[]"
        for field in columns
    )
    return arrays, f"unnest({casts})"


def update_statement(rows: list, fields: list[str]) -> Statement:
    """Write `fields` of `rows` (saved instances of one model) as they are in memory."""
    meta = type(rows[0])._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    arrays, unnest = _arrays(rows, columns)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = v.v{index}" for index, field in enumerate(columns[1:]))
    names = ", ".join(["pk", *(f"v{index}" for index in range(len(columns) - 1))])
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "
        f"FROM {unnest} AS v({names}) WHERE t.{quote(meta.pk.column)} = v.pk"
    )
    return Statement(sql, arrays)


def insert_statement(rows: list, ignore_conflicts: bool = False) -> Statement:
    """Insert new instances of one model with every concrete column as `bulk_create` fills it (defaults and
    `pre_save` applied); rows whose primary key is unset get it from its sequence (not read back)."""
    meta = type(rows[0])._meta
    columns = [field for field in meta.concrete_fields if not (field.primary_key and rows[0].pk is None)]
    for row in rows:
        for field in columns:
            setattr(row, field.attname, field.pre_save(row, add=True))
    arrays, unnest = _arrays(rows, columns)
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in columns)
    conflicts = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    return Statement(
        f"INSERT INTO {quote(meta.db_table)} ({names}) SELECT * FROM {unnest}{conflicts}", arrays
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
