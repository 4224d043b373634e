"""Celery tasks behind the plugin's hooks and the club's periodic jobs.

Tasks take ids, re-read Saleor and rely on the engine's idempotency: a retried or redelivered task
converges to the same rows. Retries are only for transient database errors. Saleor's Celery app
autodiscovers this module (it imports `<plugin package>.tasks`); the beat entries are added to it
here, so installing the plugin needs no change to Saleor's settings.
"""

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.utils import timezone

from saleor_loyalty.benefits import birthdays
from saleor_loyalty.engagement import actions as club_actions
from saleor_loyalty.engagement import (
    anniversary,
    bulk_grants,
    challenge_passes,
    membership_jobs,
    membership_merge,
    referral_orders,
    referrals,
)
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.insights import (
    book_rollups,
    campaign_sending,
    campaign_sms,
    greetings,
    nps,
    tracking,
    winback,
)
from saleor_loyalty.insights import rollups as kpi_rollups
from saleor_loyalty.insights import segments as insights_segments
from saleor_loyalty.ledger import expiry, reconciliation
from saleor_loyalty.members import privacy
from saleor_loyalty.messages import club, club_news
from saleor_loyalty.models import BuiltinAction, LoyaltyAccount
from saleor_loyalty.orders import sweep as order_sweep
from saleor_loyalty.orders import sync as orders
from saleor_loyalty.recovery import abandonment, attribution, sequences
from saleor_loyalty.rewards import cashback
from saleor_loyalty.saleor_adapter import (
    abandoned_checkouts,
    customers,
    gift_cards,
    order_rollups,
    runtime,
    shop,
)
from saleor_loyalty.saleor_adapter import orders as saleor_orders
from saleor_loyalty.saleor_adapter.referral_vouchers import saleor_referrals
from saleor_loyalty.tasks.order_hooks import AFTER_LEDGER, TRANSIENT, roll_up_kpis, run_hooks
from saleor_loyalty.tiers import evaluation as tier_evaluation

logger = logging.getLogger(__name__)

EXPIRY_BATCHES_PER_RUN = 500  # 1M lots at 2,000 a batch; the next run resumes from the cursor
TIER_EVALUATION_BATCHES_PER_RUN = 200
RECONCILE_BATCHES_PER_RUN = 200  # 100k accounts at 500 a batch; the next run resumes from the cursor
REFERRAL_BATCHES_PER_RUN = 20  # 2,000 due referrals a run at 100 a batch; the rest are due next run


BULK_GRANT_BATCHES_PER_RUN = 40  # 20k members a minute at 500 a batch
CHALLENGE_BATCHES_PER_RUN = 500  # 1M members at 2,000 a batch; the next run resumes from the cursor
SEGMENT_BATCHES_PER_RUN = 200  # 1M members at 5,000 a batch; the next run resumes from the cursor
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
    run_hooks((roll_up_kpis,), facts)
    if result is None:
        return
    run_hooks(AFTER_LEDGER, facts)
    if result.earned is not None:
        with runtime.writer_connection():
            club_news.tell_points_earned(facts, result.earned, timezone.now())


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def attach_guest_points_task(user_id: int, email: str) -> None:
    with runtime.writer_connection():
        membership_merge.attach_guest_accounts(user_id, email)
        for account in LoyaltyAccount.objects.filter(user_id=user_id, merged_into__isnull=True):
            cashback.credit_member_cashback(account, gift_cards.saleor_gift_cards)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def account_created_action_task(user_id: int, email: str) -> None:
    """A new Saleor customer earns the account-created action where it is on (once: its key has no object)."""
    with runtime.writer_connection():
        club_actions.record_builtin(BuiltinAction.ACCOUNT_CREATED, user_id, email)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def profile_completed_action_task(user_id: int) -> None:
    """A customer Saleor updated earns the profile-completed action once their profile is complete."""
    with runtime.writer_connection():
        email = customers.complete_profile_email(user_id)
        if email is not None:
            club_actions.record_builtin(BuiltinAction.PROFILE_COMPLETED, user_id, email)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def bulk_grants_task() -> None:
    """Beat: finish running bulk grants, a bounded number of batches per run (each grant resumes its cursor)."""
    with runtime.writer_connection():
        bulk_grants.process_running_grants(max_batches=BULK_GRANT_BATCHES_PER_RUN)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def anniversary_gifts_task() -> None:
    """Hourly, so every program's local day is covered; gifts are keyed per member and year."""
    with runtime.writer_connection():
        anniversary.give_all_anniversary_gifts(gift_cards.saleor_gift_cards)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def forget_customer_task(user_id: int, email: str) -> None:
    with runtime.writer_connection():
        privacy.forget_customer(user_id, email)
        referrals.forget_friend(user_id, email)
        nps.forget_person(user_id, email)


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
    """A new order stops its person's reminders, may recover an abandoned checkout and may convert a campaign."""
    with runtime.writer_connection():
        order = saleor_orders.order_ref(order_id)
        if order is not None:
            attribution.record_order(order, timezone.now())
            tracking.attribute_order(order, timezone.now())


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
            _sweep_one,
        )


