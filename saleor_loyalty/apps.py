from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "saleor_loyalty"
    label = "saleor_loyalty"
    verbose_name = "Loyalty club"
    default_auto_field = "django.db.models.BigAutoField"
