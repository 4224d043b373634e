"""Roll-ups behind the KPIs, and the evidence kept for imported consents.

A KPI query reads only these small tables, never Saleor's orders or the whole ledger. Each order
has one `OrderRollup` row holding what it last contributed; an order event applies only the
difference to the aggregates, so a replayed event adds nothing and a later refund moves the numbers
once. Ledger and credit rows are append-only, so their roll-ups follow an id cursor.
"""

from decimal import Decimal

from django.db import models

ZERO = Decimal(0)


def _money(**kwargs):
    return models.DecimalField(max_digits=18, decimal_places=4, default=ZERO, db_default=ZERO, **kwargs)


class OrderRollup(models.Model):
    """What one Saleor order last contributed to the roll-ups (members' and guests' orders alike)."""

    order_id = models.UUIDField()
    channel_slug = models.SlugField(max_length=255)
    currency = models.CharField(max_length=3)
    customer_key = models.CharField(
        max_length=80, help_text="user:<id> for members, email:<sha256> for guests."
    )
    is_member = models.BooleanField()
    day = models.DateField(help_text="Local day (program timezone) the order was placed.")
    counted = models.BooleanField(help_text="Paid, not cancelled, not wholly refunded.")
    revenue = _money(help_text="Gross total less refunds, when counted.")
    refunded = _money()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order_id"], name="loyalty_kpi_order_uniq")]


class ChannelDayRollup(models.Model):
    """Counted orders and net revenue of one channel on one local day; guests = all − members."""

    channel_slug = models.SlugField(max_length=255)
    day = models.DateField()
    currency = models.CharField(max_length=3)
    orders = models.IntegerField(default=0, db_default=0)
    member_orders = models.IntegerField(default=0, db_default=0)
    revenue = _money()
    member_revenue = _money()
    refunded = _money()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel_slug", "day"], name="loyalty_kpi_day_uniq"),
        ]


class CustomerRollup(models.Model):
    """One buyer in one channel: their cohort (first counted order's month), orders and revenue."""

    channel_slug = models.SlugField(max_length=255)
    customer_key = models.CharField(max_length=80)
    is_member = models.BooleanField()
    first_month = models.DateField(null=True, blank=True, help_text="Null while no order counts.")
    orders = models.IntegerField(default=0, db_default=0)
    revenue = _money()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel_slug", "customer_key"], name="loyalty_kpi_customer_uniq"
            ),
        ]
        indexes = [
            models.Index(
                fields=["channel_slug", "first_month"], include=["orders"], name="loyalty_kpi_cohort_idx"
            ),
        ]


class CustomerMonth(models.Model):
    """A buyer's counted orders in one month: the cohort table counts a buyer once per month."""

    channel_slug = models.SlugField(max_length=255)
    customer_key = models.CharField(max_length=80)
    month = models.DateField()
    is_member = models.BooleanField()
    orders = models.IntegerField(default=0, db_default=0)
    revenue = _money()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel_slug", "customer_key", "month"], name="loyalty_kpi_customer_month_uniq"
            ),
        ]
        indexes = [
            models.Index(
                fields=["channel_slug", "month", "customer_key"],
                include=["is_member", "orders"],
                name="loyalty_kpi_active_idx",
            ),
        ]


class CohortCell(models.Model):
    """One cell of the cohort table: buyers first seen in `cohort_month` who ordered in `month`."""

    channel_slug = models.SlugField(max_length=255)
    cohort_month = models.DateField()
    month = models.DateField()
    customers = models.IntegerField(default=0, db_default=0)
    member_customers = models.IntegerField(default=0, db_default=0)
    orders = models.IntegerField(default=0, db_default=0)
    revenue = _money()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel_slug", "cohort_month", "month"], name="loyalty_kpi_cohort_cell_uniq"
            ),
        ]


class ReturnCell(models.Model):
    """Buyers who ordered in `month` whose previous ordering month was `previous_month` (= `month` for
    the buyer's first): the buyers active in months a..b are those of cells with month in a..b and
    previous_month before a or equal to month, so a distinct count over any period reads O(months²) rows."""

    channel_slug = models.SlugField(max_length=255)
    month = models.DateField()
    previous_month = models.DateField()
    customers = models.IntegerField(default=0, db_default=0)
    member_customers = models.IntegerField(default=0, db_default=0)
    repeat_customers = models.IntegerField(
        default=0,
        db_default=0,
        help_text="First-month cells: of the buyers, those with two counted orders or more.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel_slug", "month", "previous_month"], name="loyalty_kpi_return_cell_uniq"
            ),
        ]


class PointsDayRollup(models.Model):
    """Ledger points of one channel, local day and kind; lots and rows aimed at lots by expiry month."""

    channel_slug = models.SlugField(max_length=255)
    day = models.DateField()
    kind = models.CharField(max_length=32)
    expiry_month = models.DateField(null=True, blank=True, help_text="Month the lot concerned expires.")
    positive = models.BigIntegerField(default=0, db_default=0)
    negative = models.BigIntegerField(default=0, db_default=0)
    rows = models.IntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel_slug", "day", "kind", "expiry_month"],
                nulls_distinct=False,
                name="loyalty_kpi_points_day_uniq",
            ),
        ]


class CreditDayRollup(models.Model):
    """Store-credit rows of one channel, local day and kind (amounts in the program's currency)."""

    channel_slug = models.SlugField(max_length=255)
    day = models.DateField()
    kind = models.CharField(max_length=32)
    amount = _money(help_text="Change of the members' credit claim.")
    card_amount = _money(help_text="Money the club moved on Saleor cards.")
    rows = models.IntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel_slug", "day", "kind"], name="loyalty_kpi_credit_day_uniq"
            ),
        ]


class ConsentImport(models.Model):
    """One staff import of consents gathered elsewhere: who, when, what file, how it ended."""

    channel_slug = models.SlugField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    rows = models.IntegerField(default=0, db_default=0)
    created = models.IntegerField(default=0, db_default=0)
    already_imported = models.IntegerField(default=0, db_default=0)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_app_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)


class ImportedConsent(models.Model):
    """The evidence an imported consent came with; unique per row fingerprint, so importing twice adds nothing."""

    row_key = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the row's normalised content."
    )
    consent_import = models.ForeignKey(ConsentImport, on_delete=models.PROTECT, related_name="consents")
    event = models.OneToOneField("ConsentEvent", on_delete=models.PROTECT, related_name="import_evidence")
    origin = models.CharField(max_length=255, help_text="Where it was gathered (system, form, shop).")
    evidence = models.TextField(
        help_text="Reference to the proof kept there (record id, file, form version)."
    )


class EvidenceAccess(models.Model):
    """Audit row: staff read (exported) a person's consent history."""

    channel_slug = models.SlugField(max_length=255)
    subject_hash = models.CharField(max_length=64)
    medium = models.CharField(max_length=8)
    file_format = models.CharField(max_length=8)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_app_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
