"""Settings for the stand-alone server: the engine tier's, plus a URLconf; the database named by
LOYALTY_STANDALONE_DB (created by the runner)."""

import os

from saleor_loyalty.devdb import database_settings

_NAME = os.environ.get("LOYALTY_STANDALONE_DB", "loyalty_standalone")
SECRET_KEY = os.environ.get("LOYALTY_STANDALONE_SECRET", "standalone-stand-in-tokens-for-the-club-app-only")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
TIME_ZONE = "UTC"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "saleor_loyalty"]
DATABASES = {"default": {**database_settings(_NAME), "NAME": _NAME}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "saleor_loyalty.dashboard.standalone.urls"
MIDDLEWARE: list[str] = []
CELERY_TASK_ALWAYS_EAGER = True
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
