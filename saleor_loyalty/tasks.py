"""Celery tasks behind the plugin's hooks and the club's periodic jobs.

Tasks take ids, re-read Saleor and rely on the engine's idempotency: a retried or redelivered task
converges to the same rows. Retries are only for transient database errors. Saleor's Celery app
autodiscovers this module (it imports `<plugin package>.tasks`); the beat entries are added to it
here, so installing the plugin needs no change to Saleor's settings.
"""

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.benefits import birthdays
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.insights import book_rollups
from saleor_loyalty.insights import rollups as kpi_rollups
from saleor_loyalty.ledger import expiry, reconciliation
from saleor_loyalty.members import privacy
from saleor_loyalty.messages import club, club_news
from saleor_loyalty.models import LoyaltyAccount
from saleor_loyalty.orders import sweep as order_sweep
from saleor_loyalty.orders import sync as orders
from saleor_loyalty.recovery import abandonment, attribution, sequences
from saleor_loyalty.rewards import cashback
from saleor_loyalty.saleor_adapter import abandoned_checkouts, gift_cards, order_rollups, runtime, shop
from saleor_loyalty.saleor_adapter import orders as saleor_orders
from saleor_loyalty.tiers import evaluation as tier_evaluation

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)
EXPIRY_BATCHES_PER_RUN = 500  # 1M lots at 2,000 a batch; the next run resumes from the cursor
TIER_EVALUATION_BATCHES_PER_RUN = 200
RECONCILE_BATCHES_PER_RUN = 200  # 100k accounts at 500 a batch; the next run resumes from the cursor
KPI_BATCHES_PER_RUN = 100  # 50k orders (500 a batch) or 500k book rows (5,000 a batch) per run


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def sync_order_task(order_id: str) -> None:
    with runtime.writer_connection():
        facts = saleor_orders.order_facts(order_id)
        if facts is None:
            return
        try:
            result = orders.sync_order(facts, gift_cards.saleor_gift_cards, shop.channel_facts)
        except LoyaltyError:
            logger.exception("Loyalty sync refused order %s", order_id)
            result = None
        if (rollup := order_rollups.rollup_facts(facts)) is not None:
            kpi_rollups.record_order(rollup)  # members' and guests' orders alike, idempotent per order
    if result is None:
        return
    if result.earned is not None:
        with runtime.writer_connection():
            club_news.tell_points_earned(facts, result.earned, timezone.now())


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def attach_guest_points_task(user_id: int, email: str) -> None:
    with runtime.writer_connection():
        ledger.attach_guest_accounts(user_id, email)
        for account in LoyaltyAccount.objects.filter(user_id=user_id, merged_into__isnull=True):
            cashback.credit_member_cashback(account, gift_cards.saleor_gift_cards)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def forget_customer_task(user_id: int, email: str) -> None:
    with runtime.writer_connection():
        privacy.forget_customer(user_id, email)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def record_checkout_activity_task(
    token: str, channel_slug: str, user_id: int | None, email: str, seen_at: str
) -> None:
    with runtime.writer_connection():
        abandonment.record_checkout_activity(
            token, channel_slug, user_id, email, datetime.fromisoformat(seen_at)
        )


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def attribute_order_task(order_id: str) -> None:
    """A new order stops its person's reminders and may recover an abandoned checkout."""
    with runtime.writer_connection():
        order = saleor_orders.order_ref(order_id)
        if order is not None:
            attribution.record_order(order, timezone.now())


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def credit_due_cashback_task() -> int:
    """Beat job: put cashback whose pending period is over on members' cards (bounded per run)."""
    with runtime.writer_connection():
        return cashback.credit_due_cashback(gift_cards.saleor_gift_cards)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def expire_lots_task() -> None:
    with runtime.writer_connection():
        expiry.expire_due_lots(max_batches=EXPIRY_BATCHES_PER_RUN)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def queue_expiry_reminders_task() -> None:
    with runtime.writer_connection():
        expiry.queue_expiry_reminders()
        expiry.send_expiry_reminders()


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def sweep_changed_orders_task() -> None:
    with runtime.writer_connection():
        order_sweep.sweep_changed_orders(
            saleor_orders.orders_changed_after,
            saleor_orders.order_facts,
            _sync_and_roll_up,
        )


