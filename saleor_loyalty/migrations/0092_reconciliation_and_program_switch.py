# The program switch remembers when it was last turned back on; reconciliation findings and correction rows.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_loyalty', '0085_tier_translations'),
    ]

    operations = [
        migrations.AddField(
            model_name='loyaltyprogram',
            name='live_since',
            field=models.DateTimeField(blank=True, help_text='When staff last switched the program back on; orders paid before it that were not recorded yet never earn (see gives_value).', null=True),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='kind',
            field=models.CharField(choices=[('earn', 'Points earned on a paid order'), ('earn_reversal', 'Earned points reversed by a refund or cancellation'), ('adjustment', 'Manual adjustment by staff or an app'), ('merge_out', "Guest balance moved to the member's account"), ('merge_in', 'Guest balance received from a guest account'), ('expire', 'What was left of an earned lot when it expired'), ('birthday', "Birthday gift of the member's tier"), ('redemption', 'Points turned into store credit on a checkout'), ('correction', 'Staff repair of a drift reconciliation found, explaining the shown balance')], max_length=32),
        ),
        migrations.CreateModel(
            name='ReconciliationFinding',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('points', "Cached points balance vs the sum of the account's ledger rows"), ('store_credit', 'Saleor card balance vs what the credit rows put on it, net of spending')], max_length=16)),
                ('expected', models.DecimalField(decimal_places=4, help_text='What the rows say (points, or money on the card).', max_digits=16)),
                ('found', models.DecimalField(decimal_places=4, help_text="The cached balance, or the card's.", max_digits=16)),
                ('drift', models.DecimalField(decimal_places=4, help_text='found - expected', max_digits=16)),
                ('detail', models.JSONField(blank=True, default=dict)),
                ('found_at', models.DateTimeField()),
                ('resolved_at', models.DateTimeField(blank=True, null=True)),
                ('resolution', models.CharField(blank=True, default='', max_length=16)),
                ('resolved_by', models.CharField(blank=True, default='', max_length=255)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reconciliation_findings', to='saleor_loyalty.loyaltyaccount')),
                ('correction', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reconciliation_finding', to='saleor_loyalty.ledgerentry')),
            ],
            options={
                'ordering': ['-pk'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('resolved_at__isnull', True)), fields=('account', 'kind'), name='loyalty_reconciliation_one_open_uniq')],
            },
        ),
    ]
