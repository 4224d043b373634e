"""Database settings for the demo and the engine tests: DATABASE_URL when set, else embedded PostgreSQL.

The embedded server (the `pgserver` package) keeps its data in a cache folder outside the work tree,
so fresh clones on the same machine reuse it. Production always uses Saleor's own database settings.
"""

import logging
import os
from pathlib import Path


def embedded_data_dir() -> Path:
    if os.environ.get("LOYALTY_PGDATA"):
        return Path(os.environ["LOYALTY_PGDATA"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "saleor-loyalty-pg"


def database_settings(name: str) -> dict:
    """A Django DATABASES entry; `name` is the database to use on the embedded server."""
    url = os.environ.get("DATABASE_URL")
    if url:
        import dj_database_url

        return dj_database_url.parse(url, conn_max_age=0)
    import pgserver

    # Its exit-time info messages go to streams already closed at interpreter shutdown.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    data_dir = embedded_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    pgserver.get_server(data_dir, cleanup_mode=None)  # left running: the next run reuses it at once
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(data_dir),
        "PORT": "",
    }
