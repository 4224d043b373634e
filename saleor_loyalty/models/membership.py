"""Paid membership: a Saleor product variant sold as a term of the club, and the terms members bought.

Invariants kept by the database:
- one plan per (program, variant): a variant is one plan or none;
- one term row per Saleor order line (`loyalty_membershipterm_line_uniq`), so an order event replayed,
  late or handled by two workers at once never starts a second term; a line of quantity 2 is one row
  of two units (two consecutive terms);
- one membership per account: each plan's terms form that plan's chain (plans run side by side),
  recomputed under the membership row's lock.
Saleor's variant, order and order line are referenced by value, never by foreign key.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from saleor_loyalty.models.program import LoyaltyAccount, LoyaltyProgram


class MembershipTerm(models.TextChoices):
    MONTHLY = "monthly", "One month, to the same day of the next month"
    YEARLY = "yearly", "One year, to the same day of the next year"


TERM_MONTHS = {MembershipTerm.MONTHLY: 1, MembershipTerm.YEARLY: 12}


class MembershipPlan(models.Model):
    """A Saleor variant staff marked as a paid membership of a program, and what a term of it grants."""

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.CASCADE, related_name="membership_plans")
    variant_id = models.BigIntegerField(help_text="Saleor's numeric product variant id.")
    name = models.CharField(max_length=64)
    term = models.CharField(max_length=16, choices=MembershipTerm.choices)
    tier = models.ForeignKey(
        "Tier",
        on_delete=models.PROTECT,
        related_name="membership_plans",
        help_text="While a term runs the member is at least in this tier.",
    )
    monthly_gift_points = models.PositiveIntegerField(default=0)
    monthly_gift_credit = models.DecimalField(
        max_digits=14, decimal_places=4, default=Decimal(0), help_text="Store credit each month; 0 = none."
    )
    reminder_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days before the membership ends to tell the member; 0 = no reminder."
    )
    is_active = models.BooleanField(
        default=True, help_text="Offered publicly; a paid order of an inactive plan still counts."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "variant_id"], name="loyalty_membershipplan_variant_uniq"
            ),
            models.CheckConstraint(
                condition=Q(monthly_gift_credit__gte=0), name="loyalty_membershipplan_gift_credit_chk"
            ),
            models.CheckConstraint(
                condition=Q(term__in=MembershipTerm.values), name="loyalty_membershipplan_term_chk"
            ),
        ]

    def __str__(self):
        return f"Membership plan {self.name} ({self.term}) of program {self.program_id}"


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", "A paid term is running"
    ENDED = "ended", "The last term ran out, or was refunded"


class Membership(models.Model):
    """A member's paid membership in one program: a cache of its terms' chains, kept under this row's lock.

    `plan` is the plan in force (the best running) and `plan_ends_at` where its chain ends; `ends_at` is
    where the last chain of live terms ends; the expiry job walks `plan_ends_at`, switching to the next
    best plan or, at `ends_at`, ending; `status` turns `ended` when the job (or a refund) finds it passed; `reminded_for` and `ended_notice_for` hold the `ends_at` each notice was
    sent for, so an extension earns a new reminder and a replay never sends one twice.
    """

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.PROTECT, related_name="memberships")
    account = models.OneToOneField(LoyaltyAccount, on_delete=models.PROTECT, related_name="membership")
    plan = models.ForeignKey(
        MembershipPlan,
        on_delete=models.PROTECT,
        related_name="memberships",
        help_text="The plan in force: the best running (highest tier, then longest remaining).",
    )
    status = models.CharField(
        max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    started_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    plan_ends_at = models.DateTimeField(help_text="Where the plan in force's chain ends (at most `ends_at`).")
    tier_before_id = models.BigIntegerField(
        null=True, blank=True, help_text="The tier held when the membership started (by value)."
    )
    reminded_for = models.DateTimeField(null=True, blank=True)
    ended_notice_for = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The reminder job walks running memberships by end.
            models.Index(
                fields=["ends_at", "id"],
                condition=Q(status="active"),
                name="loyalty_membership_due_idx",
            ),
            # The expiry job walks them by the end of the plan in force (a switch, or the end).
            models.Index(
                fields=["plan_ends_at", "id"],
                condition=Q(status="active"),
                name="loyalty_membership_plan_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("started_at")), name="loyalty_membership_window_chk"
            ),
            models.CheckConstraint(
                condition=Q(plan_ends_at__lte=models.F("ends_at")), name="loyalty_membership_plan_end_chk"
            ),
        ]

    def __str__(self):
        return f"Membership of account {self.account_id} ({self.status}, ends {self.ends_at:%Y-%m-%d})"


class MembershipTermRow(models.Model):
    """One paid order line of a plan: `quantity` consecutive terms, of which `refunded_quantity` were
    refunded or cancelled (first noticed at `refunded_at`). `starts_at`/`ends_at` are its place in the
    chain, recomputed whenever a term before it changes; the facts that decide them never change."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="terms")
    plan = models.ForeignKey(MembershipPlan, on_delete=models.PROTECT, related_name="terms")
    order_id = models.UUIDField(db_index=True)
    order_number = models.CharField(max_length=64, blank=True, default="")
    order_line_id = models.CharField(max_length=64)
    quantity = models.PositiveSmallIntegerField()
    refunded_quantity = models.PositiveSmallIntegerField(default=0)
    refunded_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "saleor_loyalty_membershipterm"
        ordering = ["paid_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order_line_id"], name="loyalty_membershipterm_line_uniq"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(refunded_quantity__lte=models.F("quantity")),
                name="loyalty_membershipterm_quantity_chk",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="loyalty_membershipterm_window_chk"
            ),
        ]

    def __str__(self):
        return f"Membership term of line {self.order_line_id} ({self.quantity - self.refunded_quantity} live)"
