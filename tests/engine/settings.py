"""Engine tier: the club without Saleor, on real PostgreSQL (DATABASE_URL, else embedded)."""

from saleor_loyalty.devdb import database_settings

SECRET_KEY = "engine-tier-tests"
USE_TZ = True
TIME_ZONE = "UTC"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "saleor_loyalty",
]
DATABASES = {"default": database_settings("loyalty_engine")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CELERY_TASK_ALWAYS_EAGER = True
