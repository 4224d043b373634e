"""Celery tasks behind the plugin's hooks. They take ids, re-read Saleor, and rely on the ledger's idempotency.

Saleor's Celery app autodiscovers this module (it imports `<plugin package>.tasks`). Retries are
only for transient database errors; a retried or redelivered task converges to the same rows.
"""

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import abandonment, cashback, ledger, programs, redemption, saleor_adapter
from .exceptions import LoyaltyError
from .models import LoyaltyAccount

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def sync_order_task(order_id: str) -> None:
    with saleor_adapter.writer_connection():
        facts = saleor_adapter.order_facts(order_id)
        if facts is None:
            return
        try:
            ledger.sync_order(facts, saleor_adapter.channel_facts)
            cashback.sync_order_cashback(facts, saleor_adapter.gift_cards, saleor_adapter.channel_facts)
            program = programs.get_program(facts.channel_slug, saleor_adapter.channel_facts)
            redemption.sync_order_card_return(facts, program, saleor_adapter.gift_cards)
        except LoyaltyError:
            logger.exception("Loyalty sync refused order %s", order_id)


CREDIT_DUE_CASHBACK_EVERY = timedelta(minutes=15)
BEAT_SCHEDULE = {
    "loyalty-credit-due-cashback": {
        "task": "saleor_loyalty.tasks.credit_due_cashback_task",
        "schedule": CREDIT_DUE_CASHBACK_EVERY,
    },
}
"""Add to Saleor's `CELERY_BEAT_SCHEDULE` (e.g. `CELERY_BEAT_SCHEDULE.update(tasks.BEAT_SCHEDULE)`)."""


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def credit_due_cashback_task() -> int:
    """Beat job: put cashback whose pending period is over on members' cards (bounded per run)."""
    with saleor_adapter.writer_connection():
        return cashback.credit_due_cashback(saleor_adapter.gift_cards)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def attach_guest_points_task(user_id: int, email: str) -> None:
    with saleor_adapter.writer_connection():
        ledger.attach_guest_accounts(user_id, email)
        for account in LoyaltyAccount.objects.filter(user_id=user_id, merged_into__isnull=True):
            cashback.credit_member_cashback(account, saleor_adapter.gift_cards)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def record_checkout_activity_task(token: str, channel_slug: str, user_id: int | None, email: str,
                                  seen_at: str) -> None:
    with saleor_adapter.writer_connection():
        abandonment.record_checkout_activity(token, channel_slug, user_id, email, datetime.fromisoformat(seen_at))
