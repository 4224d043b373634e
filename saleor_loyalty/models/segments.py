"""Segments (RFM and named), saved segment filters, the line facts they read, and win-back-style flows.

Invariants:
- a member is in a named segment at most once (`loyalty_segment_member_uniq`); every entry and exit is an
  append-only `SegmentEvent`, so "entered at risk" is a fact a flow can start from, once;
- a flow run is started once per (flow, account, trigger) (`loyalty_flowrun_trigger_uniq`): a replayed
  order event or a second worker never starts a sequence twice; its messages are claimed by
  `MessageLog.claim_key` and its bonus points are one ledger row keyed by the run's step;
- the holdout group is a pure function of (flow, account, trigger), so it is the same on every worker
  and every re-run.

The three tables the nightly run writes a row per member into (`MemberOrderStats`, `SegmentMembership`,
`SegmentEvent`) keep no foreign-key constraints in the database (`db_constraint=False`): their rows are
written only by statements that take the account ids from the accounts table, accounts are never deleted
(their ledger rows protect them; a deleted customer's account is anonymised) and programs neither, while
the checks were a fifth of a first night's work at a million members (two per row, run at commit).
Django still cascades deletes to them.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from saleor_loyalty.models.program import LoyaltyAccount, LoyaltyProgram


class NamedSegment(models.TextChoices):
    NEW = "new", "New: first order recently"
    ONE_TIME = "one_time", "One-time buyer"
    REPEAT = "repeat", "Repeat buyer"
    LOYAL = "loyal", "Loyal / VIP"
    AT_RISK = "at_risk", "At risk: overdue against their own rhythm"
    LAPSED = "lapsed", "Lapsed: long overdue against their own rhythm"


class SegmentSettings(models.Model):
    """Per program, staff-editable: where the named segments' borders lie."""

    program = models.OneToOneField(LoyaltyProgram, on_delete=models.CASCADE, related_name="segment_settings")
    new_days = models.PositiveIntegerField(
        default=30, help_text="A first order this recent makes a member new."
    )
    default_interval_days = models.PositiveIntegerField(
        default=60, help_text="The usual interval of a member with one order (no rhythm of their own yet)."
    )
    min_interval_days = models.PositiveIntegerField(
        default=7, help_text="A member's usual interval is never taken as shorter than this."
    )
    at_risk_factor = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("1.5"))
    lapsed_factor = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("3"))
    loyal_min_orders = models.PositiveIntegerField(
        default=4, help_text="Orders that make a member loyal (or 2+ orders in the top monetary quintile)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(at_risk_factor__gt=1, lapsed_factor__gt=models.F("at_risk_factor")),
                name="loyalty_segmentsettings_factors_chk",
            ),
        ]


class MemberOrderStats(models.Model):
    """What segments read about a member's orders, derived from the ledger (and rebuilt from it nightly).

    Its pages are filled to half (fillfactor 50, set by migration 0320): the scoring pass then updates
    every row in place (HOT) instead of writing new index entries."""

    account = models.OneToOneField(
        LoyaltyAccount,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="order_stats",
        db_constraint=False,
    )
    # no program index: the nightly batches read account ranges (the primary key), the borders read the
    # whole program, every other reader comes by account; one index fewer to write for every member
    program = models.ForeignKey(
        LoyaltyProgram, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    email_hash = models.CharField(max_length=64, blank=True, default="")
    orders = models.PositiveIntegerField(default=0)
    first_order_at = models.DateTimeField(null=True, blank=True)
    last_order_at = models.DateTimeField(null=True, blank=True)
    monetary = models.DecimalField(max_digits=16, decimal_places=4, default=Decimal(0))
    interval_days = models.DecimalField(
        max_digits=9, decimal_places=2, null=True, blank=True, help_text="Median days between orders."
    )
    basket_trend = models.DecimalField(
        max_digits=9,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Average of the last three orders over the three before them (4+ orders).",
    )
    r_score = models.PositiveSmallIntegerField(null=True, blank=True)
    f_score = models.PositiveSmallIntegerField(null=True, blank=True)
    m_score = models.PositiveSmallIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField()


class SegmentMembership(models.Model):
    # the unique (account, segment) and the (program, segment, account) indexes lead with these: no own ones
    account = models.ForeignKey(
        LoyaltyAccount, on_delete=models.CASCADE, related_name="segments", db_index=False, db_constraint=False
    )
    program = models.ForeignKey(
        LoyaltyProgram, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    segment = models.CharField(max_length=16, choices=NamedSegment.choices)
    since = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "segment"], name="loyalty_segment_member_uniq"),
        ]
        indexes = [models.Index(fields=["program", "segment", "account"], name="loyalty_segment_program_idx")]


class SegmentEvent(models.Model):
    """A member entered or left a named segment: append-only history."""

    account = models.ForeignKey(  # the (account, -id) index leads with it
        LoyaltyAccount,
        on_delete=models.CASCADE,
        related_name="segment_events",
        db_index=False,
        db_constraint=False,
    )
    # history is read per account (flows, tests), never per program: no index of its own to write
    program = models.ForeignKey(
        LoyaltyProgram, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    segment = models.CharField(max_length=16, choices=NamedSegment.choices)
    entered = models.BooleanField()
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["account", "-id"], name="loyalty_segevent_account_idx")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Segment events are history: record a new one instead.")
        super().save(*args, **kwargs)


