"""SMS double opt-in: consent for a number the caller does not own on Saleor, proven by a code sent to it.

- `start` sends a 6-digit code to the number through the SMS backend, as a transactional message
  (it carries no advertising and goes out only because the person asked for it; the message log
  records it with `is_marketing` false, SENT only once the provider accepted it). Only a keyed hash
  of the code is stored, and the number only as the consent subject hash.
- Rate limits: a few codes per number per hour, more per origin (IP) per hour, counted under a
  per-number lock so concurrent requests cannot slip past them.
- `confirm` grants SMS consent with source DOUBLE_OPT_IN and the wording shown at `start` as its
  evidence. The latest code of the number is the only one that counts; it expires after ten minutes,
  takes at most five attempts (each counted in its own committed transaction, so a failed guess is
  never rolled back), is compared in constant time, and confirms once.
- Nothing about a number leaks: `start` answers the same for any number, and every failure of
  `confirm` (no code, wrong, expired, used, out of attempts) is one typed error.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from saleor_loyalty.exceptions import (
    ConsentWordingRequired,
    InvalidConsentInput,
    RateLimited,
    SmsCodeInvalid,
    SmsNotSent,
)
from saleor_loyalty.messages import consent, leases, sms
from saleor_loyalty.models import (
    ConsentAction,
    ConsentEvent,
    ConsentSource,
    Medium,
    MessageLog,
    MessageStatus,
    SmsOptInChallenge,
)

CATEGORY = "sms_opt_in"
CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5
PER_NUMBER_PER_HOUR = 3
PER_ORIGIN_PER_HOUR = 10
MIN_DIGITS, MAX_DIGITS = 8, 15  # E.164 allows 15; Israeli numbers have 9-12 with the country code
MAX_CODE_LENGTH = 16
TEXTS = {
    "he": "קוד האישור שלך: {code}. הזנתו מאשרת קבלת הודעות SMS מ-{sender}. בתוקף 10 דקות.",
    "en": "Your code: {code}. Entering it confirms SMS messages from {sender}. Valid for 10 minutes.",
}


def _number(phone: str) -> str:
    digits = consent.normalize_address(Medium.SMS, phone or "")
    if not MIN_DIGITS <= sum(ch.isdigit() for ch in digits) <= MAX_DIGITS or "+" in digits[1:]:
        raise InvalidConsentInput("Give a phone number with its country code, e.g. +972501234567.", "phone")
    return digits


def _code_hash(challenge_id: int, code: str) -> str:
    """Keyed with SECRET_KEY and the challenge, so a stolen table cannot be tested against 10^6 codes."""
    key = f"{settings.SECRET_KEY}:sms-opt-in:{challenge_id}".encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def _lock_number(subject: str) -> None:
    """Serialize starts for one number (rate-limit counts cannot race past the limit)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"sms-opt-in:{subject}"])


def _check_limits(subject: str, origin: str, now: datetime) -> None:
    hour_ago = now - timedelta(hours=1)
    recent = SmsOptInChallenge.objects.filter(created_at__gt=hour_ago)
    if recent.filter(subject_hash=subject).count() >= PER_NUMBER_PER_HOUR:
        raise RateLimited("Too many codes were sent to this number; try again in an hour.", "phone")
    if origin and recent.filter(ip_hash=origin).count() >= PER_ORIGIN_PER_HOUR:
        raise RateLimited("Too many codes were asked for; try again in an hour.", "phone")


def start(
    channel_slug: str,
    phone: str,
    *,
    wording: str,
    sender: str,
    locale: str = "",
    ip: str | None = None,
    user_id: int | None = None,
    now: datetime | None = None,
) -> SmsOptInChallenge:
    """Send a code to the number; the challenge row (committed before the provider is called)."""
    now = now or timezone.now()
    number = _number(phone)
    wording = (wording or "").strip()
    if not wording:
        raise ConsentWordingRequired("Give the exact consent text shown next to the number.", "wording")
    if len(wording) > consent.MAX_WORDING:
        raise InvalidConsentInput(f"The wording can be at most {consent.MAX_WORDING} characters.", "wording")
    subject, origin = consent.subject_hash(Medium.SMS, number), consent.ip_hash(ip)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        _lock_number(subject)
        _check_limits(subject, origin, now)
        challenge = SmsOptInChallenge.objects.create(
            channel_slug=channel_slug,
            subject_hash=subject,
            code_hash="",
            wording=wording,
            locale=(locale or "")[:16],
            user_id=user_id,
            ip_hash=origin,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
        challenge.code_hash = _code_hash(challenge.pk, code)
        challenge.save(update_fields=["code_hash"])
        log = MessageLog.objects.create(
            category=CATEGORY,
            medium=Medium.SMS,
            channel_slug=channel_slug,
            is_marketing=False,
            recipient=number,
            subject_hash=subject,
            claim_key=f"{CATEGORY}:{challenge.pk}",
            status=MessageStatus.CLAIMED,
            attempts=1,
            created_at=now,
        )
    _send(log, number, code, sender, locale)
    return challenge


def _send(log: MessageLog, number: str, code: str, sender: str, locale: str) -> None:
    language = "he" if (locale or "he").lower().startswith("he") else "en"
    backend = sms.backend()
    try:
        provider_id = backend.send(
            number, TEXTS[language].format(code=code, sender=sender), leases.idempotency_key(log)
        )
    except Exception as error:  # the code is useless unsent: say so, and keep the reason on the log row
        log.status, log.reason = MessageStatus.FAILED, f"{type(error).__name__}: {error}"[:500]
        log.save(update_fields=["status", "reason"])
        raise SmsNotSent("The code could not be sent; try again later.") from None
    log.status = MessageStatus.SENT if backend.delivers else MessageStatus.LOGGED
    log.sent_at, log.provider_message_id = timezone.now(), provider_id
    log.save(update_fields=["status", "sent_at", "provider_message_id"])


def _refused() -> SmsCodeInvalid:
    return SmsCodeInvalid("The code is wrong or has expired; ask for a new one.")


def confirm(
    channel_slug: str,
    phone: str,
    code: str,
    *,
    ip: str | None = None,
    user_id: int | None = None,
    now: datetime | None = None,
) -> ConsentEvent:
    """Grant SMS consent when `code` is the number's latest live code. Commits the attempt either way."""
    now = now or timezone.now()
    subject = consent.subject_hash(Medium.SMS, _number(phone))
    code = (code or "").strip()
    with transaction.atomic():
        challenge = (
            SmsOptInChallenge.objects.select_for_update()
            .filter(channel_slug=channel_slug, subject_hash=subject)
            .order_by("-created_at", "-pk")
            .first()
        )
        usable = (
            challenge is not None
            and challenge.confirmed_at is None
            and challenge.expires_at > now
            and challenge.attempts < MAX_ATTEMPTS
        )
        if not usable:
            raise _refused()
        challenge.attempts += 1
        matches = len(code) <= MAX_CODE_LENGTH and hmac.compare_digest(
            _code_hash(challenge.pk, code), challenge.code_hash
        )
        challenge.confirmed_at = now if matches else None
        challenge.save(update_fields=["attempts", "confirmed_at"])
        if matches:
            return consent.record(
                channel_slug,
                Medium.SMS,
                phone,
                ConsentAction.GRANT,
                ConsentSource.DOUBLE_OPT_IN,
                wording=challenge.wording,
                locale=challenge.locale,
                ip=ip,
                user_id=user_id,
                occurred_at=now,
            )
    raise _refused()  # after the commit: the failed attempt stays counted
