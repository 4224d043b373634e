"""Tiers: the ladder per program, members' tier state, the append-only tier history, birthdays.

Existing programs get the default Regular / Gold / Platinum ladder (values frozen here, not
imported, so this migration means the same thing forever).
"""

import django.db.models.constraints
import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models


DEFAULT_TIERS = (
    ("Regular", "רגיל", "0", "0", "1", "0", False, False, 50),
    ("Gold", "זהב", "2000", "1500", "1.5", "5", True, False, 200),
    ("Platinum", "פלטינום", "6000", "4500", "2", "10", True, True, 500),
)


def create_default_tiers(apps, schema_editor):
    Program = apps.get_model("saleor_loyalty", "LoyaltyProgram")
    Tier = apps.get_model("saleor_loyalty", "Tier")
    for program in Program.objects.all():
        Tier.objects.bulk_create([
            Tier(program=program, position=position, name=name, name_he=name_he,
                 entry_threshold=Decimal(entry), retain_threshold=Decimal(retain),
                 earn_multiplier=Decimal(multiplier), discount_percent=Decimal(discount),
                 free_shipping=free_shipping, early_access=early_access, birthday_points=birthday)
            for position, (name, name_he, entry, retain, multiplier, discount, free_shipping, early_access,
                           birthday) in enumerate(DEFAULT_TIERS)
        ])


TIER_EVENTS_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION loyalty_tierevent_reject_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'loyalty_tierevent_append_only: tier events are never updated or deleted'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER loyalty_tierevent_append_only
    BEFORE UPDATE OR DELETE ON saleor_loyalty_tierevent
    FOR EACH ROW EXECUTE FUNCTION loyalty_tierevent_reject_change();