def _sweep_one(facts):
    """What the hooks' task does for one order: the ledger first, then the hooks after it."""
    result = orders.sync_order(facts, gift_cards.saleor_gift_cards, shop.channel_facts)
    run_hooks((roll_up_kpis, *AFTER_LEDGER), facts)
    return result


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def reward_due_referrals_task() -> None:
    """Beat: reward referrals whose friend's order passed its pending period unrefunded (bounded per run)."""
    with runtime.writer_connection():
        referral_orders.reward_due(
            saleor_referrals, max_batches=REFERRAL_BATCHES_PER_RUN, cards=gift_cards.saleor_gift_cards
        )


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
    """Beat: tell members about tier upgrades, credited cashback and actions (each once)."""
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
def membership_task() -> None:
    """Beat: end paid memberships whose term ran out (in the program's timezone), then "ending soon" and
    "ended" notices, then this month's gifts; each bounded per run and resumed by the next."""
    with runtime.writer_connection():
        membership_jobs.expire_due()
        membership_jobs.send_reminders()
        membership_jobs.send_ended_notices()
        membership_jobs.give_all_monthly_gifts(cards=gift_cards.saleor_gift_cards)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def evaluate_challenges_task() -> None:
    """Hourly: the members whose facts changed since the last pass (every member after a challenge
    changed), resumed from where the pass stopped; catches what order events missed (a lost event, an
    action recorded without an order)."""
    with runtime.writer_connection():
        challenge_passes.evaluate_all(max_batches=CHALLENGE_BATCHES_PER_RUN)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def compute_segments_task() -> None:
    """Hourly beat, one pass per program and local day: RFM scores, named segments, the day's sizes."""
    with runtime.writer_connection():
        insights_segments.compute_segments(max_batches=SEGMENT_BATCHES_PER_RUN)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def flows_task() -> None:
    """Beat: start today's birthday and anniversary greetings, send due win-back and greeting steps."""
    with runtime.writer_connection():
        greetings.start_greetings(timezone.now())
        winback.process_due(abandoned_checkouts.SaleorShop(), timezone.now())


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def campaigns_task() -> None:
    """Beat, every minute (the throttle's unit): start due campaigns, enrol, send bounded batches (email, then
    SMS, whose numbers come from Saleor's addresses)."""
    with runtime.writer_connection():
        campaign_sending.run()
        campaign_sms.run(abandoned_checkouts.SaleorShop())


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def nps_surveys_task() -> None:
    """Beat: hand due NPS surveys to club messaging (deferred ones go out with club news retries)."""
    with runtime.writer_connection():
        nps.send_due()


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
        "loyalty-referral-rewards": (reward_due_referrals_task, timedelta(minutes=15)),
        "loyalty-bulk-grants": (bulk_grants_task, timedelta(minutes=1)),
        "loyalty-anniversary-gifts": (anniversary_gifts_task, timedelta(hours=1)),
        "loyalty-membership": (membership_task, timedelta(minutes=15)),
        "loyalty-challenges": (evaluate_challenges_task, timedelta(hours=1)),
        "loyalty-segments": (compute_segments_task, timedelta(hours=1)),
        "loyalty-flows": (flows_task, timedelta(minutes=5)),
        "loyalty-campaigns": (campaigns_task, timedelta(minutes=1)),
        "loyalty-nps-surveys": (nps_surveys_task, timedelta(minutes=15)),
        "loyalty-kpi-rollups": (kpi_rollups_task, timedelta(minutes=10)),
    }
    for name, (task, interval) in every.items():
        app.add_periodic_task(interval, task.s(), name=name)


if (_saleor_app := runtime.saleor_celery_app()) is not None:
    register_periodic_tasks(_saleor_app)