def _sync_and_roll_up(facts):
    """The sweep's per-order sync: the ledger, then the KPI roll-ups (so a lost refund event is caught too)."""
    result = orders.sync_order(facts, gift_cards.saleor_gift_cards, shop.channel_facts)
    if (rollup := order_rollups.rollup_facts(facts)) is not None:
        kpi_rollups.record_order(rollup)
    return result


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def evaluate_tiers_task() -> None:
    """Hourly: evaluates members not yet evaluated on their program's local date, a bounded number of
    batches per run; the first run after local midnight starts the day's pass, later runs finish it."""
    with runtime.writer_connection():
        tier_evaluation.evaluate_all(max_batches=TIER_EVALUATION_BATCHES_PER_RUN)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def birthday_gifts_task() -> None:
    """Hourly, so every program's local day is covered whatever its timezone; gifts are keyed per year."""
    with runtime.writer_connection():
        birthdays.give_all_birthday_gifts(cards=gift_cards.saleor_gift_cards)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def club_news_task() -> None:
    """Beat: tell members about tier upgrades and credited cashback (each once)."""
    with runtime.writer_connection():
        club_news.send_club_news()


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def recovery_sweep_task() -> None:
    """Beat: snapshot newly abandoned checkouts, send due reminders and deferred club news; each bounded per run."""
    shop = abandoned_checkouts.SaleorShop()
    with runtime.writer_connection():
        abandonment.sweep(shop, timezone.now())
        sequences.process_due(shop, timezone.now())
        club.retry_due(timezone.now())


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def reconcile_accounts_task() -> None:
    """Hourly beat, one pass a night: cached balances vs ledger rows, cards vs credit rows; drift is
    recorded and logged for staff, never repaired here (`loyaltyReconciliationRepair`)."""
    with runtime.writer_connection():
        reconciliation.reconcile_accounts(gift_cards.saleor_gift_cards, max_batches=RECONCILE_BATCHES_PER_RUN)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def kpi_rollups_task() -> None:
    """Beat: fold new ledger and credit rows into the KPI roll-ups, and walk Saleor's orders by number
    (the first runs backfill history; later ones catch orders whose event was lost). Bounded per run."""
    with runtime.writer_connection():
        book_rollups.roll_up_books(max_batches=KPI_BATCHES_PER_RUN)
        kpi_rollups.backfill(order_rollups.orders_after_number, max_batches=KPI_BATCHES_PER_RUN)


def register_periodic_tasks(app) -> None:
    """Beat entries of every club job. Each is resumable, bounded per run and safe on several workers.

    Jobs tied to a local day (expiry, tiers, birthdays) run every 15-60 minutes rather than once a
    day: each channel's midnight is in its own timezone, and a run with nothing due costs one query.
    """
    every = {
        "loyalty-expire-lots": (expire_lots_task, timedelta(minutes=15)),
        "loyalty-expiry-reminders": (queue_expiry_reminders_task, timedelta(hours=1)),
        "loyalty-order-sweep": (sweep_changed_orders_task, timedelta(minutes=10)),
        "loyalty-tier-evaluation": (evaluate_tiers_task, timedelta(hours=1)),
        "loyalty-birthday-gifts": (birthday_gifts_task, timedelta(hours=1)),
        "loyalty-credit-due-cashback": (credit_due_cashback_task, timedelta(minutes=15)),
        "loyalty-recovery-sweep": (recovery_sweep_task, timedelta(minutes=5)),
        "loyalty-club-news": (club_news_task, timedelta(minutes=5)),
        "loyalty-reconciliation": (reconcile_accounts_task, timedelta(hours=1)),
        "loyalty-kpi-rollups": (kpi_rollups_task, timedelta(minutes=10)),
    }
    for name, (task, interval) in every.items():
        app.add_periodic_task(interval, task.s(), name=name)


if (_saleor_app := runtime.saleor_celery_app()) is not None:
    register_periodic_tasks(_saleor_app)
