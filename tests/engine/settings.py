"""Engine tier: the club without Saleor, on real PostgreSQL (DATABASE_URL, else embedded)."""

import os

from saleor_loyalty.devdb import database_settings

SECRET_KEY = "engine-tier-tests"
USE_TZ = True
TIME_ZONE = "UTC"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "saleor_loyalty",
]
_SUFFIX = os.environ.get("LOYALTY_TEST_DB_SUFFIX", "")
# The suffix names the test database too, so parallel runs against one server never drop each other's.
DATABASES = {
    "default": {
        **database_settings(f"loyalty_engine{_SUFFIX}"),
        "TEST": {"NAME": f"test_loyalty_engine{_SUFFIX}"},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CELERY_TASK_ALWAYS_EAGER = True
