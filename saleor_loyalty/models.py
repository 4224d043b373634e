"""Club data: one program per Saleor channel, one account per member, an append-only ledger.

Invariants (enforced by the database, not only by the code):
- a ledger row is never updated or deleted (trigger `loyalty_ledgerentry_append_only`);
- a (kind, source_key) pair exists at most once, so a replayed Saleor event cannot award twice;
- `LoyaltyAccount.balance` equals the sum of its rows' points (kept by `ledger.py`, checked by
  `ledger.reconcile_account`).

Saleor objects (channels, orders, users' ids) are referenced by value, never by foreign key to
Saleor tables, so Saleor deleting a checkout or an order never erases club history. The only foreign
key out of the club is to the user model, with SET_NULL: deleting a customer keeps the ledger.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class NegativeBalancePolicy(models.TextChoices):
    DEBT = "debt", "Record points debt, netted against future earnings"
    CLAMP = "clamp", "Clamp at zero and forgive the rest"


class LoyaltyProgram(models.Model):
    """The rules of the club in one Saleor channel (and so one currency)."""

    channel_slug = models.SlugField(max_length=255, unique=True)
    currency = models.CharField(max_length=3)
    timezone = models.CharField(max_length=64, default="Asia/Jerusalem")
    is_active = models.BooleanField(default=True)
    earn_rate = models.DecimalField(
        max_digits=9, decimal_places=4, default=Decimal("1"),
        help_text="Points per one unit of currency in the accrual base.",
    )
    point_value = models.DecimalField(
        max_digits=12, decimal_places=4, default=Decimal("0.05"),
        help_text="What one point is worth in the channel currency.",
    )
    include_tax = models.BooleanField(
        default=True, help_text="Accrue on gross (tax-inclusive) line totals; net when false."
    )
    pending_days = models.PositiveIntegerField(default=14)
    expiry_months = models.PositiveIntegerField(default=12, help_text="0 means never.")
    negative_balance_policy = models.CharField(
        max_length=8, choices=NegativeBalancePolicy.choices, default=NegativeBalancePolicy.DEBT
    )
    max_adjustment_points = models.PositiveIntegerField(default=1_000_000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(earn_rate__gte=0), name="loyalty_program_earn_rate_non_negative_chk"
            ),
            models.CheckConstraint(
                condition=Q(point_value__gt=0), name="loyalty_program_point_value_positive_chk"
            ),
        ]

    def __str__(self):
        return f"Loyalty program {self.channel_slug} ({self.currency})"


class LoyaltyAccount(models.Model):
    """A member's wallet of points in one program.

    A guest account (user is null) holds points for an email until a customer with that email
    signs up; it is then linked to the user, or merged into the user's account when one already
    exists (`merged_into`).
    """

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.PROTECT, related_name="accounts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="loyalty_accounts",
    )
    email = models.EmailField(db_index=True)
    balance = models.IntegerField(default=0)
    lifetime_earned = models.IntegerField(default=0)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_accounts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "user"], condition=Q(user__isnull=False),
                name="loyalty_account_program_user_uniq",
            ),
            models.UniqueConstraint(
                fields=["program", "email"], condition=Q(user__isnull=True, merged_into__isnull=True),
                name="loyalty_account_program_guest_email_uniq",
            ),
        ]

    def __str__(self):
        return f"Loyalty account {self.pk} ({self.email})"


class EntryKind(models.TextChoices):
    EARN = "earn", "Points earned on a paid order"
    EARN_REVERSAL = "earn_reversal", "Earned points reversed by a refund or cancellation"
    ADJUSTMENT = "adjustment", "Manual adjustment by staff or an app"
    MERGE_OUT = "merge_out", "Guest balance moved to the member's account"
    MERGE_IN = "merge_in", "Guest balance received from a guest account"


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a ledger row; corrections are new rows."""


class LedgerEntry(models.Model):
    """One typed movement of points. Rows are facts: never edited, never deleted."""

    account = models.ForeignKey(LoyaltyAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=32, choices=EntryKind.choices)
    points = models.IntegerField()
    forgiven_points = models.PositiveIntegerField(
        default=0, help_text="Points a clamp-to-zero reversal did not take."
    )
    source_key = models.CharField(max_length=200)
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )
    order_id = models.UUIDField(null=True, blank=True, db_index=True)
    order_number = models.CharField(max_length=64, blank=True, default="")
    money_amount = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    reason = models.TextField(blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)
    available_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_app_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["account", "-id"], name="loyalty_entry_account_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source_key"], name="loyalty_ledgerentry_source_uniq"
            ),
            models.CheckConstraint(
                condition=~Q(points=0) | Q(forgiven_points__gt=0),
                name="loyalty_ledgerentry_points_nonzero_chk",
            ),
            models.CheckConstraint(
                condition=~Q(kind="earn") | Q(points__gt=0),
                name="loyalty_ledgerentry_earn_positive_chk",
            ),
            models.CheckConstraint(
                condition=~Q(kind="earn_reversal") | (Q(points__lte=0) & Q(reverses__isnull=False)),
                name="loyalty_ledgerentry_reversal_shape_chk",
            ),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Ledger rows are never changed; write a correcting row instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Ledger rows are never deleted.")

    def __str__(self):
        return f"{self.kind} {self.points:+d} ({self.source_key})"


class CheckoutActivity(models.Model):
    """Last activity seen on a Saleor checkout (by token, no FK: Saleor deletes checkouts)."""

    token = models.UUIDField(primary_key=True)
    channel_slug = models.SlugField(max_length=255)
    user_id = models.BigIntegerField(null=True, blank=True)
    email = models.EmailField(blank=True, default="")
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"Checkout {self.token} last seen {self.last_seen_at:%Y-%m-%d %H:%M}"
from .messaging_models import *  # noqa: E402,F401,F403  (consent, recovery, messages)
