"""Campaigns (A/B variants, holdout, tracking, conversions) and NPS surveys.

Invariants:
- a member is enrolled in a campaign once (`loyalty_campaign_recipient_uniq`), with a group drawn from
  the campaign's seed and the account id, so a resumed or re-run enrolment gives the same split;
- a recipient's message is claimed once: the `MessageLog` row's claim key `campaign:<id>:<account>` is
  unique, and the lease machinery of `messages/` retries it until the provider accepted it;
- tracking events and conversions are append-only facts; an order converts at most once
  (`order_id` unique), so a replayed order event never counts twice;
- a variant's content is frozen once the campaign is scheduled: a click link names a link of the
  content the recipient was sent, never a URL of its own;
- a provider's complaint or bounce about a message counts once (`loyalty_feedback_notice_uniq` on the
  message and the kind), however often the provider posts it;
- one NPS survey per order (`order_id` unique); a score is 0-10 (check constraint).
"""

from django.db import models
from django.db.models import Q

from saleor_loyalty.models.messaging import Medium, MessageLog
from saleor_loyalty.models.program import LoyaltyAccount


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft: editable, not sent"
    SCHEDULED = "scheduled", "Scheduled: content frozen, sending starts at scheduled_at"
    SENDING = "sending", "Sending"
    SENT = "sent", "Every recipient was handled"
    CANCELLED = "cancelled", "Cancelled: nothing more is sent"


class AudienceKind(models.TextChoices):
    ALL = "all", "All members of the channel"
    TIERS = "tiers", "Members of the chosen tiers"
    SEGMENT = "segment", "Members of a segment"


class WinnerMetric(models.TextChoices):
    CONVERSION = "conversion", "Conversions per message sent"
    CLICK = "click", "Clicks per message sent"
    OPEN = "open", "Opens per message sent"


class Campaign(models.Model):
    """A message to an audience of one channel, in variants, with a holdout that gets nothing."""

    channel_slug = models.SlugField(max_length=255)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    audience_kind = models.CharField(max_length=16, choices=AudienceKind.choices, default=AudienceKind.ALL)
    audience_tier_ids = models.JSONField(default=list, blank=True)
    audience_segment_id = models.BigIntegerField(
        null=True, blank=True, help_text="A saved segment, for a SEGMENT audience (or a named segment)."
    )
    audience_named_segment = models.CharField(
        max_length=16, blank=True, default="", help_text="A named segment, for a SEGMENT audience."
    )
    medium = models.CharField(
        max_length=8,
        choices=Medium.choices,
        default=Medium.EMAIL,
        help_text="Email or SMS, for every variant.",
    )
    default_language = models.CharField(max_length=8, default="he")
    seed = models.CharField(max_length=32, help_text="Random per campaign: group = hash(seed, account).")
    holdout_percent = models.PositiveSmallIntegerField(default=0)
    attribution_days = models.PositiveSmallIntegerField(default=5)
    send_rate_per_minute = models.PositiveIntegerField(default=600)
    winner_metric = models.CharField(
        max_length=16, choices=WinnerMetric.choices, default=WinnerMetric.CONVERSION
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    enrol_cursor = models.BigIntegerField(default=0, help_text="Last account id the enrolment walked.")
    enrolled_at = models.DateTimeField(null=True, blank=True, help_text="When enrolment finished.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["status", "scheduled_at"], name="loyalty_campaign_due_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(holdout_percent__lte=50), name="loyalty_campaign_holdout_chk"),
            models.CheckConstraint(
                condition=Q(attribution_days__gte=1, attribution_days__lte=90),
                name="loyalty_campaign_attribution_chk",
            ),
            models.CheckConstraint(
                condition=Q(send_rate_per_minute__gte=1), name="loyalty_campaign_rate_chk"
            ),
        ]


