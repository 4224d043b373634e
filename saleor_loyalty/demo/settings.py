"""Stand-alone settings for the demo: the club's engine with Django's own user model, no Saleor."""

from saleor_loyalty.devdb import database_settings

SECRET_KEY = "saleor-loyalty-demo"
USE_TZ = True
TIME_ZONE = "Asia/Jerusalem"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "saleor_loyalty"]
DATABASES = {"default": database_settings("loyalty_demo")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
