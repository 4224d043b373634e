# Joins the tiers and the expiry migration lines.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_loyalty', '0004_tier_evaluation_runs'),
        ('saleor_loyalty', '0010_expiry'),
    ]

    operations = [
    ]
