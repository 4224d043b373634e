from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("saleor_loyalty", "0092_reconciliation_and_program_switch"),
        ("saleor_loyalty", "0095_merge_translations_and_delivery"),
    ]

    operations = []
