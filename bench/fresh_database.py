"""Django on a fresh bench database: never DATABASE_URL's own (a bench may write gigabytes into it).

With DATABASE_URL the bench database sits on that server; without it, on the embedded PostgreSQL.
"""

import json
import os
from urllib.parse import urlsplit, urlunsplit

BUILT = "bench_built"  # the sizes a bench built its database at, for a later `--reuse`


def _built_at(url: str) -> list | None:
    import psycopg

    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass(%s)", [BUILT]).fetchone()[0] is None:
            return None
        row = conn.execute(f"SELECT sizes FROM {BUILT}").fetchone()
        return json.loads(row[0]) if row else None


def mark_built(sizes: list) -> None:
    """Record that the database now holds a full build at `sizes` (see `setup_django`'s `reuse`)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {BUILT} (sizes text)")
        cursor.execute(f"INSERT INTO {BUILT} VALUES (%s)", [json.dumps(sizes)])


def setup_django(database: str, reuse: list | None = None) -> bool:
    """Django on `database`, dropped and created first; True (kept, only migrated) when `reuse` names
    the sizes it was last fully built at."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_loyalty.demo.settings")
    import django
    import psycopg
    from django.core.management import call_command

    url = os.environ.get("DATABASE_URL")
    if url:
        server = urlsplit(url)
        maintenance = urlunsplit(server._replace(path="/postgres"))
        os.environ["DATABASE_URL"] = urlunsplit(server._replace(path=f"/{database}"))
    else:
        from saleor_loyalty.devdb import database_settings, embedded_data_dir

        database_settings("postgres")  # starts the embedded server
        maintenance = f"postgresql://postgres@/postgres?host={embedded_data_dir()}"
        os.environ["DATABASE_URL"] = f"postgres://postgres@/{database}?host={embedded_data_dir()}"
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
    kept = bool(reuse and exists and _built_at(os.environ["DATABASE_URL"]) == reuse)
    if not kept:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {database}")
            conn.execute(f"CREATE DATABASE {database}")
    django.setup()
    call_command("migrate", verbosity=0)
    return kept
