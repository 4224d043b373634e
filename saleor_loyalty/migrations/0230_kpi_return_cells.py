from django.db import migrations, models

# Every buyer-month with counted orders becomes one buyer in the cell (month, the buyer's previous ordering
# month or the month itself), first-month cells also counting buyers with two orders or more.
BACKFILL = """
INSERT INTO saleor_loyalty_returncell (channel_slug, month, previous_month, customers, member_customers,
                                       repeat_customers)
SELECT channel_slug, month, previous_month, count(*), count(*) FILTER (WHERE is_member),
       count(*) FILTER (WHERE previous_month = month AND total_orders >= 2)
FROM (
    SELECT channel_slug, month, is_member,
           coalesce(lag(month) OVER (PARTITION BY channel_slug, customer_key ORDER BY month), month) AS previous_month,
           sum(orders) OVER (PARTITION BY channel_slug, customer_key) AS total_orders
    FROM saleor_loyalty_customermonth WHERE orders > 0
) buyer_months
GROUP BY channel_slug, month, previous_month
"""

# The month bitmaps the cells replace (0161), rebuilt from the buyer-months when going back.
DROP_BITS = "ALTER TABLE saleor_loyalty_customerrollup DROP COLUMN active_months"
RESTORE_BITS = """
ALTER TABLE saleor_loyalty_customerrollup ADD COLUMN active_months bit(512) NOT NULL DEFAULT repeat('0', 512)::bit(512);
UPDATE saleor_loyalty_customerrollup c SET active_months = bits.months FROM (
    SELECT channel_slug, customer_key, bit_or(set_bit(repeat('0', 512)::bit(512),
           (extract(year FROM month)::int - 2000) * 12 + extract(month FROM month)::int - 1, 1)) AS months
    FROM saleor_loyalty_customermonth WHERE orders > 0 AND month >= '2000-01-01' AND month < '2042-09-01'
    GROUP BY channel_slug, customer_key
) bits WHERE bits.channel_slug = c.channel_slug AND bits.customer_key = c.customer_key
"""


class Migration(migrations.Migration):
    dependencies = [("saleor_loyalty", "0200_campaign_audience_named_segment")]

    operations = [
        migrations.CreateModel(
            name="ReturnCell",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("channel_slug", models.SlugField(max_length=255)),
                ("month", models.DateField()),
                ("previous_month", models.DateField()),
                ("customers", models.IntegerField(db_default=0, default=0)),
                ("member_customers", models.IntegerField(db_default=0, default=0)),
                (
                    "repeat_customers",
                    models.IntegerField(
                        db_default=0,
                        default=0,
                        help_text="First-month cells: of the buyers, those with two counted orders or more.",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("channel_slug", "month", "previous_month"), name="loyalty_kpi_return_cell_uniq"
                    )
                ],
            },
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunSQL(DROP_BITS, RESTORE_BITS),
    ]
