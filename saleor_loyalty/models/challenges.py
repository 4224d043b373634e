"""Challenges and badges: staff-defined goals, what members completed and the badges they hold.

Progress is never stored: it is derived from the ledger's order and action rows and from the order
categories recorded here (`OrderCategories`). What is stored are outcomes, each once by constraint:
a completion per (challenge, member, window), a badge per (badge, member).
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.db.models import Q

from saleor_loyalty.models.program import LoyaltyAccount, LoyaltyProgram


class ChallengeMetric(models.TextChoices):
    PAID_ORDERS = "paid_orders", "Paid orders in the window, not counting fully refunded ones"
    SPEND = "spend", "Money spent in the window, net of refunds"
    NEW_CATEGORY = "new_category", "Orders in categories the member never ordered from before"
    MONTHLY_STREAK = "monthly_streak", "Consecutive calendar months with a paid order"
    ACTIONS = "actions", "Actions of one kind (reviews, shares, ...)"


class ChallengeWindow(models.TextChoices):
    FIXED = "fixed", "Between two local dates, the same for every member"
    ROLLING = "rolling", "Any run of N local days, per member"


class Badge(models.Model):
    """Something a member earns once and keeps: shown on the member's profile."""

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.PROTECT, related_name="badges")
    name = models.CharField(max_length=100)
    name_he = models.CharField(max_length=100, blank=True, default="")
    description = models.CharField(max_length=500, blank=True, default="")
    description_he = models.CharField(max_length=500, blank=True, default="")
    image_url = models.URLField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Badge {self.name}"


class Challenge(models.Model):
    """A goal staff define declaratively: a metric, a target, a window and a reward (points, badge or both).

    Deleting one that has started archives it (`archived_at`): no new progress or rewards, the
    rewards already given stay, and staff still see it.
    """

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.PROTECT, related_name="challenges")
    name = models.CharField(max_length=100)
    name_he = models.CharField(max_length=100, blank=True, default="")
    description = models.CharField(max_length=500, blank=True, default="")
    description_he = models.CharField(max_length=500, blank=True, default="")
    metric = models.CharField(max_length=20, choices=ChallengeMetric.choices)
    target = models.PositiveIntegerField(default=1, help_text="Orders, categories, months or actions.")
    target_amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="Spend target (spend metric)."
    )
    action_kind = models.CharField(max_length=64, blank=True, default="", help_text="Actions metric.")
    window = models.CharField(max_length=10, choices=ChallengeWindow.choices, default=ChallengeWindow.FIXED)
    starts_on = models.DateField(help_text="First local day that counts.")
    ends_on = models.DateField(null=True, blank=True, help_text="Last local day that counts (fixed).")
    window_days = models.PositiveIntegerField(null=True, blank=True, help_text="Rolling window length.")
    reward_points = models.PositiveIntegerField(default=0)
    badge = models.ForeignKey(
        Badge, null=True, blank=True, on_delete=models.PROTECT, related_name="challenges"
    )
    is_active = models.BooleanField(default=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(reward_points__gt=0) | Q(badge__isnull=False), name="loyalty_challenge_reward_chk"
            ),
            models.CheckConstraint(
                condition=~Q(window="rolling") | Q(window_days__gte=1), name="loyalty_challenge_rolling_chk"
            ),
        ]

    def __str__(self):
        return f"Challenge {self.name}"


class ChallengeCompletion(models.Model):
    """A member completed a challenge's window: written once, in the transaction that gave the reward."""

    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="completions")
    account = models.ForeignKey(
        LoyaltyAccount, on_delete=models.PROTECT, related_name="challenge_completions"
    )
    window_key = models.CharField(max_length=64)
    points = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "account", "window_key"], name="loyalty_challenge_completion_uniq"
            )
        ]

    def __str__(self):
        return f"{self.challenge_id} completed by {self.account_id} ({self.window_key})"


class BadgeAward(models.Model):
    """A badge a member holds; earned once, kept (the club-news job walks these rows by id)."""

    badge = models.ForeignKey(Badge, on_delete=models.PROTECT, related_name="awards")
    account = models.ForeignKey(LoyaltyAccount, on_delete=models.PROTECT, related_name="badge_awards")
    challenge = models.ForeignKey(
        Challenge, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    earned_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["badge", "account"], name="loyalty_badge_award_uniq")]

    def __str__(self):
        return f"Badge {self.badge_id} of {self.account_id}"


class OrderCategories(models.Model):
    """The Saleor category ids of a paid order's lines, recorded at accrual time (the ledger does not
    keep them); whether the order still counts comes from the order's earn row.

    `account` is the earn's account (a guest's stays the guest's after a merge, as the earn does), copied
    so a batch of members reads its categories as one index range instead of one lookup per order. It is
    null while the order has no earn (categories recorded first): readers fall back to the order id then.
    """

    order_id = models.UUIDField(unique=True)
    account = models.ForeignKey(
        LoyaltyAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    category_ids = ArrayField(models.BigIntegerField(), default=list)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [  # the beat job's incremental pass asks which orders got categories since its watermark
            BrinIndex(fields=["recorded_at"], name="loyalty_order_categories_brin"),
            # a batch's categories by account range, from the index alone (covering)
            models.Index(
                fields=["account"],
                include=["order_id", "category_ids"],
                condition=Q(account__isnull=False),
                name="loyalty_order_categories_acct",
            ),
        ]

    def __str__(self):
        return f"Categories of order {self.order_id}"


class ChallengePass(models.Model):
    """Where the challenges beat job stands in a program (one row, locked by the worker running a batch).

    A pass walks members by id from `last_account_id`. A full pass (`since` null) visits every member;
    an incremental one only members with facts recorded at or after `since` (ledger rows, order
    categories, a guest merged in). `since` is the start of the last finished pass less a safety margin,
    so facts committed while that pass ran are looked at again, never missed.
    """

    program = models.OneToOneField(LoyaltyProgram, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True, help_text="Start of the pass under way.")
    since = models.DateTimeField(null=True, blank=True, help_text="Facts since this; null: every member.")
    last_account_id = models.BigIntegerField(default=0)
    finished_from = models.DateTimeField(null=True, blank=True, help_text="Start of the last finished pass.")
    full_from = models.DateTimeField(null=True, blank=True, help_text="Start of the last finished full pass.")

    def __str__(self):
        return f"Challenge pass of program {self.program_id} at {self.last_account_id}"
