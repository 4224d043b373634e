"""`OrderCategories.account`: the order's earn account, so the challenge pass reads a batch's categories
as one index range. Added nullable, backfilled from the earn rows in bounded batches (each its own
transaction: the migration is not atomic, and a re-run resumes, as it only fills rows still null), then
indexed. Rows whose order has no earn stay null (readers fall back to the order id)."""

from django.db import connection, migrations, models, transaction

BATCH = 20_000


def backfill(apps, schema_editor):
    categories = apps.get_model("saleor_loyalty", "OrderCategories")._meta.db_table
    ledger = apps.get_model("saleor_loyalty", "LedgerEntry")._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {categories}")
        last = cursor.fetchone()[0]
    after = 0
    while after < last:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"""UPDATE {categories} c SET account_id = e.account_id FROM {ledger} e
                WHERE c.id > %s AND c.id <= %s AND c.account_id IS NULL
                  AND e.order_id = c.order_id AND e.kind = 'earn'""",
                [after, after + BATCH],
            )
        after += BATCH


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("saleor_loyalty", "0390_merge_session_four_branches")]

    operations = [
        migrations.AddField(
            model_name="ordercategories",
            name="account",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="saleor_loyalty.loyaltyaccount",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="ordercategories",
            index=models.Index(
                condition=models.Q(account__isnull=False),
                fields=["account"],
                include=["order_id", "category_ids"],
                name="loyalty_order_categories_acct",
            ),
        ),
    ]
