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


class TierBasis(models.TextChoices):
    SPEND = "spend", "Money spent on paid orders, net of refunds"
    POINTS = "points", "Points earned, net of reversals, plus staff adjustments"


class TierWindow(models.TextChoices):
    LIFETIME = "lifetime", "Everything since the member joined"
    CALENDAR_YEAR = "calendar_year", "The current calendar year in the program's timezone"
    ROLLING_12_MONTHS = "rolling_12_months", "The last 12 months up to today in the program's timezone"


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
    expiry_reminder_days = models.PositiveIntegerField(
        default=30, help_text="Queue a reminder this many days before points expire; 0 = off."
    )
    tier_basis = models.CharField(max_length=16, choices=TierBasis.choices, default=TierBasis.SPEND)
    tier_window = models.CharField(max_length=32, choices=TierWindow.choices, default=TierWindow.CALENDAR_YEAR)
    tier_grace_days = models.PositiveIntegerField(
        default=30, help_text="Days a member may stay below the retain threshold before a downgrade."
    )
    cashback_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0"),
        help_text="Store credit per paid order, in % of the accrual base; 0 turns cashback off.",
    )
    redeem_min_points = models.PositiveIntegerField(default=0, help_text="Fewest points one redemption takes.")
    redeem_step_points = models.PositiveIntegerField(default=1, help_text="Redemptions are multiples of this.")
    redeem_max_share_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("100"),
        help_text="Most of a checkout's total (in %) that redeemed points may cover.",
    )
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
            models.CheckConstraint(
                condition=Q(cashback_percent__gte=0, cashback_percent__lte=100),
                name="loyalty_program_cashback_percent_range_chk",
            ),
            models.CheckConstraint(
                condition=Q(redeem_step_points__gte=1), name="loyalty_program_redeem_step_positive_chk"
            ),
            models.CheckConstraint(
                condition=Q(redeem_max_share_percent__gt=0, redeem_max_share_percent__lte=100),
                name="loyalty_program_redeem_share_range_chk",
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
    tier = models.ForeignKey(
        "Tier", null=True, blank=True, on_delete=models.PROTECT, related_name="members",
        help_text="Current tier; null means the program's first tier.",
    )
    tier_since = models.DateTimeField(null=True, blank=True)
    tier_floor = models.ForeignKey(
        "Tier", null=True, blank=True, on_delete=models.PROTECT, related_name="floor_members",
        help_text="Set by staff: the member is never below this tier.",
    )
    tier_floor_reason = models.TextField(blank=True, default="", db_default="")
    tier_downgrade_due_on = models.DateField(
        null=True, blank=True, help_text="Local date the grace period ends while below the retain threshold."
    )
    birthday_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birthday_day = models.PositiveSmallIntegerField(null=True, blank=True)
    birthday_set_at = models.DateTimeField(null=True, blank=True)
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
        indexes = [
            models.Index(fields=["program", "birthday_month", "birthday_day"], name="loyalty_account_birthday_idx"),
        ]

    def __str__(self):
        return f"Loyalty account {self.pk} ({self.email})"


class EntryKind(models.TextChoices):
    EARN = "earn", "Points earned on a paid order"
    EARN_REVERSAL = "earn_reversal", "Earned points reversed by a refund or cancellation"
    ADJUSTMENT = "adjustment", "Manual adjustment by staff or an app"
    MERGE_OUT = "merge_out", "Guest balance moved to the member's account"
    MERGE_IN = "merge_in", "Guest balance received from a guest account"
    EXPIRE = "expire", "What was left of an earned lot when it expired"
    BIRTHDAY = "birthday", "Birthday gift of the member's tier"
    REDEMPTION = "redemption", "Points turned into store credit on a checkout"


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
    occurred_at = models.DateTimeField(
        null=True, blank=True, help_text="When the fact happened (order paid, adjustment made): tier windows count by it."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["account", "-id"], name="loyalty_entry_account_idx"),
            # The expiry and reminder jobs walk lots in (expires_at, id) order.
            models.Index(fields=["expires_at", "id"], condition=Q(expires_at__isnull=False),
                         name="loyalty_entry_expiry_idx"),
            models.Index(
                fields=["account", "kind", "occurred_at"],
                include=["id", "points", "money_amount", "reverses", "forgiven_points"],
                name="loyalty_entry_tier_qual_idx",
            ),
        ]
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


