"""Merged guests are found by their own `merged_at` instead of an index on `updated_at`.

Every balance move sets `updated_at`; while an index covered it, no account update could be HOT, so each
earn, redemption and action wrote a new entry into all of the account table's indexes. The fillfactor
leaves room on each page for the new row version of a HOT update.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("saleor_loyalty", "0290_merge_performance_branches")]

    operations = [
        migrations.AddField(
            model_name="loyaltyaccount",
            name="merged_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL(
            "UPDATE saleor_loyalty_loyaltyaccount SET merged_at = updated_at WHERE merged_into_id IS NOT NULL",
            migrations.RunSQL.noop,
        ),
        migrations.RemoveIndex(model_name="loyaltyaccount", name="loyalty_account_merged_idx"),
        migrations.AddIndex(
            model_name="loyaltyaccount",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", False)),
                fields=["merged_at"],
                name="loyalty_account_merged_at_idx",
            ),
        ),
        migrations.RunSQL(
            "ALTER TABLE saleor_loyalty_loyaltyaccount SET (fillfactor = 85)",
            "ALTER TABLE saleor_loyalty_loyaltyaccount RESET (fillfactor)",
        ),
    ]
