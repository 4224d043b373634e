"""Consent, suppression, cart-abandonment sequences and the message log.

Invariants:
- consent is append-only (`ConsentEvent`); the current state for (person, channel, medium) is the
  latest event, found through `loyalty_consent_subject_idx` in one query;
- an unsubscribe writes a person-level `Suppression` per medium (all channels): it outlives any
  cart, and only a later explicit grant outranks it;
- a reminder step is claimed once: `loyalty_message_claim_uniq` on (checkout, step, medium) makes a
  second send of the same step impossible, whatever runs concurrently;
- a claimed message is leased: only the worker holding an unexpired `lease_until` may send it, and a
  claim whose lease ran out is retried (same log row, so the same provider idempotency key) until
  `attempts` reaches the maximum; SENT means the provider accepted it, LOGGED that no provider was asked;
- an unsubscribe link names a random `UnsubscribeKey`, never the person's hash;
- checkouts are referenced by token (UUID, no FK): Saleor deletes checkouts on its own.
"""

from django.db import models
from django.db.models import Q


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


class Medium(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class ConsentAction(models.TextChoices):
    GRANT = "grant", "Granted"
    WITHDRAW = "withdraw", "Withdrawn"


class ConsentSource(models.TextChoices):
    CHECKOUT_CHECKBOX = "checkout_checkbox", "Checkbox at checkout"
    ACCOUNT_PAGE = "account_page", "Customer account page"
    NEWSLETTER_SIGNUP = "newsletter_signup", "Newsletter sign-up with explicit opt-in"
    IMPORT = "import", "Imported from an earlier system"
    UNSUBSCRIBE_LINK = "unsubscribe_link", "Unsubscribe link in a message"
    ADMIN = "admin", "Staff"
    DOUBLE_OPT_IN = "double_opt_in", "A code sent to the number and confirmed (SMS double opt-in)"


class ConsentEvent(models.Model):
    """One grant or withdrawal, with the evidence §30A puts on the sender: when, how, what was shown."""

    subject_hash = models.CharField(max_length=64, help_text="SHA-256 of the normalised email or phone.")
    user_id = models.BigIntegerField(null=True, blank=True)
    channel_slug = models.SlugField(max_length=255)
    medium = models.CharField(max_length=8, choices=Medium.choices)
    action = models.CharField(max_length=8, choices=ConsentAction.choices)
    source = models.CharField(max_length=32, choices=ConsentSource.choices)
    wording = models.TextField(blank=True, default="", help_text="The exact text the person saw.")
    locale = models.CharField(max_length=16, blank=True, default="")
    ip_hash = models.CharField(max_length=64, blank=True, default="")
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["subject_hash", "channel_slug", "medium", "-id"], name="loyalty_consent_subject_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="grant") | ~Q(wording=""), name="loyalty_consentevent_grant_wording_chk"
            ),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Consent events are evidence: record a new event instead of changing one.")
        super().save(*args, **kwargs)


class Suppression(models.Model):
    """A person who said stop on a medium: no marketing on it in any channel until they opt in again."""

    subject_hash = models.CharField(max_length=64)
    medium = models.CharField(max_length=8, choices=Medium.choices)
    reason = models.CharField(max_length=32, default="unsubscribed")
    suppressed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject_hash", "medium"], name="loyalty_suppression_subject_uniq"
            ),
        ]


class MessagingSettings(models.Model):
    """Per channel: who the sender is, where the restore link points, the reminder plan and its limits."""

    channel_slug = models.SlugField(max_length=255, unique=True)
    recovery_enabled = models.BooleanField(default=False)
    country = models.CharField(max_length=2, default="IL", help_text="Decides the advertising label rule.")
    timezone = models.CharField(max_length=64, default="Asia/Jerusalem")
    default_language = models.CharField(max_length=8, default="he")
    sender_name = models.CharField(max_length=255, blank=True, default="")
    sender_email = models.EmailField(blank=True, default="")
    contact_address = models.CharField(
        max_length=500, blank=True, default="", help_text="Postal address or phone."
    )
    reply_to = models.EmailField(
        blank=True, default="", help_text="A monitored mailbox for refusals by reply."
    )
    restore_url_template = models.CharField(
        max_length=500,
        blank=True,
        default="",
        help_text="Storefront URL with {token}, e.g. https://shop/cart/restore/{token}",
    )
    abandon_after_minutes = models.PositiveIntegerField(default=60)
    steps = models.JSONField(
        default=list,
        blank=True,
        help_text='[{"after_minutes": 60, "medium": "email"}, ...]; empty means +1 h, +24 h, +72 h by email.',
    )
    lost_after_days = models.PositiveIntegerField(default=7)
    holdout_percent = models.PositiveSmallIntegerField(default=0)
    attribution_days = models.PositiveIntegerField(default=5)
    observe_shabbat = models.BooleanField(default=True)
    last_step_discount_percent = models.PositiveSmallIntegerField(
        default=0, help_text="A single-use voucher in the last reminder (0 = no incentive)."
    )
    incentive_hours = models.PositiveSmallIntegerField(default=48, help_text="How long the voucher is valid.")
    club_messages_enabled = models.BooleanField(
        default=False, help_text="Send club news (points earned, …) through the pipeline in this channel."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(abandon_after_minutes__gte=5, abandon_after_minutes__lte=1440),
                name="loyalty_messagingsettings_abandon_after_chk",
            ),
            models.CheckConstraint(
                condition=Q(holdout_percent__lte=50), name="loyalty_messagingsettings_holdout_chk"
            ),
            models.CheckConstraint(
                condition=Q(last_step_discount_percent__lte=50), name="loyalty_messagingsettings_discount_chk"
            ),
        ]


