"""SMS through a small provider interface: one HTTP shape that really sends, and a logging stand-in.

A backend sends one text under an idempotency key (the message log row's, so a retried row is the
same request to the provider) and returns the provider's message id. It raises `SmsRejected` when the
provider refused the message for good (retrying cannot help) and anything else when it may work later.
`delivers` says whether a person can receive what it accepted: the logging backend only writes to
the log, and the message log says LOGGED, not SENT.
"""

import json
import logging
import urllib.error
import urllib.request
import uuid

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

RETRYABLE_CLIENT_ERRORS = (408, 409, 425, 429)  # timeout, same key in flight, too early, rate limited
MAX_REPLY = 64 * 1024


class SmsRejected(Exception):
    """The provider refused this message (4xx): sending the same request again cannot succeed."""


class SmsUnavailable(Exception):
    """The provider could not be reached or failed (5xx, timeout): the same request may succeed later."""


class SmsBackend:
    delivers = True

    def send(self, to: str, text: str, idempotency_key: str) -> str:
        """Send one text; return the provider's message id. Raise on failure (see the module doc)."""
        raise NotImplementedError


class LoggingSmsBackend(SmsBackend):
    """Writes each SMS to the log and keeps it in `outbox` (tests read it like Django's mail outbox)."""

    delivers = False
    outbox: list[tuple[str, str]] = []

    def send(self, to: str, text: str, idempotency_key: str) -> str:
        message_id = uuid.uuid4().hex
        LoggingSmsBackend.outbox.append((to, text))
        logger.info("SMS %s (%s) to %s: %s", message_id, idempotency_key, to, text)
        return message_id


class HttpSmsBackend(SmsBackend):
    """The common HTTP SMS API shape: JSON POST {to, text, sender}, bearer API key, Idempotency-Key.

    2xx is accepted (the reply's `id`, `message_id` or `messageId` is the provider's id); 4xx other
    than 408/409/425/429 is a permanent refusal; 5xx, those four and network errors are retryable.
    """

    def __init__(self, url: str = "", api_key: str = "", sender: str = "", timeout: float | None = None):
        self.url = url or getattr(settings, "LOYALTY_SMS_URL", "")
        self.api_key = api_key or getattr(settings, "LOYALTY_SMS_API_KEY", "")
        self.sender = sender or getattr(settings, "LOYALTY_SMS_SENDER", "")
        self.timeout = timeout or float(getattr(settings, "LOYALTY_SMS_TIMEOUT", 10))
        if not self.url.startswith(("https://", "http://")):
            raise ValueError("LOYALTY_SMS_URL must be an http(s) URL.")

    def send(self, to: str, text: str, idempotency_key: str) -> str:
        request = urllib.request.Request(
            self.url,
            data=json.dumps({"to": to, "text": text, "sender": self.sender}).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.api_key}",
                "Idempotency-Key": idempotency_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                reply = response.read(MAX_REPLY)
        except urllib.error.HTTPError as error:
            detail = f"HTTP {error.code}: {error.read(300).decode(errors='replace').strip()}"
            if 400 <= error.code < 500 and error.code not in RETRYABLE_CLIENT_ERRORS:
                raise SmsRejected(detail) from None
            raise SmsUnavailable(detail) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SmsUnavailable(f"provider unreachable: {getattr(error, 'reason', error)}") from None
        return _provider_id(reply)


def _provider_id(reply: bytes) -> str:
    try:
        data = json.loads(reply or b"{}")
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    found = next((data[key] for key in ("id", "message_id", "messageId") if data.get(key)), "")
    return str(found)[:255]


def backend() -> SmsBackend:
    """LOYALTY_SMS_BACKEND if set; else the HTTP backend once LOYALTY_SMS_URL is set; else logging."""
    default = (
        "saleor_loyalty.messages.sms.HttpSmsBackend"
        if getattr(settings, "LOYALTY_SMS_URL", "")
        else "saleor_loyalty.messages.sms.LoggingSmsBackend"
    )
    return import_string(getattr(settings, "LOYALTY_SMS_BACKEND", default))()
