"""Safety net for lost events: re-sync every Saleor order that changed since the last sweep.

Hooks enqueue a task after Saleor's commit; if the broker is down or a worker dies, that event is
gone. Because `ledger.sync_order` converges on the order's current state, re-syncing orders whose
`updated_at` moved is enough to catch up, and costs nothing when the hook already did the work.

Resumable: the (updated_at, id) position is saved after each batch. Multi-worker safe: a run holds
a PostgreSQL advisory lock for its duration; a second worker finds it taken and returns at once
(the lock is released by the database if the worker dies).
"""

import logging
from datetime import timedelta

from django.utils import timezone

from saleor_loyalty.core.jobs import JobRun, single_runner
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.models import JobCursor

logger = logging.getLogger(__name__)

SWEEP = "order-sweep"
FIRST_LOOKBACK = timedelta(days=2)


def sweep_changed_orders(
    changed_after, load_facts, sync, now=None, batch_size: int = 200, max_batches: int = 50
) -> JobRun:
    """`changed_after(moment, last_key, limit)` lists (order id, updated_at); `load_facts(id)` reads one;
    `sync(facts)` is the same per-order sync the hooks' task runs (`orders.sync_order`)."""
    run = JobRun()
    with single_runner(SWEEP) as mine:
        if mine:
            _sweep(run, changed_after, load_facts, sync, now, batch_size, max_batches)
    return run


def _sweep(run, changed_after, load_facts, sync, now, batch_size, max_batches) -> None:
    cursor, _ = JobCursor.objects.get_or_create(
        name=SWEEP, defaults={"moment": (now or timezone.now()) - FIRST_LOOKBACK}
    )
    while run.batches < max_batches:
        changed = changed_after(cursor.moment, cursor.last_key, batch_size)
        if not changed:
            break
        for order_id, _ in changed:
            facts = load_facts(order_id)
            if facts is None:
                continue
            try:
                result = sync(facts)
            except LoyaltyError:
                logger.exception("Order sweep could not sync order %s", order_id)
                continue
            run.written += (result.earned is not None) + (result.reversed is not None)
        cursor.last_key, cursor.moment = changed[-1]
        cursor.save(update_fields=["last_key", "moment", "updated_at"])
        run.batches += 1
        run.seen += len(changed)
