"""A channel's messaging settings, validated as a whole: bad input changes nothing."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from saleor_loyalty.core.validation import timezone_name, whole_number
from saleor_loyalty.exceptions import InvalidProgramSetting
from saleor_loyalty.models import Medium, MessagingSettings

MAX_STEPS = 5
MAX_STEP_MINUTES = 30 * 24 * 60
WHOLE_NUMBER_FIELDS = {
    "abandon_after_minutes": (5, 24 * 60),
    "lost_after_days": (1, 30),
    "attribution_days": (1, 30),
    "holdout_percent": (0, 50),
    "last_step_discount_percent": (0, 50),
    "incentive_hours": (1, 14 * 24),
}
TEXT_FIELDS = {"sender_name": 255, "contact_address": 500, "restore_url_template": 500}
EMAIL_FIELDS = ("sender_email", "reply_to")


def _check_restore_url(template: str) -> None:
    """An http(s) address on a host, with the {token} placeholder: a reminder never links to a script."""
    if "{token}" not in template:
        raise InvalidProgramSetting("The restore URL needs a {token} placeholder.", "restore_url_template")
    parts = urlsplit(template.replace("{token}", "token"))
    if parts.scheme not in ("https", "http") or not parts.netloc or any(ch.isspace() for ch in template):
        raise InvalidProgramSetting("The restore URL must be an http(s) address.", "restore_url_template")


def _steps(steps) -> list[dict]:
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
        raise InvalidProgramSetting(f"Give 1 to {MAX_STEPS} steps.", "steps")
    cleaned, previous = [], 0
    for step in steps:
        minutes = whole_number(step.get("after_minutes"), "steps", InvalidProgramSetting, 5, MAX_STEP_MINUTES)
        if minutes <= previous:
            raise InvalidProgramSetting("Steps must come later and later.", "steps")
        if step.get("medium") not in Medium.values:
            raise InvalidProgramSetting("Each step is sent by email or sms.", "steps")
        cleaned.append({"after_minutes": minutes, "medium": step["medium"]})
        previous = minutes
    return cleaned


def _validate(changes: dict) -> dict:
    cleaned = {}
    for field, value in changes.items():
        if field == "steps":
            cleaned[field] = _steps(value)
        elif field in WHOLE_NUMBER_FIELDS:
            low, high = WHOLE_NUMBER_FIELDS[field]
            cleaned[field] = whole_number(value, field, InvalidProgramSetting, low, high)
        elif field in TEXT_FIELDS:
            value = (value or "").strip()
            if len(value) > TEXT_FIELDS[field]:
                raise InvalidProgramSetting(f"At most {TEXT_FIELDS[field]} characters.", field)
            if field == "restore_url_template" and value:
                _check_restore_url(value)
            cleaned[field] = value
        elif field == "reply_to" and not (value or "").strip():
            cleaned[field] = ""  # no Reply-To: replies go to the sender address
        elif field in EMAIL_FIELDS:
            try:
                validate_email(value)
            except ValidationError:
                raise InvalidProgramSetting(f"{field} must be an email address.", field) from None
            cleaned[field] = value
        elif field == "timezone":
            cleaned[field] = timezone_name(value, "timezone", InvalidProgramSetting)
        elif field in {"country", "default_language"}:
            if not isinstance(value, str) or not 2 <= len(value) <= 8:
                raise InvalidProgramSetting(f"{field} must be a short code.", field)
            cleaned[field] = value.upper() if field == "country" else value.lower()
        elif field in {"recovery_enabled", "observe_shabbat", "club_messages_enabled"}:
            cleaned[field] = bool(value)
        else:
            raise InvalidProgramSetting(f"{field} cannot be changed.", field)
    return cleaned


def update_settings(channel_slug: str, **changes) -> MessagingSettings:
    cleaned = _validate(changes)
    with transaction.atomic():
        config, _ = MessagingSettings.objects.select_for_update().get_or_create(channel_slug=channel_slug)
        for field, value in cleaned.items():
            setattr(config, field, value)
        if config.recovery_enabled and not (
            config.sender_name
            and config.sender_email
            and config.contact_address
            and config.restore_url_template
        ):
            raise InvalidProgramSetting(
                "Reminders need a sender name, sender email, contact address and restore URL.",
                "recoveryEnabled",
            )
        config.save()
    return config


def check_sender(sender_name: str, sender_email: str) -> dict:
    """The given (non-empty) parts of a sender, validated like a channel's own."""
    given = {"sender_name": sender_name, "sender_email": sender_email}
    return _validate({field: value for field, value in given.items() if value})


def fill_missing_senders(sender_name: str, sender_email: str) -> int:
    """Give every channel that has no sender of its own this one; a channel's own sender is never replaced."""
    updated = 0
    for field, value in check_sender(sender_name, sender_email).items():
        updated += MessagingSettings.objects.filter(**{field: ""}).update(**{field: value})
    return updated
