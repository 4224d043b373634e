from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("saleor_loyalty", "0085_tier_translations"),
        ("saleor_loyalty", "0090_delivery_leases_unsubscribe_keys"),
    ]

    operations = []
