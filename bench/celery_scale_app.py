"""The Celery app of `bench/celery_scale.py`: what each bench worker process imports (`-A celery_scale_app`).

Engine-tier settings (`tests.engine.settings`) on the bench database named by DATABASE_URL, the machine's
RabbitMQ (CELERY_BROKER_URL), acks late and redelivery of a lost worker's message. The task is the
real order task's body without Saleor: the order's facts come from `order_facts`, a deterministic
generator keyed by order index and the stage of the order's life the event saw (so a late event
carries stale facts, which is harsher than the real task re-reading Saleor), and go to the same
engine entry point the real task calls (`orders.sync.sync_order`) with an in-memory cards adapter.
"""

import os
import uuid
from datetime import UTC, datetime
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.engine.settings")

import django  # noqa: E402

django.setup()

from django.db import connections  # noqa: E402

# Saleor's workers keep their database connection (DB_CONN_MAX_AGE, 600 s by default); the engine-tier
# settings close it after every task, which would make each event pay for a new PostgreSQL backend.
connections["default"].settings_dict["CONN_MAX_AGE"] = int(os.environ.get("BENCH_CONN_MAX_AGE", "600"))

from celery import Celery  # noqa: E402
from celery.signals import worker_ready  # noqa: E402
from django.db import InterfaceError, OperationalError, connection  # noqa: E402

from saleor_loyalty.core.facts import OrderFacts, OrderLineFacts  # noqa: E402
from saleor_loyalty.orders import sync as orders  # noqa: E402
from tests.engine.cards import InMemoryCards  # noqa: E402

CHANNEL = "bench-celery"
ORDER_NAMESPACE = uuid.UUID("6b0c9f3e-4a57-4d43-9a39-2f1b7c9e0b61")
PAID_AT = datetime(2026, 11, 1, tzinfo=UTC)
# Stages of an order's life; an event carries the stage it saw. Later stages include earlier ones.
PAID, REFUND_1, REFUND_2, CANCEL = "paid", "refund1", "refund2", "cancel"
DONE_TABLE = "bench_celery_done"
READY_TABLE = "bench_celery_ready"

app = Celery("h6bench_celery_scale")
app.conf.update(
    broker_url=os.environ.get("CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"),
    task_acks_late=True,  # acknowledged only after the task ran: a killed worker's message goes back
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)
cards = InMemoryCards()  # the default program pays no cashback, so the cards are never touched


def order_amount(index: int) -> Decimal:
    return Decimal(50 + (index * 7919) % 2400) + Decimal("0.90")


def order_facts(index: int, stage: str, members: int) -> OrderFacts:
    """The order as Saleor reported it at `stage`: deterministic, so the driver can check the result."""
    gross = order_amount(index)
    line = OrderLineFacts(
        "1", "Bench item", "BENCH-1", 1, (gross / Decimal("1.18")).quantize(Decimal("0.01")), gross
    )
    refunded = {
        REFUND_1: (gross / 4).quantize(Decimal("0.01")),
        REFUND_2: (gross / 2).quantize(Decimal("0.01")),
    }
    return OrderFacts(
        order_id=uuid.uuid5(ORDER_NAMESPACE, str(index)),
        number=str(index),
        channel_slug=CHANNEL,
        currency="ILS",
        user_id=1 + index % members,
        email="",
        lines=(line,),
        shipping_gross=Decimal(0),
        total_gross=gross,
        is_paid=True,
        paid_at=PAID_AT,
        refunded_amount=refunded.get(stage, Decimal(0)),
        is_cancelled=stage == CANCEL,
    )


@app.task(bind=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=8)
def bench_sync_order(self, event_id: int, index: int, stage: str, members: int) -> None:
    orders.sync_order(order_facts(index, stage, members), cards)
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {DONE_TABLE} (event_id, worker, redelivered) VALUES (%s, %s, %s) "
            f"ON CONFLICT (event_id) DO UPDATE SET runs = {DONE_TABLE}.runs + 1, "
            f"redelivered = {DONE_TABLE}.redelivered OR EXCLUDED.redelivered",
            [event_id, self.request.hostname or "", redelivered],
        )


@worker_ready.connect
def _say_ready(sender=None, **_):
    """The driver publishes a phase's events once all its workers are consuming."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {READY_TABLE} (worker) VALUES (%s)", [sender.hostname])
    connection.close()
