"""Earning beyond purchases: the actions catalogue, recordings, share links, bulk grants, the club page.

Awards themselves are ledger rows (`EntryKind.ACTION`, `BULK_GRANT`, `ANNIVERSARY`); these tables hold the
rules, the idempotency of callers' keys, and the audit of who granted what.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from saleor_loyalty.models.program import LoyaltyAccount, LoyaltyProgram


class BuiltinAction(models.TextChoices):
    ACCOUNT_CREATED = "account_created", "Account created"
    NEWSLETTER_SIGNUP = "newsletter_signup", "Newsletter sign-up (with consent)"
    PRODUCT_REVIEW = "product_review", "Product review"
    SOCIAL_SHARE = "social_share", "Social share (a visit through the member's share link)"
    BIRTHDAY_SET = "birthday_set", "Birthday set"
    PROFILE_COMPLETED = "profile_completed", "Profile completed"
    NPS_ANSWER = "nps_answer", "NPS survey answered (once per surveyed order)"


class ClubAction(models.Model):
    """One way to earn in a program: a built-in kind (kept, never deleted) or one staff defined."""

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.CASCADE, related_name="actions")
    key = models.SlugField(max_length=64, help_text="The kind key, stored on every award's detail.")
    is_builtin = models.BooleanField(default=False)
    name_en = models.CharField(max_length=100)
    name_he = models.CharField(max_length=100, blank=True, default="")
    points = models.PositiveIntegerField()
    cap_per_day = models.PositiveIntegerField(null=True, blank=True)
    cap_per_month = models.PositiveIntegerField(null=True, blank=True)
    cap_lifetime = models.PositiveIntegerField(null=True, blank=True)
    once_per_object = models.BooleanField(
        default=False, help_text="One award per member and object (one review per product)."
    )
    pending_days = models.PositiveIntegerField(default=0, help_text="Days before the points can be spent.")
    is_enabled = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["program", "key"], name="loyalty_action_program_key_uniq"),
            models.CheckConstraint(condition=Q(points__gt=0), name="loyalty_action_points_positive_chk"),
        ]

    def __str__(self):
        return f"{self.key} ({self.points} points) in {self.program_id}"


class ActionOutcome(models.TextChoices):
    AWARDED = "awarded", "Points awarded"
    ALREADY_AWARDED = "already_awarded", "This action on this object was awarded before"
    CAPPED = "capped", "The member reached the action's cap"
    DISABLED = "disabled", "The action is switched off"


class ActionRecording(models.Model):
    """A caller's idempotency key and what it asked for: a retry answers the first outcome, other
    arguments under the same key are a conflict."""

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.CASCADE, related_name="action_recordings")
    idempotency_key = models.CharField(max_length=128)
    action_key = models.CharField(max_length=64)
    account = models.ForeignKey(LoyaltyAccount, on_delete=models.PROTECT, related_name="action_recordings")
    object_id = models.CharField(max_length=200, blank=True, default="")
    outcome = models.CharField(max_length=16, choices=ActionOutcome.choices)
    entry = models.ForeignKey("LedgerEntry", null=True, blank=True, on_delete=models.PROTECT)
    actor_label = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "idempotency_key"], name="loyalty_action_recording_key_uniq"
            ),
        ]


class ShareLink(models.Model):
    """A member's link to one storefront page; its random key is signed into the URL they share."""

    account = models.ForeignKey(LoyaltyAccount, on_delete=models.CASCADE, related_name="share_links")
    target = models.CharField(max_length=500, help_text="A path on the program's storefront.")
    key = models.CharField(max_length=32, unique=True)
    owner_hashes = models.JSONField(
        default=list, help_text="Salted hashes of where the owner asked for the link from (never credited)."
    )
    visits = models.PositiveIntegerField(default=0)
    credited_visits = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target"], name="loyalty_share_link_target_uniq"),
        ]


class ShareVisit(models.Model):
    """A visit that credited a share link's owner, kept as two keyed hashes (HMAC with the deployment's secret,
    never the cookie id, account or address): who visited (a signed first-party cookie id, or the signed-in
    account) and from where (the IP). A credit needs both unseen, so clearing cookies alone or rotating IPs
    alone earns nothing; per link each is unique for ever (the database says so), per sharer within the share
    action's widest capped window (checked under the sharer's account lock)."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="credited")
    sharer = models.ForeignKey(LoyaltyAccount, on_delete=models.CASCADE, related_name="+")
    visitor_hash = models.CharField(max_length=64)
    ip_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "visitor_hash"], name="loyalty_share_visit_visitor_uniq"),
            models.UniqueConstraint(fields=["link", "ip_hash"], name="loyalty_share_visit_ip_uniq"),
        ]
        indexes = [models.Index(fields=["sharer", "created_at"], name="loyalty_share_visit_sharer_idx")]


class ActionSettings(models.Model):
    """What a program's public page shows besides its rules, and its engagement moments."""

    program = models.OneToOneField(LoyaltyProgram, on_delete=models.CASCADE, related_name="action_settings")
    storefront_url = models.URLField(
        max_length=300, blank=True, default="", help_text="Share links redirect only under this base."
    )
    terms_en = models.TextField(blank=True, default="")
    terms_he = models.TextField(blank=True, default="")
    anniversary_points = models.PositiveIntegerField(default=0)
    anniversary_credit = models.DecimalField(max_digits=12, decimal_places=4, default=Decimal("0"))
    updated_at = models.DateTimeField(auto_now=True)


class BulkGrantState(models.TextChoices):
    RUNNING = "running", "Being granted, batch by batch"
    DONE = "done", "Every member was granted"


class BulkGrant(models.Model):
    """One staff grant to many members: the audit record (who, why, to whom) and the batch job's cursor."""

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.PROTECT, related_name="bulk_grants")
    idempotency_key = models.CharField(max_length=128)
    points = models.PositiveIntegerField()
    reason = models.TextField()
    account_ids = models.JSONField(
        null=True, blank=True, help_text="The members listed, or null for a filter."
    )
    member_filter = models.JSONField(null=True, blank=True)
    up_to_account_id = models.BigIntegerField(help_text="Members who join later are not part of it.")
    after_account_id = models.BigIntegerField(default=0, help_text="The batch job's cursor.")
    state = models.CharField(max_length=16, choices=BulkGrantState.choices, default=BulkGrantState.RUNNING)
    granted = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_app_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "idempotency_key"], name="loyalty_bulk_grant_key_uniq"
            ),
            models.CheckConstraint(condition=Q(points__gt=0), name="loyalty_bulk_grant_points_positive_chk"),
        ]
        indexes = [models.Index(fields=["state", "id"], name="loyalty_bulk_grant_state_idx")]
