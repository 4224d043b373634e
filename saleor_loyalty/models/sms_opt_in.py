"""SMS double opt-in: a short-lived code sent to a number, whose confirmation is the evidence of consent."""

from django.db import models


class SmsOptInChallenge(models.Model):
    """One code sent to one number for one channel's SMS consent.

    Only a keyed hash of the code is stored (never the code or the number: the number is the consent
    subject hash). The row is confirmed at most once; its attempts are capped and it expires.
    """

    channel_slug = models.SlugField(max_length=255)
    subject_hash = models.CharField(max_length=64, help_text="consent.subject_hash of the number.")
    code_hash = models.CharField(max_length=64, help_text="HMAC-SHA256 of the code, keyed per challenge.")
    wording = models.TextField(help_text="The exact consent text shown when the code was requested.")
    locale = models.CharField(max_length=16, blank=True, default="")
    user_id = models.BigIntegerField(null=True, blank=True, help_text="Who asked, when signed in.")
    ip_hash = models.CharField(max_length=64, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["subject_hash", "-created_at"], name="loyalty_smsoptin_subject_idx"),
            models.Index(fields=["ip_hash", "-created_at"], name="loyalty_smsoptin_ip_idx"),
        ]
