# Joins the consent and messaging migration line.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_loyalty', '0034_ledgerentry_kind_redemption'),
        ('saleor_loyalty', '0061_israel_quiet_days'),
    ]

    operations = []
