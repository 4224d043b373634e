"""Programs and members: one program per Saleor channel, one account per member and program."""

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
    ORDERS = "orders", "Paid orders, not counting fully refunded or cancelled ones"


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
    live_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When staff last switched the program back on; orders paid before it that were not "
        "recorded yet never earn (see gives_value).",
    )
    earn_rate = models.DecimalField(
        max_digits=9,
        decimal_places=4,
        default=Decimal("1"),
        help_text="Points per one unit of currency in the accrual base.",
    )
    point_value = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        default=Decimal("0.05"),
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
    tier_window = models.CharField(
        max_length=32, choices=TierWindow.choices, default=TierWindow.CALENDAR_YEAR
    )
    tier_grace_days = models.PositiveIntegerField(
        default=30, help_text="Days a member may stay below the retain threshold before a downgrade."
    )
    action_points_count_toward_tiers = models.BooleanField(
        default=False,
        help_text="Points for actions that are not purchases count towards tiers measured in points.",
    )
    cashback_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        help_text="Store credit per paid order, in % of the accrual base; 0 turns cashback off.",
    )
    redeem_min_points = models.PositiveIntegerField(
        default=0, help_text="Fewest points one redemption takes."
    )
    redeem_step_points = models.PositiveIntegerField(
        default=1, help_text="Redemptions are multiples of this."
    )
    redeem_max_share_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("100"),
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

    def gives_value(self, at=None) -> bool:
        """The program switch, the one rule every path that gives or spends value asks.

        Off (`is_active` false): no earn, no cashback recorded or credited, no tier benefit at checkout,
        no redemption, no birthday gift, no cart reminder or club news. Balances stay readable; staff
        adjustments, tier overrides, reversals and expiry go on (docs/program-guide.md says why).
        `at` is when the fact happened (an order's payment): a fact from before the program was last
        switched back on (`live_since`) gives nothing either, so an order paid while the program was off
        never earns, even when Saleor re-sends it (or the order sweep finds it) after reactivation.
        """
        if not self.is_active:
            return False
        return at is None or self.live_since is None or at >= self.live_since

    @classmethod
    def channel_gives_value(cls, channel_slug: str) -> bool:
        """`gives_value` for a channel by slug; a channel with no program yet has nothing switched off."""
        program = cls.objects.filter(channel_slug=channel_slug).only("is_active", "live_since").first()
        return program is None or program.gives_value()

    @classmethod
    def paused_channels(cls) -> set[str]:
        """Slugs of the channels whose program is switched off (for jobs that walk many channels)."""
        return set(cls.objects.filter(is_active=False).values_list("channel_slug", flat=True))


class LoyaltyAccount(models.Model):
    """A member's wallet of points in one program.

    A guest account (user is null) holds points for an email until a customer with that email
    signs up; it is then linked to the user, or merged into the user's account when one already
    exists (`merged_into`).
    """

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.PROTECT, related_name="accounts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="loyalty_accounts",
    )
    email = models.EmailField(db_index=True)
    balance = models.IntegerField(default=0)
    lifetime_earned = models.IntegerField(default=0)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_accounts"
    )
    tier = models.ForeignKey(
        "Tier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text="Current tier; null means the program's first tier.",
    )
    tier_since = models.DateTimeField(null=True, blank=True)
    tier_floor = models.ForeignKey(
        "Tier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="floor_members",
        help_text="Set by staff: the member is never below this tier.",
    )
    tier_floor_reason = models.TextField(blank=True, default="", db_default="")
    tier_downgrade_due_on = models.DateField(
        null=True, blank=True, help_text="Local date the grace period ends while below the retain threshold."
    )
    birthday_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birthday_day = models.PositiveSmallIntegerField(null=True, blank=True)
    birthday_set_at = models.DateTimeField(null=True, blank=True)
    merged_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "user"],
                condition=Q(user__isnull=False),
                name="loyalty_account_program_user_uniq",
            ),
            models.UniqueConstraint(
                fields=["program", "email"],
                condition=Q(user__isnull=True, merged_into__isnull=True),
                name="loyalty_account_program_guest_email_uniq",
            ),
        ]
        indexes = [
            models.Index(
                fields=["program", "birthday_month", "birthday_day"], name="loyalty_account_birthday_idx"
            ),
            # The challenges beat job looks for guests merged since its watermark (merges are rare). Its own
            # column, never `updated_at`: every balance move sets that, and an indexed column that changes
            # makes each move a non-HOT update writing a new entry into every index of the table.
            models.Index(
                fields=["merged_at"],
                condition=Q(merged_into__isnull=False),
                name="loyalty_account_merged_at_idx",
            ),
        ]

    def __str__(self):
        return f"Loyalty account {self.pk} ({self.email})"
