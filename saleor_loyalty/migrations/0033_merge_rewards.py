# Joins the rewards migration line.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_loyalty', '0012_ledgerentry_kind_birthday_and_expire'),
        ('saleor_loyalty', '0031_credit_append_only_trigger'),
    ]

    operations = [
    ]
