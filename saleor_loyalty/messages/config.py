"""Deployment settings of the messaging pipeline (`LOYALTY_` prefix), read with their defaults."""

from datetime import timedelta

from django.conf import settings

CART_REMINDER = "cart_reminder"
CAMPAIGN = "campaign"
CAMPAIGN_SMS = (
    "campaign_sms"  # an SMS campaign's message: claimed, sent and retried by `insights.campaign_sms`
)
NPS_SURVEY = "nps_survey"
SERVICE_CATEGORIES = (
    "points_earned",
    "tier_upgrade",
    "points_expiring",
    "cashback_credited",
    "referral_rewarded",
    "action_credited",
    "membership_ending",
    "membership_ended",
    "badge_earned",
    NPS_SURVEY,
)
# Win-back, birthday and anniversary flows (insights/winback.py): claimed and retried by their own job.
FLOW_CATEGORIES = ("winback", "birthday_greeting", "anniversary_greeting")
CATEGORIES = (CART_REMINDER, *SERVICE_CATEGORIES, *FLOW_CATEGORIES, CAMPAIGN)

DEFAULT_AD_LABELS = {"IL": "פרסומת"}
DEFAULT_STEPS = (
    {"after_minutes": 60, "medium": "email"},
    {"after_minutes": 1440, "medium": "email"},
    {"after_minutes": 4320, "medium": "email"},
)


def ad_labels() -> dict[str, str]:
    """Country → the word that must open a marketing subject (§30A: "פרסומת" in Israel)."""
    return getattr(settings, "LOYALTY_AD_LABELS", DEFAULT_AD_LABELS)


def needs_marketing_consent(category: str) -> bool:
    """Cart reminders always do. Club news does too unless the merchant lists it as a pure service message.

    The strict reading is the default: Israeli courts have held informational club mail to be
    advertising, so only categories in LOYALTY_SERVICE_CATEGORIES_WITHOUT_CONSENT skip consent.
    """
    if category in (CART_REMINDER, CAMPAIGN, CAMPAIGN_SMS):
        return True
    return category not in getattr(settings, "LOYALTY_SERVICE_CATEGORIES_WITHOUT_CONSENT", ())


def public_url() -> str:
    return (
        getattr(settings, "LOYALTY_PUBLIC_URL", "")
        or getattr(settings, "PUBLIC_URL", "")
        or "http://localhost:8000"
    ).rstrip("/")


def template_dirs() -> list[str]:
    """Merchant template folders, searched before the package's own templates."""
    return list(getattr(settings, "LOYALTY_TEMPLATE_DIRS", []))


def marketing_email_gap_hours() -> int:
    return int(getattr(settings, "LOYALTY_MARKETING_EMAIL_GAP_HOURS", 16))


def marketing_sms_gap_hours() -> int:
    return int(getattr(settings, "LOYALTY_MARKETING_SMS_GAP_HOURS", 24))


def sequence_gap_days() -> int:
    return int(getattr(settings, "LOYALTY_SEQUENCE_GAP_DAYS", 7))


def message_lease() -> timedelta:
    """How long a worker owns a claimed message; a claim not confirmed sent by then is retried."""
    return timedelta(minutes=int(getattr(settings, "LOYALTY_MESSAGE_LEASE_MINUTES", 10)))


def message_max_attempts() -> int:
    """Provider attempts per message (a crashed worker's attempt counts) before it is FAILED."""
    return max(1, int(getattr(settings, "LOYALTY_MESSAGE_MAX_ATTEMPTS", 5)))


def email_timeout() -> float:
    """Seconds an SMTP connection may take when Django's EMAIL_TIMEOUT leaves it unbounded."""
    return float(getattr(settings, "LOYALTY_EMAIL_TIMEOUT", 30))


def legacy_unsubscribe_links() -> bool:
    """Whether links of the earlier (hash-carrying, still signed) form keep unsubscribing."""
    return bool(getattr(settings, "LOYALTY_ACCEPT_LEGACY_UNSUBSCRIBE_LINKS", True))
