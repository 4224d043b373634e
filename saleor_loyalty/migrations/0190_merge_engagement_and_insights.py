# Joins the engagement, insights and hardening branches (each started from 0096).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("saleor_loyalty", "0100_actions"),
        ("saleor_loyalty", "0110_referrals"),
        ("saleor_loyalty", "0120_membership"),
        ("saleor_loyalty", "0130_challenges_and_order_tiers"),
        ("saleor_loyalty", "0140_segments"),
        ("saleor_loyalty", "0150_campaigns"),
        ("saleor_loyalty", "0161_kpi_active_months"),
        ("saleor_loyalty", "0170_sms_double_opt_in"),
    ]

    operations = []
