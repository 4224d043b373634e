"""The `reverses_id` index holds only rows that aim at a lot: every earn wrote a NULL entry into it before.

Reads are all `reverses_id = <row id>` (a lot's reversals and expiry, the tier count's refunded share),
which the partial index serves as the full one did. Built concurrently: the ledger keeps taking writes.
"""

import django.db.models.deletion
from django.db import migrations, models

_TABLE = "saleor_loyalty_ledgerentry"
_OLD = "saleor_loyalty_ledgerentry_reverses_id_d3122e02"
_NEW = "loyalty_entry_reverses_idx"


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("saleor_loyalty", "0291_account_merged_at")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {_NEW} ON {_TABLE} (reverses_id) "
                    "WHERE reverses_id IS NOT NULL",
                    f"DROP INDEX CONCURRENTLY IF EXISTS {_NEW}",
                ),
                migrations.RunSQL(
                    f"DROP INDEX CONCURRENTLY IF EXISTS {_OLD}",
                    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {_OLD} ON {_TABLE} (reverses_id)",
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="reverses",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reversals",
                        to="saleor_loyalty.ledgerentry",
                    ),
                ),
                migrations.AddIndex(
                    model_name="ledgerentry",
                    index=models.Index(
                        condition=models.Q(("reverses__isnull", False)),
                        fields=["reverses"],
                        name="loyalty_entry_reverses_idx",
                    ),
                ),
            ],
        ),
    ]