"""

TIER_EVENTS_APPEND_ONLY_REVERSE = """
DROP TRIGGER IF EXISTS loyalty_tierevent_append_only ON saleor_loyalty_tierevent;
DROP FUNCTION IF EXISTS loyalty_tierevent_reject_change();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_loyalty', '0002_ledger_append_only_trigger'),
    ]

    operations = [
        migrations.AddField(
            model_name='ledgerentry',
            name='occurred_at',
            field=models.DateTimeField(blank=True, help_text='When the fact happened (order paid, adjustment made): tier windows count by it.', null=True),
        ),
        migrations.AddField(
            model_name='loyaltyaccount',
            name='birthday_day',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='loyaltyaccount',
            name='birthday_month',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='loyaltyaccount',
            name='birthday_set_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='loyaltyaccount',
            name='tier_downgrade_due_on',
            field=models.DateField(blank=True, help_text='Local date the grace period ends while below the retain threshold.', null=True),
        ),
        migrations.AddField(
            model_name='loyaltyaccount',
            name='tier_evaluated_on',
            field=models.DateField(blank=True, help_text='Local date of the last nightly evaluation (the per-day claim).', null=True),
        ),
        migrations.AddField(
            model_name='loyaltyaccount',
            name='tier_floor_reason',
            field=models.TextField(blank=True, db_default='', default=''),
        ),
        migrations.AddField(
            model_name='loyaltyaccount',
            name='tier_since',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='loyaltyprogram',
            name='tier_basis',
            field=models.CharField(choices=[('spend', 'Money spent on paid orders, net of refunds'), ('points', 'Points earned, net of reversals, plus staff adjustments')], default='spend', max_length=16),
        ),
        migrations.AddField(
            model_name='loyaltyprogram',
            name='tier_grace_days',
            field=models.PositiveIntegerField(default=30, help_text='Days a member may stay below the retain threshold before a downgrade.'),
        ),
        migrations.AddField(
            model_name='loyaltyprogram',
            name='tier_window',
            field=models.CharField(choices=[('lifetime', 'Everything since the member joined'), ('calendar_year', "The current calendar year in the program's timezone"), ('rolling_12_months', "The last 12 months up to today in the program's timezone")], default='calendar_year', max_length=32),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='kind',
            field=models.CharField(choices=[('earn', 'Points earned on a paid order'), ('earn_reversal', 'Earned points reversed by a refund or cancellation'), ('adjustment', 'Manual adjustment by staff or an app'), ('merge_out', "Guest balance moved to the member's account"), ('merge_in', 'Guest balance received from a guest account'), ('birthday', "Birthday gift of the member's tier")], max_length=32),
        ),
        migrations.CreateModel(
            name='Tier',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField()),
                ('name', models.CharField(max_length=64)),
                ('name_he', models.CharField(blank=True, default='', max_length=64)),
                ('entry_threshold', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('retain_threshold', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('earn_multiplier', models.DecimalField(decimal_places=3, default=Decimal('1'), max_digits=6)),
                ('discount_percent', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=5)),
                ('free_shipping', models.BooleanField(default=False)),
                ('early_access', models.BooleanField(default=False)),
                ('birthday_points', models.PositiveIntegerField(default=0)),
                ('cashback_percent', models.DecimalField(blank=True, decimal_places=2, help_text="Store credit per paid order in % of the accrual base; null uses the program's cashbackPercent.", max_digits=5, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('program', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tiers', to='saleor_loyalty.loyaltyprogram')),
            ],
            options={
                'ordering': ['program_id', 'position'],
            },
        ),
        migrations.AddField(
            model_name='loyaltyaccount',
            name='tier',
            field=models.ForeignKey(blank=True, help_text="Current tier; null means the program's first tier.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='members', to='saleor_loyalty.tier'),
        ),
        migrations.AddField(
            model_name='loyaltyaccount',
            name='tier_floor',
            field=models.ForeignKey(blank=True, help_text='Set by staff: the member is never below this tier.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='floor_members', to='saleor_loyalty.tier'),
        ),
        migrations.CreateModel(
            name='TierEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('cause', models.CharField(choices=[('order_upgrade', 'A paid order crossed the entry threshold'), ('adjustment_upgrade', 'A staff adjustment crossed the entry threshold'), ('evaluation_upgrade', 'Nightly evaluation found the entry threshold met'), ('evaluation_downgrade', 'Below the retain threshold after the grace period'), ('grace_started', 'Fell below the retain threshold; grace period started'), ('grace_cleared', 'Back above the retain threshold'), ('floor_set', 'Staff set a manual floor tier'), ('floor_cleared', 'Staff removed the manual floor tier'), ('tier_deleted', 'Staff deleted the tier and moved its members')], max_length=32)),
                ('from_tier_id', models.BigIntegerField(blank=True, help_text='By value: a tier may be deleted later.', null=True)),
                ('to_tier_id', models.BigIntegerField(blank=True, null=True)),
                ('from_tier_name', models.CharField(blank=True, default='', max_length=64)),
                ('to_tier_name', models.CharField(blank=True, default='', max_length=64)),
                ('qualifying_amount', models.DecimalField(blank=True, decimal_places=4, max_digits=16, null=True)),
                ('order_id', models.UUIDField(blank=True, null=True)),
                ('reason', models.TextField(blank=True, default='')),
                ('actor_user_id', models.BigIntegerField(blank=True, null=True)),
                ('actor_app_id', models.BigIntegerField(blank=True, null=True)),
                ('actor_label', models.CharField(blank=True, default='', max_length=255)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tier_events', to='saleor_loyalty.loyaltyaccount')),
            ],
            options={
                'ordering': ['-pk'],
            },
        ),
        migrations.AddConstraint(
            model_name='tier',
            constraint=models.UniqueConstraint(deferrable=django.db.models.constraints.Deferrable['DEFERRED'], fields=('program', 'position'), name='loyalty_tier_program_position_uniq'),
        ),
        migrations.AddConstraint(
            model_name='tier',
            constraint=models.UniqueConstraint(fields=('program', 'name'), name='loyalty_tier_program_name_uniq'),
        ),
        migrations.AddConstraint(
            model_name='tier',
            constraint=models.CheckConstraint(condition=models.Q(('retain_threshold__lte', models.F('entry_threshold')), ('retain_threshold__gte', 0)), name='loyalty_tier_retain_within_entry_chk'),
        ),
        migrations.AddConstraint(
            model_name='tier',
            constraint=models.CheckConstraint(condition=models.Q(('earn_multiplier__gte', 0)), name='loyalty_tier_multiplier_chk'),
        ),
        migrations.AddConstraint(
            model_name='tier',
            constraint=models.CheckConstraint(condition=models.Q(('discount_percent__gte', 0), ('discount_percent__lte', 100)), name='loyalty_tier_discount_percent_chk'),
        ),
        migrations.AddIndex(
            model_name='tierevent',
            index=models.Index(fields=['account', '-id'], name='loyalty_tierevent_account_idx'),
        ),
        migrations.RunSQL(TIER_EVENTS_APPEND_ONLY, TIER_EVENTS_APPEND_ONLY_REVERSE),
        migrations.RunPython(create_default_tiers, migrations.RunPython.noop),
    ]