class QuietDay(models.Model):
    """A holiday on which no marketing goes out in the country (from 14:00 the day before)."""

    country = models.CharField(max_length=2)
    day = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["country", "day"], name="loyalty_quietday_uniq")]


class RecoveryState(models.TextChoices):
    ACTIVE = "active", "Reminders planned"
    HOLDOUT = "holdout", "Held out: no reminders, for measuring lift"
    FINISHED = "finished", "All steps done"
    PURCHASED = "purchased", "The person ordered"
    RECOVERED = "recovered", "Completed after a reminder"
    STOPPED = "stopped", "Stopped (consent, suppression, emptied, deleted, lost)"


class AbandonedCheckout(models.Model):
    """A snapshot of an abandoned Saleor checkout and where its reminder sequence stands."""

    checkout_token = models.UUIDField(unique=True)
    channel_slug = models.SlugField(max_length=255)
    user_id = models.BigIntegerField(null=True, blank=True)
    email = models.EmailField(blank=True, default="")
    email_hash = models.CharField(max_length=64, db_index=True)
    phone = models.CharField(max_length=32, blank=True, default="")
    language_code = models.CharField(max_length=16, blank=True, default="")
    currency = models.CharField(max_length=3)
    total_gross = models.DecimalField(max_digits=14, decimal_places=4)
    lines = models.JSONField(default=list)
    checkout_changed_at = models.DateTimeField(help_text="Saleor's last_change when snapshotted.")
    detected_at = models.DateTimeField()
    lost_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=RecoveryState.choices, default=RecoveryState.ACTIVE)
    state_reason = models.CharField(max_length=64, blank=True, default="")
    next_step = models.PositiveSmallIntegerField(default=0)
    next_action_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    sequence_started_at = models.DateTimeField(null=True, blank=True, db_index=True)
    recovered_order_id = models.UUIDField(null=True, blank=True)
    recovered_revenue = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    recovered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_action_at"], condition=Q(state="active"), name="loyalty_abandoned_due_idx"
            ),
            models.Index(fields=["channel_slug", "detected_at"], name="loyalty_abandoned_channel_idx"),
        ]


class SweepCursor(models.Model):
    """Where the detection sweep of a channel stopped: (last_change, token) keyset, so runs resume."""

    channel_slug = models.SlugField(max_length=255, unique=True)
    last_change = models.DateTimeField(null=True, blank=True)
    last_token = models.UUIDField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class MessageStatus(models.TextChoices):
    CLAIMED = "claimed", "Claimed, being sent (retried when its lease runs out)"
    SENT = "sent", "Sent: the provider accepted it"
    LOGGED = "logged", "Written to the log only: no provider is configured"
    BLOCKED = "blocked", "Blocked by the compliance gate"
    CANCELLED = "cancelled", "Cancelled at send time"
    DEFERRED = "deferred", "Deferred to a later time"
    SKIPPED = "skipped", "Not sent"
    FAILED = "failed", "Provider failed"


class MessageLog(models.Model):
    """Every message decision: what, to whom, why, result. A step's send is the row with a claim_key."""

    category = models.CharField(max_length=32)
    medium = models.CharField(max_length=8, choices=Medium.choices)
    channel_slug = models.SlugField(max_length=255)
    is_marketing = models.BooleanField(default=True)
    recipient = models.CharField(max_length=254)
    subject_hash = models.CharField(max_length=64)
    checkout_token = models.UUIDField(null=True, blank=True)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    claim_key = models.CharField(max_length=120, null=True, blank=True)
    status = models.CharField(max_length=16, choices=MessageStatus.choices)
    reason = models.TextField(blank=True, default="")
    subject = models.CharField(max_length=500, blank=True, default="")
    content_sha256 = models.CharField(max_length=64, blank=True, default="")
    language_code = models.CharField(max_length=16, blank=True, default="")
    context = models.JSONField(
        default=dict, blank=True, help_text="What a deferred club message renders from."
    )
    retry_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text="A claimed message: until when the worker sending it owns it."
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Times a worker took it to the provider."
    )
    provider_message_id = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["retry_at"],
                condition=Q(status="deferred", retry_at__isnull=False),
                name="loyalty_message_retry_idx",
            ),
            models.Index(
                fields=["lease_until"], condition=Q(status="claimed"), name="loyalty_message_lease_idx"
            ),
            models.Index(
                fields=["subject_hash", "medium", "-created_at"], name="loyalty_message_subject_idx"
            ),
            models.Index(fields=["channel_slug", "-created_at"], name="loyalty_message_channel_idx"),
            models.Index(fields=["checkout_token"], name="loyalty_message_checkout_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["claim_key"], name="loyalty_message_claim_uniq"),
        ]


class UnsubscribeKey(models.Model):
    """The random id an unsubscribe link carries for a person on a medium: the link never shows their hash."""

    key = models.CharField(max_length=32, unique=True)
    subject_hash = models.CharField(max_length=64)
    medium = models.CharField(max_length=8, choices=Medium.choices)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject_hash", "medium"], name="loyalty_unsubscribekey_subject_uniq"
            ),
        ]


class RestoreToken(models.Model):
    """A restore link's secret, stored only as SHA-256; it names one checkout and logs nobody in."""

    token_hash = models.CharField(max_length=64, unique=True)
    checkout_token = models.UUIDField()
    channel_slug = models.SlugField(max_length=255)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField()
