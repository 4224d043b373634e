"""Club news (points earned, tier upgrade, points expiring, cashback credited) through the pipeline.

Same templates, consent rules, compliance gate and limits as cart reminders. A message that may not
go now (the person's email gap, quiet hours, Shabbat) is stored as deferred with what it renders
from, and the beat job sends it when its time comes: rescheduled, never dropped.
"""

from datetime import datetime

from django.db import connection, transaction

from saleor_loyalty.messages import limits, pipeline, windows
from saleor_loyalty.messages.config import SERVICE_CATEGORIES, needs_marketing_consent
from saleor_loyalty.models import Medium, MessageLog, MessageStatus


def _lock_person(subject: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"loyalty:{subject}"])


def _hold_until(message: pipeline.Outgoing, log: MessageLog, now: datetime) -> tuple[datetime, str] | None:
    if not needs_marketing_consent(message.category):
        return None
    if (
        message.medium == Medium.EMAIL
        and (gap := limits.email_gap_until(log.subject_hash, now, log)) is not None
    ):
        return gap
    window = windows.window_until(now, message.medium, pipeline.channel_settings(message.channel_slug))
    return (window, "quiet hours, Shabbat or holiday") if window > now else None


def send(message: pipeline.Outgoing, now: datetime) -> MessageLog:
    """Deliver now, or store the message deferred to the first moment the limits allow."""
    if message.category not in SERVICE_CATEGORIES:
        raise ValueError(f"{message.category} is not a club message category")
    with transaction.atomic():
        log = pipeline.new_log(message, MessageStatus.CLAIMED, now)
        _lock_person(log.subject_hash)
        held = _hold_until(message, log, now)
        if held is not None:
            log.status, log.reason, log.retry_at = (
                MessageStatus.DEFERRED,
                f"{held[1]}; until {held[0].isoformat()}",
                held[0],
            )
            log.language_code, log.context = message.language_code, message.context
            log.save(update_fields=["status", "reason", "retry_at", "language_code", "context"])
            return log
    return pipeline.deliver(message, log=log, now=now)


def retry_due(now: datetime, limit: int = 200) -> int:
    """Send deferred club messages whose time has come; each is taken by one worker (SKIP LOCKED)."""
    sent = 0
    for _ in range(limit):
        with transaction.atomic():
            log = (
                MessageLog.objects.select_for_update(skip_locked=True)
                .filter(status=MessageStatus.DEFERRED, retry_at__lte=now)
                .order_by("retry_at")
                .first()
            )
            if log is None:
                break
            message = pipeline.Outgoing(
                category=log.category,
                medium=log.medium,
                channel_slug=log.channel_slug,
                address=log.recipient,
                language_code=log.language_code,
                context=log.context,
            )
            _lock_person(log.subject_hash)
            held = _hold_until(message, log, now)
            if held is not None:
                log.retry_at, log.reason = held[0], f"{held[1]}; until {held[0].isoformat()}"
                log.save(update_fields=["retry_at", "reason"])
                continue
            log.status, log.retry_at = MessageStatus.CLAIMED, None
            log.save(update_fields=["status", "retry_at"])
        if pipeline.deliver(message, log=log, now=now).status == MessageStatus.SENT:
            sent += 1
    return sent
