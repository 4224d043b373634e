"""Celery tasks behind the plugin's hooks. They take ids, re-read Saleor, and rely on the ledger's idempotency.

Saleor's Celery app autodiscovers this module (it imports `<plugin package>.tasks`) and the
recovery beat entry is registered at import. Retries are
only for transient database errors; a retried or redelivered task converges to the same rows.
"""

import logging
from datetime import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from . import abandonment, attribution, ledger, recovery, saleor_adapter
from .exceptions import LoyaltyError
from .messages import club, pipeline
from .models import Medium, MessagingSettings

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def sync_order_task(order_id: str) -> None:
    with saleor_adapter.writer_connection():
        facts = saleor_adapter.order_facts(order_id)
        if facts is None:
            return
        try:
            result = ledger.sync_order(facts, saleor_adapter.channel_facts)
        except LoyaltyError:
            logger.exception("Loyalty sync refused order %s", order_id)
            return
    if result.earned is not None:
        _notify_points_earned(facts, result.earned)


def _notify_points_earned(facts, entry) -> None:
    """Club news after the ledger committed; a messaging failure never touches the points."""
    if not facts.email:
        return
    try:
        with saleor_adapter.writer_connection():
            if not MessagingSettings.objects.filter(channel_slug=facts.channel_slug, club_messages_enabled=True).exists():
                return
            entry.account.refresh_from_db(fields=["balance"])
            club.send(pipeline.Outgoing(
                category="points_earned", medium=Medium.EMAIL, channel_slug=facts.channel_slug, address=facts.email,
                language_code=facts.language_code,
                context={"points": entry.points, "balance": entry.account.balance, "order_number": facts.number},
            ), timezone.now())
    except Exception:
        logger.exception("Points-earned message for order %s failed", facts.order_id)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def attach_guest_points_task(user_id: int, email: str) -> None:
    with saleor_adapter.writer_connection():
        ledger.attach_guest_accounts(user_id, email)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def record_checkout_activity_task(token: str, channel_slug: str, user_id: int | None, email: str,
                                  seen_at: str) -> None:
    with saleor_adapter.writer_connection():
        abandonment.record_checkout_activity(token, channel_slug, user_id, email, datetime.fromisoformat(seen_at))


SWEEP_EVERY_MINUTES = 5


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def recovery_sweep_task() -> None:
    """Beat: snapshot newly abandoned checkouts, send due reminders and deferred club news; each bounded per run."""
    shop = saleor_adapter.SaleorShop()
    with saleor_adapter.writer_connection():
        abandonment.sweep(shop, timezone.now())
        recovery.process_due(shop, timezone.now())
        club.retry_due(timezone.now())


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def attribute_order_task(order_id: str) -> None:
    """A new order stops its person's reminders and may recover an abandoned checkout."""
    with saleor_adapter.writer_connection():
        order = saleor_adapter.order_ref(order_id)
        if order is not None:
            attribution.record_order(order, timezone.now())


saleor_adapter.register_beat("loyalty-recovery-sweep", recovery_sweep_task.s(), SWEEP_EVERY_MINUTES)