class JobCursor(models.Model):
    """Where a resumable periodic job stopped: the last (moment, id) it finished, saved with its writes."""

    name = models.CharField(max_length=100, unique=True)
    moment = models.DateTimeField(null=True, blank=True)
    last_id = models.BigIntegerField(default=0)
    last_key = models.CharField(max_length=64, blank=True, default="", help_text="For non-integer keys.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.name} at ({self.moment}, {self.last_id})"


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
class Tier(models.Model):
    """One rung of a program's ladder; `position` 0 is the tier every member starts in.

    Thresholds are in the program's basis: money in the channel currency, or points.
    """

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.CASCADE, related_name="tiers")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=64)
    name_he = models.CharField(max_length=64, blank=True, default="")
    entry_threshold = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    retain_threshold = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    earn_multiplier = models.DecimalField(max_digits=6, decimal_places=3, default=Decimal(1))
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(0))
    free_shipping = models.BooleanField(default=False)
    early_access = models.BooleanField(default=False)
    birthday_points = models.PositiveIntegerField(default=0)
    cashback_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True,
        help_text="Store credit per paid order in % of the accrual base; null uses the program's cashbackPercent.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "position"], name="loyalty_tier_program_position_uniq",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.UniqueConstraint(fields=["program", "name"], name="loyalty_tier_program_name_uniq"),
            models.CheckConstraint(
                condition=Q(retain_threshold__lte=models.F("entry_threshold")) & Q(retain_threshold__gte=0),
                name="loyalty_tier_retain_within_entry_chk",
            ),
            models.CheckConstraint(condition=Q(earn_multiplier__gte=0), name="loyalty_tier_multiplier_chk"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="loyalty_tier_discount_percent_chk",
            ),
        ]

    def __str__(self):
        return f"Tier {self.position} {self.name}"


class TierCause(models.TextChoices):
    ORDER_UPGRADE = "order_upgrade", "A paid order crossed the entry threshold"
    ADJUSTMENT_UPGRADE = "adjustment_upgrade", "A staff adjustment crossed the entry threshold"
    EVALUATION_UPGRADE = "evaluation_upgrade", "Nightly evaluation found the entry threshold met"
    EVALUATION_DOWNGRADE = "evaluation_downgrade", "Below the retain threshold after the grace period"
    GRACE_STARTED = "grace_started", "Fell below the retain threshold; grace period started"
    GRACE_CLEARED = "grace_cleared", "Back above the retain threshold"
    FLOOR_SET = "floor_set", "Staff set a manual floor tier"
    FLOOR_CLEARED = "floor_cleared", "Staff removed the manual floor tier"
    TIER_DELETED = "tier_deleted", "Staff deleted the tier and moved its members"


class TierEvent(models.Model):
    """Append-only history of a member's tier: every change says why and who (a trigger refuses edits)."""

    account = models.ForeignKey(LoyaltyAccount, on_delete=models.PROTECT, related_name="tier_events")
    cause = models.CharField(max_length=32, choices=TierCause.choices)
    from_tier_id = models.BigIntegerField(null=True, blank=True, help_text="By value: a tier may be deleted later.")
    to_tier_id = models.BigIntegerField(null=True, blank=True)
    from_tier_name = models.CharField(max_length=64, blank=True, default="")
    to_tier_name = models.CharField(max_length=64, blank=True, default="")
    qualifying_amount = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    order_id = models.UUIDField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_app_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["account", "-id"], name="loyalty_tierevent_account_idx")]

    def __str__(self):
        return f"{self.cause}: {self.from_tier_name} -> {self.to_tier_name}"


