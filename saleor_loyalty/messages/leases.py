"""Leases on claimed messages: delivered at least once, and never by two workers at once.

A CLAIMED log row carries `lease_until`: the worker that claimed it owns it until then. A worker
that dies between the claim and the provider's answer leaves the row CLAIMED; once the lease has run
out the periodic job takes it again (`SELECT … FOR UPDATE SKIP LOCKED`, then a fresh lease committed
before the send), so a second worker finds it either locked or leased and leaves it. Every attempt
uses the same row, so the same idempotency key: a provider that already accepted it does not send it
again. After `message_max_attempts()` attempts the row is FAILED with the last reason.
"""

import hmac
from collections.abc import Callable, Iterator
from datetime import datetime

from django.db import transaction

from saleor_loyalty.core.hmacs import salted_sha256
from saleor_loyalty.messages.config import message_lease, message_max_attempts
from saleor_loyalty.models import MessageLog, MessageStatus

# (until, reason) when the message may not go now; the lease is moved there and no attempt is spent.
Hold = Callable[[MessageLog], tuple[datetime, str] | None]


def _tag(pk: int) -> str:
    return salted_sha256("saleor_loyalty.message-id", str(pk)).hexdigest()[:16]


def idempotency_key(log: MessageLog) -> str:
    """Stable per log row and unguessable across deployments (keyed with SECRET_KEY)."""
    return f"loyalty-{log.pk}-{_tag(log.pk)}"


def message_pk(key: str) -> int | None:
    """The log row an `idempotency_key` (or the local part of our Message-ID) names; None unless its tag is
    ours, so a provider's notice can only name a message we sent."""
    prefix, _, rest = key.partition("-")
    pk, _, tag = rest.partition("-")
    if prefix != "loyalty" or not pk.isascii() or not pk.isdigit() or len(pk) > 18:
        return None
    return int(pk) if hmac.compare_digest(_tag(int(pk)), tag) else None


def start(log: MessageLog, now: datetime) -> None:
    """Count an attempt and lease the row to this worker (the caller saves inside its transaction)."""
    log.status, log.attempts, log.lease_until = MessageStatus.CLAIMED, log.attempts + 1, now + message_lease()


def give_up(log: MessageLog, reason: str) -> None:
    log.status, log.lease_until = MessageStatus.FAILED, None
    log.reason = f"gave up after {log.attempts} attempts: {reason}"[:2000]
    log.save(update_fields=["status", "lease_until", "reason"])


def retry_later(log: MessageLog, error: str, now: datetime) -> MessageLog:
    """A retryable provider failure: the row stays CLAIMED and is taken again after a lease."""
    if log.attempts >= message_max_attempts():
        give_up(log, error)
        return log
    log.lease_until = now + message_lease()
    log.reason = f"attempt {log.attempts} failed, retried after {log.lease_until.isoformat()}: {error}"[:2000]
    log.save(update_fields=["lease_until", "reason", "subject", "content_sha256"])
    return log


def take_stale(queryset, now: datetime, limit: int, hold: Hold) -> Iterator[MessageLog]:
    """Claims of `queryset` whose lease ran out, each leased to this worker and committed before it is
    yielded; the caller then re-checks and sends. Held claims wait (lease moved), spent ones fail."""
    for _ in range(limit):
        with transaction.atomic():
            log = (
                queryset.select_for_update(skip_locked=True)
                .filter(status=MessageStatus.CLAIMED, lease_until__lte=now)
                .order_by("lease_until", "id")
                .first()
            )
            if log is None:
                return
            if log.attempts >= message_max_attempts():
                give_up(log, log.reason or "the worker stopped before the provider answered")
                continue
            held = hold(log)
            if held is not None:
                log.lease_until, log.reason = held[0], f"{held[1]}; until {held[0].isoformat()}"
                log.save(update_fields=["lease_until", "reason"])
                continue
            start(log, now)
            log.save(update_fields=["status", "attempts", "lease_until"])
        yield log
