"""A program may count points for actions that are not purchases towards tiers measured in points (off by
default), and an award that crosses a threshold records its own tier cause."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_loyalty', '0291_account_merged_at'),
    ]

    operations = [
        migrations.AddField(
            model_name='loyaltyprogram',
            name='action_points_count_toward_tiers',
            field=models.BooleanField(default=False, help_text='Points for actions that are not purchases count towards tiers measured in points.'),
        ),
        migrations.AlterField(
            model_name='tierevent',
            name='cause',
            field=models.CharField(choices=[('order_upgrade', 'A paid order crossed the entry threshold'), ('adjustment_upgrade', 'A staff adjustment crossed the entry threshold'), ('action_upgrade', 'Points for an action crossed the entry threshold'), ('evaluation_upgrade', 'Nightly evaluation found the entry threshold met'), ('evaluation_downgrade', 'Below the retain threshold after the grace period'), ('grace_started', 'Fell below the retain threshold; grace period started'), ('grace_cleared', 'Back above the retain threshold'), ('floor_set', 'Staff set a manual floor tier'), ('floor_cleared', 'Staff removed the manual floor tier'), ('tier_deleted', 'Staff deleted the tier and moved its members'), ('membership_started', 'A paid membership raised the member to its tier'), ('membership_ended', 'A paid membership ended; the member fell back to the tier they earned')], max_length=32),
        ),
    ]
