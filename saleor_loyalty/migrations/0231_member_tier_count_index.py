from django.db import migrations

# The member list's total and its count per tier (the Overview asks both for every tier) read this index
# alone: program, tier, live accounts only. Tier and merge columns are indexed already, so balance updates
# stay HOT. Built concurrently: accounts keep taking writes while it builds.


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("saleor_loyalty", "0230_kpi_return_cells")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS loyalty_account_tier_count_idx "
            "ON saleor_loyalty_loyaltyaccount (program_id, tier_id) WHERE merged_into_id IS NULL",
            "DROP INDEX CONCURRENTLY IF EXISTS loyalty_account_tier_count_idx",
        ),
    ]
