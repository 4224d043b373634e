from django.db import migrations

# One bit per month since January 2000 (512 months, to August 2042): which months a buyer ordered in.
# Counting the buyers active in any range of months is then one pass over the buyers, never over orders
# or buyer-months. Raw SQL: Django has no bit-string field; only insights/rollups.py and kpis.py use it.
SQL = "ALTER TABLE saleor_loyalty_customerrollup ADD COLUMN active_months bit(512) NOT NULL DEFAULT repeat('0', 512)::bit(512)"


class Migration(migrations.Migration):
    dependencies = [("saleor_loyalty", "0160_kpi_rollups")]

    operations = [
        migrations.RunSQL(SQL, "ALTER TABLE saleor_loyalty_customerrollup DROP COLUMN active_months"),
        # Members of a program by join time, for the KPIs' member counts (an index, nothing else, on accounts).
        migrations.RunSQL(
            "CREATE INDEX loyalty_kpi_member_join_idx ON saleor_loyalty_loyaltyaccount (program_id, created_at) "
            "WHERE user_id IS NOT NULL AND merged_into_id IS NULL",
            "DROP INDEX loyalty_kpi_member_join_idx",
        ),
    ]
