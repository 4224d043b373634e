"""A friend brings a friend: the program's referral rules, each member's code, and each referral's story.

A referral is one friend's checkout that arrived with a member's code. Its status only moves forward
(invited → ordered or held → rewarded, or rejected / reversed), each move under the row's lock; the
points it gives are ledger rows keyed by the referral (`referral:<id>`), so a replayed order event or a
second worker can never reward twice; a referrer rewarded in store credit gets a credit row with the same
key and the card move, reversed like cashback. One friend counts once per program: a partial unique constraint
on the friend's canonical email over the statuses that counted an order.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from saleor_loyalty.models.program import LoyaltyAccount, LoyaltyProgram


class FriendBenefit(models.TextChoices):
    NONE = "none", "Nothing for the friend"
    VOUCHER_PERCENT = "voucher_percent", "A single-use Saleor voucher: a percentage off the first order"
    VOUCHER_FIXED = (
        "voucher_fixed",
        "A single-use Saleor voucher: a fixed amount off, in the channel's currency",
    )
    POINTS = "points", "Welcome points, given with the referrer's reward"


class ReferrerReward(models.TextChoices):
    POINTS = "points", "Points on the referrer's balance"
    STORE_CREDIT = "store_credit", "Store credit on the referrer's club gift card"


class ReferralStatus(models.TextChoices):
    INVITED = "invited", "The friend applied the code; no paid order yet"
    ORDERED = "ordered", "The friend's first order is paid; the reward waits for the pending period"
    HELD = "held", "The friend's order waits for staff review"
    REWARDED = "rewarded", "The referrer was rewarded"
    REJECTED = "rejected", "Not counted (the reason says why)"
    REVERSED = "reversed", "The friend's order was refunded or cancelled; what it gave was taken back"


COUNTED_STATUSES = (
    ReferralStatus.ORDERED,
    ReferralStatus.HELD,
    ReferralStatus.REWARDED,
    ReferralStatus.REVERSED,
)


class ReferralSettings(models.Model):
    """The referral rules of one program (staff-editable with MANAGE_SETTINGS)."""

    program = models.OneToOneField(LoyaltyProgram, on_delete=models.CASCADE, related_name="referral_settings")
    enabled = models.BooleanField(default=False)
    referrer_points = models.PositiveIntegerField(default=500)
    referrer_reward = models.CharField(
        max_length=16, choices=ReferrerReward.choices, default=ReferrerReward.POINTS
    )
    referrer_credit = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        help_text="Store credit per counted friend, in the channel's currency (reward `store_credit`).",
    )
    friend_benefit = models.CharField(
        max_length=16, choices=FriendBenefit.choices, default=FriendBenefit.VOUCHER_PERCENT
    )
    friend_value = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("10"),
        help_text="Percent (voucher_percent) or amount in the channel's currency (voucher_fixed).",
    )
    friend_points = models.PositiveIntegerField(default=0, help_text="Welcome points (benefit `points`).")
    pending_days = models.PositiveIntegerField(default=30)
    monthly_cap = models.PositiveIntegerField(
        default=10,
        help_text="Referrals counted per referrer per calendar month (program timezone); 0 = none.",
    )
    min_order_total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    link_template = models.CharField(max_length=500, blank=True, default="")
    hold_all = models.BooleanField(default=False, help_text="Every referral waits for staff review.")
    hold_order_total_over = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    hold_shared_address = models.BooleanField(
        default=False,
        help_text="A shared shipping address or payment card holds the referral for review instead of "
        "rejecting it (households).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(friend_value__gte=0), name="loyalty_referral_settings_value_chk"
            ),
            models.CheckConstraint(
                condition=Q(referrer_credit__gte=0), name="loyalty_referral_settings_credit_chk"
            ),
        ]


class ReferralCode(models.Model):
    """A member's own code; made once, never reused for anyone else."""

    account = models.OneToOneField(LoyaltyAccount, on_delete=models.PROTECT, related_name="referral_code")
    code = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.code


class Referral(models.Model):
    """One friend's checkout that arrived with a member's code, and what became of it."""

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.PROTECT, related_name="referrals")
    referrer = models.ForeignKey(LoyaltyAccount, on_delete=models.PROTECT, related_name="referrals_made")
    code = models.CharField(max_length=16)
    checkout_token = models.UUIDField()
    friend_user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    friend_email = models.CharField(max_length=254, blank=True, default="")
    friend_key = models.CharField(
        max_length=254,
        blank=True,
        default="",
        help_text="A hash of the friend's canonical email (gmail dots, +tags): counts a friend once.",
    )
    friend_name = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.INVITED)
    reason_code = models.CharField(max_length=32, blank=True, default="")
    reason = models.CharField(max_length=500, blank=True, default="")
    signals = models.JSONField(default=dict, blank=True)
    voucher_code = models.CharField(max_length=32, blank=True, default="")
    voucher_spent = models.BooleanField(default=False)
    order_id = models.UUIDField(null=True, blank=True, unique=True)
    order_number = models.CharField(max_length=64, blank=True, default="")
    order_total = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    referrer_points = models.PositiveIntegerField(default=0, help_text="Snapshot when the order counted.")
    referrer_credit = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"), help_text="Snapshot when the order counted."
    )
    friend_points = models.PositiveIntegerField(default=0, help_text="Snapshot when the order counted.")
    ordered_at = models.DateTimeField(null=True, blank=True)
    reward_due_at = models.DateTimeField(null=True, blank=True)
    rewarded_at = models.DateTimeField(null=True, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "checkout_token"], name="loyalty_referral_checkout_uniq"
            ),
            models.UniqueConstraint(
                fields=["program", "friend_key"],
                condition=Q(status__in=[s.value for s in COUNTED_STATUSES]) & ~Q(friend_key=""),
                name="loyalty_referral_friend_once_uniq",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "reward_due_at", "id"], name="loyalty_referral_due_idx"),
            models.Index(fields=["referrer", "-id"], name="loyalty_referral_referrer_idx"),
            models.Index(fields=["program", "voucher_code"], name="loyalty_referral_voucher_idx"),
        ]

    def __str__(self):
        return f"Referral {self.pk} ({self.code}, {self.status})"