class TierEvaluationRun(models.Model):
    """One program's evaluation pass for one local day: a keyset cursor moved in the same transaction
    as each batch it covers, so a crashed or restarted run resumes where its last batch committed."""

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.CASCADE, related_name="tier_evaluation_runs")
    day = models.DateField()
    last_account_id = models.BigIntegerField(default=0)
    evaluated = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "day"], name="loyalty_tier_evaluation_run_day_uniq"),
        ]

    def __str__(self):
        return f"Tier evaluation {self.program_id} {self.day}"


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


class StoreCreditCard(models.Model):
    """A member's personal Saleor gift card for one currency (by id: the card itself lives in Saleor).

    Unique per (user, currency), so two workers crediting the same member at once cannot create two
    cards: the loser's insert fails and its Saleor card is rolled back with it.
    """

    user_id = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    gift_card_id = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "currency"], name="loyalty_storecredit_user_currency_uniq"),
        ]

    def __str__(self):
        return f"Store credit card {self.gift_card_id} of user {self.user_id} ({self.currency})"


class CreditKind(models.TextChoices):
    CASHBACK_EARN = "cashback_earn", "Cashback earned on a paid order, pending until available_at"
    CASHBACK_CREDIT = "cashback_credit", "Pending cashback put on the member's card"
    CASHBACK_REVERSAL = "cashback_reversal", "Cashback taken back by a refund or cancellation"
    REDEMPTION = "redemption", "Points turned into credit on the member's card"
    CARD_RETURN = "card_return", "Card money spent on an order, given back after a cancellation or refund"


class CreditEntry(models.Model):
    """One fact about a member's store credit. Append-only, like `LedgerEntry`.

    A separate ledger (not more points kinds) because credit is money in a currency, not points,
    and because it tracks two things the points ledger has no place for: what is on the Saleor
    card (`card_amount`) and what the member owes after a reversal found the card spent (`debt_amount`).
    `amount` is the change of the member's credit claim; pending cashback is the sum of `amount` of
    earns (and their reversals) that have no credit row yet.
    """

    account = models.ForeignKey(LoyaltyAccount, on_delete=models.PROTECT, related_name="credit_entries")
    kind = models.CharField(max_length=32, choices=CreditKind.choices)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=4)
    card_amount = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal("0"))
    debt_amount = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal("0"))
    points = models.IntegerField(default=0, help_text="Points a redemption converted.")
    source_key = models.CharField(max_length=200)
    earn = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="followups",
        help_text="The cashback earn a credit or reversal belongs to.",
    )
    order_id = models.UUIDField(null=True, blank=True, db_index=True)
    checkout_token = models.UUIDField(null=True, blank=True, db_index=True)
    detail = models.JSONField(default=dict, blank=True)
    available_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["kind", "available_at", "id"], name="loyalty_credit_due_idx"),
            models.Index(fields=["account", "-id"], name="loyalty_credit_account_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_key"], name="loyalty_creditentry_source_uniq"),
            models.UniqueConstraint(
                fields=["earn"], condition=Q(kind="cashback_credit"), name="loyalty_creditentry_one_credit_per_earn",
            ),
            models.CheckConstraint(
                condition=~Q(kind="cashback_earn") | (Q(amount__gt=0) & Q(earn__isnull=True)),
                name="loyalty_creditentry_earn_shape_chk",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["cashback_credit", "cashback_reversal"]) | Q(earn__isnull=False),
                name="loyalty_creditentry_followup_shape_chk",
            ),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Credit rows are never changed; write a correcting row instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Credit rows are never deleted.")

    def __str__(self):
        return f"{self.kind} {self.amount} {self.currency} ({self.source_key})"
from .messaging_models import *  # noqa: E402,F401,F403  (consent, recovery, messages)
