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
DATABASES = {"default": database_settings(f"loyalty_engine{os.environ.get('LOYALTY_TEST_DB_SUFFIX', '')}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CELERY_TASK_ALWAYS_EAGER = True
