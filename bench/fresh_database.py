"""Django on a fresh bench database: never DATABASE_URL's own (a bench may write gigabytes into it).

With DATABASE_URL the bench database sits on that server; without it, on the embedded PostgreSQL.
"""

import os
from urllib.parse import urlsplit, urlunsplit


def setup_django(database: str) -> None:
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
        conn.execute(f"DROP DATABASE IF EXISTS {database}")
        conn.execute(f"CREATE DATABASE {database}")
    django.setup()
    call_command("migrate", verbosity=0)
