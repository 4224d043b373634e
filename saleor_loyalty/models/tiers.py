"""Tier ladders, members' tier history and the nightly evaluation's progress."""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from saleor_loyalty.models.program import LoyaltyAccount, LoyaltyProgram


class Tier(models.Model):
    """One rung of a program's ladder; `position` 0 is the tier every member starts in.

    Thresholds are in the program's basis: money in the channel currency, or points.
    """

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.CASCADE, related_name="tiers")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=64)
    entry_threshold = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    retain_threshold = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    earn_multiplier = models.DecimalField(max_digits=6, decimal_places=3, default=Decimal(1))
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(0))
    free_shipping = models.BooleanField(default=False)
    early_access = models.BooleanField(default=False)
    birthday_points = models.PositiveIntegerField(default=0)
    birthday_credit = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        default=Decimal(0),
        help_text="Store credit in the program's currency put on the member's card on their birthday; 0 = none.",
    )
    cashback_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Store credit per paid order in % of the accrual base; null uses the program's cashbackPercent.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "position"],
                name="loyalty_tier_program_position_uniq",
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
            models.CheckConstraint(
                condition=Q(birthday_credit__gte=0), name="loyalty_tier_birthday_credit_chk"
            ),
        ]

    def __str__(self):
        return f"Tier {self.position} {self.name}"


class TierCause(models.TextChoices):
    ORDER_UPGRADE = "order_upgrade", "A paid order crossed the entry threshold"
    ADJUSTMENT_UPGRADE = "adjustment_upgrade", "A staff adjustment crossed the entry threshold"
    ACTION_UPGRADE = "action_upgrade", "Points for an action crossed the entry threshold"
    EVALUATION_UPGRADE = "evaluation_upgrade", "Nightly evaluation found the entry threshold met"
    EVALUATION_DOWNGRADE = "evaluation_downgrade", "Below the retain threshold after the grace period"
    GRACE_STARTED = "grace_started", "Fell below the retain threshold; grace period started"
    GRACE_CLEARED = "grace_cleared", "Back above the retain threshold"
    FLOOR_SET = "floor_set", "Staff set a manual floor tier"
    FLOOR_CLEARED = "floor_cleared", "Staff removed the manual floor tier"
    TIER_DELETED = "tier_deleted", "Staff deleted the tier and moved its members"
    MEMBERSHIP_STARTED = "membership_started", "A paid membership raised the member to its tier"
    MEMBERSHIP_ENDED = (
        "membership_ended",
        "A paid membership ended; the member fell back to the tier they earned",
    )


class TierTranslationQuerySet(models.QuerySet):
    def name_for(self, tier_id: int | None, default: str, language_code: str) -> str:
        """A tier's name in a message's language (`he-il` falls back to `he`), else its default name."""
        if tier_id is None or not language_code:
            return default
        code = language_code.lower().replace("_", "-")
        base = code.split("-")[0]
        names = dict(
            self.filter(tier_id=tier_id, language_code__in={code, base}).values_list("language_code", "name")
        )
        return names.get(code) or names.get(base) or default


class TierTranslation(models.Model):
    """A tier's name in one language, the way Saleor keeps translations (one row per object and language).

    `language_code` is Django's form (`he`, `en-us`); the default-language name stays on the tier.
    """

    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="translations")
    language_code = models.CharField(max_length=35)
    name = models.CharField(max_length=64)

    objects = TierTranslationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tier", "language_code"], name="loyalty_tiertranslation_language_uniq"
            )
        ]


class TierEvent(models.Model):
    """Append-only history of a member's tier: every change says why and who (a trigger refuses edits)."""

    account = models.ForeignKey(LoyaltyAccount, on_delete=models.PROTECT, related_name="tier_events")
    cause = models.CharField(max_length=32, choices=TierCause.choices)
    from_tier_id = models.BigIntegerField(
        null=True, blank=True, help_text="By value: a tier may be deleted later."
    )
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
