# Lot expiry and periodic jobs: reminder settings, resumable job cursors, queued expiry reminders, the expiry index.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_loyalty', '0002_ledger_append_only_trigger'),
    ]

    operations = [
        migrations.CreateModel(
            name='ExpiryReminder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('points', models.PositiveIntegerField()),
                ('expires_at', models.DateTimeField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.CreateModel(
            name='JobCursor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True)),
                ('moment', models.DateTimeField(blank=True, null=True)),
                ('last_id', models.BigIntegerField(default=0)),
                ('last_key', models.CharField(blank=True, default='', help_text='For non-integer keys.', max_length=64)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.AddField(
            model_name='loyaltyprogram',
            name='expiry_reminder_days',
            field=models.PositiveIntegerField(default=30, help_text='Queue a reminder this many days before points expire; 0 = off.'),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='kind',
            field=models.CharField(choices=[('earn', 'Points earned on a paid order'), ('earn_reversal', 'Earned points reversed by a refund or cancellation'), ('adjustment', 'Manual adjustment by staff or an app'), ('merge_out', "Guest balance moved to the member's account"), ('merge_in', 'Guest balance received from a guest account'), ('expire', 'What was left of an earned lot when it expired')], max_length=32),
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(condition=models.Q(('expires_at__isnull', False)), fields=['expires_at', 'id'], name='loyalty_entry_expiry_idx'),
        ),
        migrations.AddField(
            model_name='expiryreminder',
            name='account',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='expiry_reminders', to='saleor_loyalty.loyaltyaccount'),
        ),
        migrations.AddField(
            model_name='expiryreminder',
            name='lot',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='expiry_reminder', to='saleor_loyalty.ledgerentry'),
        ),
    ]
