"""Saleor tier: Saleor 3.23's own test settings with the club plugin and our database choice."""

import hashlib
from pathlib import Path

import dj_database_url
import saleor
from saleor.tests.settings import *  # noqa: F403

_MIGRATIONS = Path(__file__).resolve().parents[2] / "saleor_loyalty" / "migrations"
_FINGERPRINT = hashlib.sha1(
    b"".join(p.read_bytes() for p in sorted(_MIGRATIONS.glob("*.py"))) + saleor.__version__.encode()
).hexdigest()[:10]

# Saleor needs PostgreSQL's contrib extensions (hstore), which the embedded server lacks, so this tier
# uses DATABASE_URL or the machine's PostgreSQL, as Saleor itself does.
# One test database per (Saleor version, club migrations): --reuse-db is then always safe, and the
# four-minute Saleor migration runs again only when one of them changes.
_database = dj_database_url.config(default="postgres://postgres@127.0.0.1:5432/postgres")
DATABASES = {  # noqa: F811
    "default": {**_database, "TEST": {"NAME": f"test_loyalty_saleor_{_FINGERPRINT}"}},
    "replica": {**_database, "TEST": {"MIRROR": "default"}},
}

PLUGINS = ["saleor_loyalty.plugin.LoyaltyPlugin"]