class SegmentSnapshot(models.Model):
    """Segment sizes of one program on one local day."""

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    segment = models.CharField(max_length=16, choices=NamedSegment.choices)
    size = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "day", "segment"], name="loyalty_segmentsnapshot_uniq")
        ]


class SegmentRun(models.Model):
    """One night's computation of a program: its quintile borders and where the batches stand."""

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    borders = models.JSONField(default=dict)
    last_account_id = models.BigIntegerField(default=0)
    batches = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "day"], name="loyalty_segmentrun_day_uniq")]


class OrderLineFact(models.Model):
    """What a member bought, recorded at accrual through the adapter (saved segments filter on it)."""

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(LoyaltyAccount, on_delete=models.CASCADE, related_name="+")
    order_id = models.UUIDField()
    line_id = models.CharField(max_length=64)
    product_id = models.BigIntegerField(null=True, blank=True)
    category_id = models.BigIntegerField(null=True, blank=True)
    collection_ids = models.JSONField(default=list, blank=True)
    ordered_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order_id", "line_id"], name="loyalty_linefact_uniq")]
        indexes = [
            models.Index(fields=["program", "product_id"], name="loyalty_linefact_product_idx"),
            models.Index(fields=["program", "category_id"], name="loyalty_linefact_category_idx"),
            models.Index(fields=["account"], name="loyalty_linefact_account_idx"),
        ]


class SavedSegment(models.Model):
    """A staff-defined filter over the program's members (validated by `insights.segment_filters`)."""

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.CASCADE, related_name="saved_segments")
    name = models.CharField(max_length=100)
    filters = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="loyalty_savedsegment_name_uniq")
        ]


class FlowKind(models.TextChoices):
    WINBACK_AT_RISK = "winback_at_risk", "Win-back on entering at risk"
    WINBACK_LAPSED = "winback_lapsed", "Win-back on entering lapsed"
    BIRTHDAY = "birthday", "Birthday greeting with the tier's gift"
    ANNIVERSARY = "anniversary", "Membership anniversary greeting"


class IncentiveKind(models.TextChoices):
    NONE = "none", "No incentive"
    POINTS = "points", "Bonus points (a ledger row)"
    VOUCHER = "voucher", "A single-use Saleor voucher"


class Flow(models.Model):
    """A program's flow of one kind: steps (delay, per-language content), incentive, holdout, attribution."""

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.CASCADE, related_name="flows")
    kind = models.CharField(max_length=24, choices=FlowKind.choices)
    enabled = models.BooleanField(default=False)
    steps = models.JSONField(
        default=list,
        help_text='[{"after_days": 0, "content": {"he": {"subject": "...", "body": "..."}, "en": {...}}}]',
    )
    incentive = models.CharField(max_length=8, choices=IncentiveKind.choices, default=IncentiveKind.NONE)
    incentive_points = models.PositiveIntegerField(default=0)
    voucher_percent = models.PositiveSmallIntegerField(default=0)
    voucher_days = models.PositiveSmallIntegerField(default=14)
    holdout_percent = models.PositiveSmallIntegerField(default=10)
    attribution_days = models.PositiveSmallIntegerField(default=7)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "kind"], name="loyalty_flow_kind_uniq"),
            models.CheckConstraint(condition=Q(holdout_percent__lte=50), name="loyalty_flow_holdout_chk"),
            models.CheckConstraint(condition=Q(voucher_percent__lte=50), name="loyalty_flow_voucher_chk"),
        ]


class FlowRunState(models.TextChoices):
    ACTIVE = "active", "Steps planned"
    HOLDOUT = "holdout", "Held out: no messages, for measuring lift"
    FINISHED = "finished", "All steps done"
    STOPPED = "stopped", "Stopped (ordered, consent, left the segment, club off)"


class FlowRun(models.Model):
    """One member's pass through a flow, started by one trigger (a segment entry, a birthday year)."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="runs")
    account = models.ForeignKey(LoyaltyAccount, on_delete=models.CASCADE, related_name="flow_runs")
    trigger_key = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=FlowRunState.choices, default=FlowRunState.ACTIVE)
    state_reason = models.CharField(max_length=64, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    language_code = models.CharField(max_length=16, blank=True, default="")
    next_step = models.PositiveSmallIntegerField(default=0)
    next_action_at = models.DateTimeField(null=True, blank=True)
    messages_sent = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    converted_order_id = models.UUIDField(null=True, blank=True)
    converted_revenue = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["flow", "account", "trigger_key"], name="loyalty_flowrun_trigger_uniq"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_action_at"], condition=Q(state="active"), name="loyalty_flowrun_due_idx"
            ),
            models.Index(fields=["account", "-started_at"], name="loyalty_flowrun_account_idx"),
        ]
