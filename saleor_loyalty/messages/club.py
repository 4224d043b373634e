"""Club news (points earned, tier upgrade, points expiring, cashback credited) through the pipeline.

Same templates, consent rules, compliance gate and limits as cart reminders. A message that may not
go now (the person's email gap, quiet hours, Shabbat) is stored as deferred with what it renders
from, and the beat job sends it when its time comes: rescheduled, never dropped. A claimed message
whose worker died or whose provider failed is retried by the same job once its lease runs out, with
the same checks (consent in the pipeline; gap, quiet hours, Shabbat here).
"""

from datetime import datetime

from django.db import connection, transaction

from saleor_loyalty.messages import leases, limits, pipeline, windows
from saleor_loyalty.messages.config import (
    CAMPAIGN_SMS,
    CART_REMINDER,
    FLOW_CATEGORIES,
    SERVICE_CATEGORIES,
    needs_marketing_consent,
)
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


def claim(message: pipeline.Outgoing, now: datetime) -> MessageLog:
    """The message's log row: CLAIMED (leased to the caller, who delivers it after commit) or DEFERRED.

    Callers that record "handed over" somewhere else (the expiry reminder, the news cursor) do it in
    the same transaction, so a crash leaves either nothing or a claim the retry job finishes.
    """
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
            log.attempts, log.lease_until = 0, None
            log.save(update_fields=["status", "reason", "retry_at", "attempts", "lease_until"])
    return log


def deliver(message: pipeline.Outgoing, log: MessageLog, now: datetime) -> MessageLog:
    """Deliver what `claim` returned, once its transaction committed; a deferred row keeps waiting."""
    if log.status != MessageStatus.CLAIMED:
        return log
    return pipeline.deliver(message, log=log, now=now)


def send(message: pipeline.Outgoing, now: datetime) -> MessageLog:
    """Deliver now, or store the message deferred to the first moment the limits allow."""
    return deliver(message, claim(message, now), now)


def _outgoing(log: MessageLog) -> pipeline.Outgoing:
    return pipeline.Outgoing(
        category=log.category,
        medium=log.medium,
        channel_slug=log.channel_slug,
        address=log.recipient,
        language_code=log.language_code,
        context=log.context,
    )


def _hold(log: MessageLog, now: datetime) -> tuple[datetime, str] | None:
    _lock_person(log.subject_hash)
    return _hold_until(_outgoing(log), log, now)


def _deliver_retried(log: MessageLog, now: datetime) -> MessageLog:
    if not log.recipient:  # the customer was forgotten while the message waited
        return pipeline.finish(log, MessageStatus.CANCELLED, "recipient forgotten")
    return pipeline.deliver(_outgoing(log), log=log, now=now)


def retry_due(now: datetime, limit: int = 200) -> int:
    """Send club messages whose time has come: claims whose lease ran out (a worker died or the provider
    failed), then deferred ones. Each is taken by one worker (SKIP LOCKED); returns how many were sent."""
    sent = 0
    stale = MessageLog.objects.exclude(
        category__in=(CART_REMINDER, CAMPAIGN_SMS, *FLOW_CATEGORIES)
    )  # own retries
    for log in leases.take_stale(stale, now, limit, lambda log: _hold(log, now)):
        sent += _deliver_retried(log, now).status == MessageStatus.SENT
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
            held = _hold(log, now)
            if held is not None:
                log.retry_at, log.reason = held[0], f"{held[1]}; until {held[0].isoformat()}"
                log.save(update_fields=["retry_at", "reason"])
                continue
            leases.start(log, now)
            log.retry_at = None
            log.save(update_fields=["status", "retry_at", "attempts", "lease_until"])
        sent += _deliver_retried(log, now).status == MessageStatus.SENT
    return sent
