# Early-access items per program, and a birthday gift of store credit per tier.

import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_loyalty', '0070_merge_messaging'),
    ]

    operations = [
        migrations.CreateModel(
            name='EarlyAccessItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('product', 'A Saleor product'), ('collection', 'A Saleor collection')], max_length=16)),
                ('saleor_id', models.BigIntegerField(help_text="Saleor's numeric product or collection id.")),
                ('starts_at', models.DateTimeField(blank=True, help_text='Members may see it from then; null = at once.', null=True)),
                ('ends_at', models.DateTimeField(blank=True, help_text='Public launch: from then it is no longer gated; null = until unmarked.', null=True)),
                ('marked_by', models.CharField(blank=True, default='', max_length=255)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['program_id', 'kind', 'saleor_id'],
            },
        ),
        migrations.AddField(
            model_name='tier',
            name='birthday_credit',
            field=models.DecimalField(decimal_places=4, default=Decimal('0'), help_text="Store credit in the program's currency put on the member's card on their birthday; 0 = none.", max_digits=14),
        ),
        migrations.AlterField(
            model_name='creditentry',
            name='kind',
            field=models.CharField(choices=[('cashback_earn', 'Cashback earned on a paid order, pending until available_at'), ('cashback_credit', "Pending cashback put on the member's card"), ('cashback_reversal', 'Cashback taken back by a refund or cancellation'), ('redemption', "Points turned into credit on the member's card"), ('card_return', 'Card money spent on an order, given back after a cancellation or refund'), ('birthday_gift', "The tier's birthday credit put on the member's card")], max_length=32),
        ),
        migrations.AddConstraint(
            model_name='tier',
            constraint=models.CheckConstraint(condition=models.Q(('birthday_credit__gte', 0)), name='loyalty_tier_birthday_credit_chk'),
        ),
        migrations.AddField(
            model_name='earlyaccessitem',
            name='minimum_tier',
            field=models.ForeignKey(blank=True, help_text='Members of this tier or above may see it; null = tiers with the early-access benefit.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='early_access_items', to='saleor_loyalty.tier'),
        ),
        migrations.AddField(
            model_name='earlyaccessitem',
            name='program',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='early_access_items', to='saleor_loyalty.loyaltyprogram'),
        ),
        migrations.AddConstraint(
            model_name='earlyaccessitem',
            constraint=models.UniqueConstraint(fields=('program', 'kind', 'saleor_id'), name='loyalty_earlyaccessitem_program_item_uniq'),
        ),
        migrations.AddConstraint(
            model_name='earlyaccessitem',
            constraint=models.CheckConstraint(condition=models.Q(('starts_at__isnull', True), ('ends_at__isnull', True), ('ends_at__gt', models.F('starts_at')), _connector='OR'), name='loyalty_earlyaccessitem_window_chk'),
        ),
        migrations.AddConstraint(
            model_name='earlyaccessitem',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['product', 'collection'])), name='loyalty_earlyaccessitem_kind_chk'),
        ),
    ]
