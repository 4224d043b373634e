# Ledger kinds of all lines, now with redemptions.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_loyalty', '0033_merge_rewards'),
    ]

    operations = [
        migrations.AlterField(
            model_name='ledgerentry',
            name='kind',
            field=models.CharField(choices=[('earn', 'Points earned on a paid order'), ('earn_reversal', 'Earned points reversed by a refund or cancellation'), ('adjustment', 'Manual adjustment by staff or an app'), ('merge_out', "Guest balance moved to the member's account"), ('merge_in', 'Guest balance received from a guest account'), ('expire', 'What was left of an earned lot when it expired'), ('birthday', "Birthday gift of the member's tier"), ('redemption', 'Points turned into store credit on a checkout')], max_length=32),
        ),
    ]
