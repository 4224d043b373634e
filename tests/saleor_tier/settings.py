"""Saleor tier: Saleor 3.23's own test settings with the club plugin and our database choice."""

import os

import dj_database_url
import saleor
from saleor.tests.settings import *  # noqa: F403

# Saleor needs PostgreSQL's contrib extensions (hstore), which the embedded server lacks, so this tier
# uses DATABASE_URL or the machine's PostgreSQL, as Saleor itself does.
# The test database is kept between runs (--reuse-db) per Saleor version: Saleor's four-minute
# migration runs once, and conftest.py rebuilds only the club's own tables at every session start.
_database = dj_database_url.config(default="postgres://postgres@127.0.0.1:5432/postgres")
_test_name = f"test_loyalty_saleor_{saleor.__version__.replace('.', '_')}{os.environ.get('LOYALTY_TEST_DB_SUFFIX', '')}"
DATABASES = {  # noqa: F811
    "default": {**_database, "TEST": {"NAME": _test_name}},
    "replica": {**_database, "TEST": {"MIRROR": "default"}},
}

PLUGINS = ["saleor_loyalty.plugin.LoyaltyPlugin"]