class CampaignVariant(models.Model):
    """One version of the message: its content per language and its incentive (bonus points)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="variants")
    key = models.CharField(max_length=8, help_text="A, B, C…")
    weight = models.PositiveSmallIntegerField(default=1, help_text="Share of the non-holdout members.")
    content = models.JSONField(
        default=dict, help_text='{"he": {"subject": …, "body": …}, "en": {…}} (SMS: body only)'
    )
    incentive_points = models.PositiveIntegerField(
        default=0, help_text="Bonus points for an order the message brings (0 = no incentive)."
    )

    class Meta:
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="loyalty_campaign_variant_uniq"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="loyalty_campaign_variant_weight_chk"),
        ]


class RecipientStatus(models.TextChoices):
    PENDING = "pending", "Enrolled, not handled yet"
    CLAIMED = "claimed", "Its message was claimed (see the message log for delivery)"
    HOLDOUT = "holdout", "Held out: gets nothing, measured for lift"
    SKIPPED = "skipped", "Not sent (left the audience, no consent, unsubscribed, cancelled)"


class CampaignRecipient(models.Model):
    """A member enrolled in a campaign: the group drawn for them and what became of their message."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    account = models.ForeignKey(LoyaltyAccount, on_delete=models.PROTECT, related_name="+")
    variant = models.ForeignKey(
        CampaignVariant, null=True, blank=True, on_delete=models.PROTECT, related_name="recipients"
    )
    status = models.CharField(max_length=16, choices=RecipientStatus.choices)
    reason = models.CharField(max_length=255, blank=True, default="")
    not_before = models.DateTimeField(null=True, blank=True, help_text="Held by a cap until then.")
    message = models.OneToOneField(
        MessageLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="campaign_recipient"
    )
    enrolled_at = models.DateTimeField()
    ordered_order_id = models.UUIDField(null=True, blank=True, help_text="First order within the window.")
    ordered_at = models.DateTimeField(null=True, blank=True)
    order_total = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "account"], name="loyalty_campaign_recipient_uniq"),
        ]
        indexes = [
            models.Index(
                fields=["campaign", "id"], condition=Q(status="pending"), name="loyalty_campaign_pending_idx"
            ),
            models.Index(fields=["account"], name="loyalty_campaign_account_idx"),
        ]


class TrackingKind(models.TextChoices):
    OPEN = "open", "Opened (pixel loaded)"
    CLICK = "click", "Clicked a tracked link"
    COMPLAINT = "complaint", "Marked as spam (feedback loop)"
    BOUNCE = "bounce", "Hard bounce: the address does not exist"
    SOFT_BOUNCE = "soft_bounce", "Soft bounce: a full mailbox or a passing failure"


class TrackingEvent(models.Model):
    """One open, click, complaint or bounce, written by one INSERT (ids by value: tracking must stay cheap)."""

    message_id = models.BigIntegerField()
    campaign_id = models.BigIntegerField()
    variant_id = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=16, choices=TrackingKind.choices)
    link_index = models.PositiveSmallIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["message_id", "kind", "-occurred_at"], name="loyalty_tracking_message_idx"),
            models.Index(fields=["campaign_id", "kind"], name="loyalty_tracking_campaign_idx"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Tracking events are facts: record a new one.")
        super().save(*args, **kwargs)


class FeedbackNotice(models.Model):
    """A provider's word about one of our messages (complaint, bounce, unsubscribe), recorded once."""

    message = models.ForeignKey(MessageLog, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    source = models.CharField(max_length=16, help_text="ses or webhook.")
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "kind"], name="loyalty_feedback_notice_uniq"),
        ]


class CampaignConversion(models.Model):
    """An order attributed to the last campaign message its buyer clicked within the window."""

    order_id = models.UUIDField(unique=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="conversions")
    recipient = models.ForeignKey(CampaignRecipient, on_delete=models.CASCADE, related_name="conversions")
    variant = models.ForeignKey(CampaignVariant, null=True, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=14, decimal_places=4)
    currency = models.CharField(max_length=3)
    clicked_at = models.DateTimeField()
    ordered_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)


class NpsSettings(models.Model):
    """Per channel: whether an NPS survey follows an order, and how many days after it."""

    channel_slug = models.SlugField(max_length=255, unique=True)
    enabled = models.BooleanField(default=False)
    days_after_order = models.PositiveSmallIntegerField(default=7)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(days_after_order__gte=0, days_after_order__lte=90), name="loyalty_nps_days_chk"
            ),
        ]


class NpsStatus(models.TextChoices):
    PENDING = "pending", "Waiting for its day"
    CLAIMED = "claimed", "Its message was claimed (see the message log)"
    SKIPPED = "skipped", "Not sent"
    ANSWERED = "answered", "Answered"


class NpsSurvey(models.Model):
    """The survey of one order: who was asked, the answer (latest one wins), the tier when answered."""

    order_id = models.UUIDField(unique=True)
    order_number = models.CharField(max_length=64, blank=True, default="")
    channel_slug = models.SlugField(max_length=255)
    user_id = models.BigIntegerField(null=True, blank=True)
    email = models.EmailField(blank=True, default="")
    language_code = models.CharField(max_length=16, blank=True, default="")
    status = models.CharField(max_length=16, choices=NpsStatus.choices, default=NpsStatus.PENDING)
    due_at = models.DateTimeField()
    message = models.OneToOneField(
        MessageLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="nps_survey"
    )
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True, default="")
    first_answered_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True, db_index=True)
    answer_count = models.PositiveSmallIntegerField(default=0)
    tier_name = models.CharField(max_length=64, blank=True, default="")
    followed_up_at = models.DateTimeField(null=True, blank=True)
    follow_up_note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=10), name="loyalty_nps_score_chk"
            ),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="loyalty_nps_due_idx"),
            models.Index(fields=["channel_slug", "answered_at"], name="loyalty_nps_channel_idx"),
        ]
