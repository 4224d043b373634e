"""Celery tasks behind the plugin's hooks. They take ids, re-read Saleor, and rely on the ledger's idempotency.

Saleor's Celery app autodiscovers this module (it imports `<plugin package>.tasks`). Retries are
only for transient database errors; a retried or redelivered task converges to the same rows.
"""

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import (abandonment, birthdays, cashback, expiry, ledger, order_sweep, programs, redemption,
               saleor_adapter, tier_evaluation)
from .exceptions import LoyaltyError
from .models import LoyaltyAccount

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)
EXPIRY_BATCHES_PER_RUN = 500  # 1M lots at 2,000 a batch; the next run resumes from the cursor


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


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def expire_lots_task() -> None:
    with saleor_adapter.writer_connection():
        expiry.expire_due_lots(max_batches=EXPIRY_BATCHES_PER_RUN)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def queue_expiry_reminders_task() -> None:
    with saleor_adapter.writer_connection():
        expiry.queue_expiry_reminders()


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def sweep_changed_orders_task() -> None:
    with saleor_adapter.writer_connection():
        order_sweep.sweep_changed_orders(
            saleor_adapter.orders_changed_after, saleor_adapter.order_facts, saleor_adapter.channel_facts
        )


TIER_EVALUATION_BATCHES_PER_RUN = 200


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def evaluate_tiers_task() -> None:
    """Hourly: evaluates members not yet evaluated on their program's local date, a bounded number of
    batches per run; the first run after local midnight starts the day's pass, later runs finish it."""
    with saleor_adapter.writer_connection():
        tier_evaluation.evaluate_all(max_batches=TIER_EVALUATION_BATCHES_PER_RUN)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def birthday_gifts_task() -> None:
    """Hourly, so every program's local day is covered whatever its timezone; gifts are keyed per year."""
    with saleor_adapter.writer_connection():
        birthdays.give_all_birthday_gifts()


def register_periodic_tasks(app) -> None:
    """Beat entries in Saleor's Celery app, added when it autodiscovers this module (no settings change).

    Expiry runs every 15 minutes: lots expire at the end of a local day in each channel's own
    timezone, so one daily UTC run would be hours late somewhere; a run with nothing due costs one query.
    """
    app.add_periodic_task(timedelta(minutes=15), expire_lots_task.s(), name="loyalty-expire-lots")
    app.add_periodic_task(timedelta(hours=1), queue_expiry_reminders_task.s(), name="loyalty-expiry-reminders")
    app.add_periodic_task(timedelta(minutes=10), sweep_changed_orders_task.s(), name="loyalty-order-sweep")
    app.add_periodic_task(timedelta(hours=1), evaluate_tiers_task.s(), name="loyalty-tier-evaluation")
    app.add_periodic_task(timedelta(hours=1), birthday_gifts_task.s(), name="loyalty-birthday-gifts")


def _saleor_celery_app():
    """Saleor's Celery app when running inside Saleor; None for the engine alone (call the functions)."""
    from django.conf import settings

    if "saleor.core" not in settings.INSTALLED_APPS:
        return None
    from saleor.celeryconf import app

    return app


if (_app := _saleor_celery_app()) is not None:
    register_periodic_tasks(_app)
