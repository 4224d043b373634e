# Joins the tiers and the expiry migration lines.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_loyalty', '0005_tier_birthday_index'),
        ('saleor_loyalty', '0010_expiry'),
    ]

    operations = [
    ]
