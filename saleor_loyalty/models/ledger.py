"""The append-only points ledger and what hangs off its lots."""

from django.db import models
from django.db.models import F, Q
from django.db.models.fields.json import KeyTextTransform

from saleor_loyalty.models.program import LoyaltyAccount


class EntryKind(models.TextChoices):
    EARN = "earn", "Points earned on a paid order"
    EARN_REVERSAL = "earn_reversal", "Earned points reversed by a refund or cancellation"
    ADJUSTMENT = "adjustment", "Manual adjustment by staff or an app"
    MERGE_OUT = "merge_out", "Guest balance moved to the member's account"
    MERGE_IN = "merge_in", "Guest balance received from a guest account"
    EXPIRE = "expire", "What was left of an earned lot when it expired"
    BIRTHDAY = "birthday", "Birthday gift of the member's tier"
    REDEMPTION = "redemption", "Points turned into store credit on a checkout"
    CORRECTION = "correction", "Staff repair of a drift reconciliation found, explaining the shown balance"
    REFERRAL_REWARD = "referral_reward", "Reward for a friend's first order that passed its pending period"
    REFERRAL_WELCOME = "referral_welcome", "A referred friend's welcome points"
    REFERRAL_REVERSAL = "referral_reversal", "Referral points taken back: the friend's order was refunded"
    ACTION = "action", "Points for an action that is not a purchase (a review, a share, a sign-up)"
    BULK_GRANT = "bulk_grant", "Points staff granted to many members at once"
    ANNIVERSARY = "anniversary", "Gift for a year in the club"
    MEMBERSHIP_GIFT = "membership_gift", "Monthly gift of a paid membership plan"
    CHALLENGE = "challenge", "Reward for completing a challenge"
    FLOW_BONUS = "flow_bonus", "Bonus points offered by a win-back or greeting flow"
    CAMPAIGN_BONUS = "campaign_bonus", "Bonus points a campaign offered for the order it brought"


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a ledger row; corrections are new rows."""


class LedgerEntry(models.Model):
    """One typed movement of points. Rows are facts: never edited, never deleted."""

    # Not indexed alone: loyalty_entry_account_idx leads with it (one index less to write on every row).
    account = models.ForeignKey(
        LoyaltyAccount, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    kind = models.CharField(max_length=32, choices=EntryKind.choices)
    points = models.IntegerField()
    forgiven_points = models.PositiveIntegerField(
        default=0, help_text="Points a clamp-to-zero reversal did not take."
    )
    source_key = models.CharField(max_length=200)
    # Indexed only where set (loyalty_entry_reverses_idx): earns, the rows written most, carry none.
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals", db_index=False
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
    occurred_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the fact happened (order paid, adjustment made): tier windows count by it.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["account", "-id"], name="loyalty_entry_account_idx"),
            # The expiry and reminder jobs walk lots in (expires_at, id) order.
            models.Index(
                fields=["expires_at", "id"],
                condition=Q(expires_at__isnull=False),
                name="loyalty_entry_expiry_idx",
            ),
            models.Index(
                fields=["account", "kind", "occurred_at"],
                include=["id", "points", "money_amount", "reverses", "forgiven_points"],
                name="loyalty_entry_tier_qual_idx",
            ),
            # A lot's reversals and expiry (`reverses_id = <earn>`, the tier count's refunded share): a
            # partial index, so the rows that aim at no lot (every earn) write nothing to it.
            models.Index(
                fields=["reverses"], condition=Q(reverses__isnull=False), name="loyalty_entry_reverses_idx"
            ),
            # An action's caps count one member's awards of one kind in a window, on every recording.
            models.Index(
                F("account"),
                KeyTextTransform("action", "detail"),
                F("occurred_at"),
                condition=Q(kind="action"),
                name="loyalty_entry_action_cap_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_key"], name="loyalty_ledgerentry_source_uniq"),
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
            models.CheckConstraint(
                condition=~Q(kind="redemption") | Q(points__lt=0),
                name="loyalty_ledgerentry_redemption_negative_chk",
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


class ExpiryReminder(models.Model):
    """A queued "your points expire soon" message for one lot; sending belongs to club messaging."""

    lot = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="expiry_reminder")
    account = models.ForeignKey(LoyaltyAccount, on_delete=models.PROTECT, related_name="expiry_reminders")
    points = models.PositiveIntegerField()
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.points} points of lot {self.lot_id} expire {self.expires_at:%Y-%m-%d}"
