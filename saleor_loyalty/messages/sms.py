"""SMS through a small provider interface; the default backend only logs (no vendor lock-in)."""

import logging
import uuid

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsBackend:
    """Send one text; return the provider's message id. Raise on failure."""

    def send(self, to: str, text: str) -> str:
        raise NotImplementedError


class LoggingSmsBackend(SmsBackend):
    """Writes each SMS to the log and keeps it in `outbox` (tests read it like Django's mail outbox)."""

    outbox: list[tuple[str, str]] = []

    def send(self, to: str, text: str) -> str:
        message_id = uuid.uuid4().hex
        LoggingSmsBackend.outbox.append((to, text))
        logger.info("SMS %s to %s: %s", message_id, to, text)
        return message_id


def backend() -> SmsBackend:
    path = getattr(settings, "LOYALTY_SMS_BACKEND", "saleor_loyalty.messages.sms.LoggingSmsBackend")
    return import_string(path)()
