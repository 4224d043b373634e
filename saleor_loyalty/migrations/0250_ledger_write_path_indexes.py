"""The ledger's write path: one index less on every row, one partial index for the actions' cap counts.

The single-column index Django gives the account foreign key is redundant (`loyalty_entry_account_idx`
leads with the account) yet written on every ledger row. The cap count of an action reads one member's
rows of one kind in a window (`engagement/actions.py`); the partial index holds only action rows.
"""

import django.db.models.deletion
import django.db.models.fields.json
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("saleor_loyalty", "0200_campaign_audience_named_segment"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ledgerentry",
            name="account",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entries",
                to="saleor_loyalty.loyaltyaccount",
            ),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                models.F("account"),
                django.db.models.fields.json.KeyTextTransform("action", "detail"),
                models.F("occurred_at"),
                condition=models.Q(("kind", "action")),
                name="loyalty_entry_action_cap_idx",
            ),
        ),
    ]
