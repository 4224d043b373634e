"""Order roll-ups: every Saleor order (members' and guests') folded into per-day and per-cohort counters.

Each order keeps one `OrderRollup` row with what it last contributed. Recording an order locks that
row, computes what the order contributes now (counted or not, net revenue, refunds) and applies only
the difference, so the same event delivered twice adds nothing and a refund months later moves the
numbers once. A buyer's cohort and return cells are recomputed from their own month rows (a handful),
so an order arriving late that becomes the buyer's first moves the whole buyer to the right cohort,
and a late order between two months re-links the months after it.

Lock order, the same in every transaction: order row, buyer row, buyer-month rows, cohort cells,
return cells and day rows in key order. Two workers recording orders of the same buyer therefore queue, never deadlock.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from saleor_loyalty.core.clock import local_date
from saleor_loyalty.core.facts import OrderFacts
from saleor_loyalty.core.jobs import JobRun, claim_cursor
from saleor_loyalty.models import (
    ChannelDayRollup,
    CohortCell,
    CustomerMonth,
    CustomerRollup,
    LoyaltyProgram,
    OrderRollup,
    ReturnCell,
)

ZERO = Decimal(0)
DEFAULT_TIMEZONE = (
    "Asia/Jerusalem"  # the program model's default, for a channel whose program is not set up yet
)
BACKFILL_JOB = "kpi-order-backfill"


@dataclass(frozen=True)
class OrderRollupFacts:
    """What the roll-ups need of a Saleor order, read by the adapter (or built by tests)."""

    order_id: object
    channel_slug: str
    currency: str
    user_id: int | None
    email: str
    created_at: datetime
    total_gross: Decimal
    refunded_amount: Decimal = ZERO
    is_paid: bool = False
    is_cancelled: bool = False

    @classmethod
    def of_order(cls, order: OrderFacts, created_at: datetime) -> "OrderRollupFacts":
        """The roll-up's view of an order the ledger sync has read: only its creation time is new."""
        return cls(
            order_id=order.order_id,
            channel_slug=order.channel_slug,
            currency=order.currency,
            user_id=order.user_id,
            email=order.email,
            created_at=created_at,
            total_gross=order.total_gross,
            refunded_amount=order.refunded_amount,
            is_paid=order.is_paid,
            is_cancelled=order.is_cancelled,
        )


def customer_key(user_id: int | None, email: str) -> str:
    """A signed-up customer by id (a club member); a guest by the hash of their address (never stored)."""
    if user_id is not None:
        return f"user:{user_id}"
    return "email:" + hashlib.sha256((email or "").strip().lower().encode()).hexdigest()


def month_of(day: date) -> date:
    return day.replace(day=1)


def _timezone(channel_slug: str) -> str:
    tz = LoyaltyProgram.objects.filter(channel_slug=channel_slug).values_list("timezone", flat=True).first()
    return tz or DEFAULT_TIMEZONE


def _contribution(facts: OrderRollupFacts) -> tuple[bool, Decimal, Decimal]:
    """(counted, net revenue, refunded): a paid order counts until it is cancelled or refunded in full."""
    refunded = max(facts.refunded_amount, ZERO)
    net = max(facts.total_gross - refunded, ZERO)
    counted = facts.is_paid and not facts.is_cancelled and net > 0
    return counted, net if counted else ZERO, refunded


def _add(model, constraint: str, keys: dict, deltas: dict) -> None:
    """Insert the row or add the deltas to it, in one statement (concurrent adders never lose an update)."""
    table = model._meta.db_table
    columns = [*keys, *deltas]
    updates = ", ".join(f"{name} = {table}.{name} + EXCLUDED.{name}" for name in deltas)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
            f"ON CONFLICT ON CONSTRAINT {constraint} DO UPDATE SET {updates}",
            [*keys.values(), *deltas.values()],
        )


def _locked(model, constraint: str, lookup: dict, defaults: dict):
    """The row for `lookup`, created with `defaults` when missing, locked for this transaction."""
    table = model._meta.db_table
    values = {**lookup, **defaults}
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join(['%s'] * len(values))}) "
            f"ON CONFLICT ON CONSTRAINT {constraint} DO NOTHING",
            list(values.values()),
        )
    return model.objects.select_for_update().get(**lookup)


def _cells(months: list[CustomerMonth]) -> dict[tuple[date, date], tuple[int, int, int, Decimal]]:
    """A buyer's share of the cohort table: once per month they ordered in, under their first month."""
    active = [row for row in months if row.orders > 0]
    if not active:
        return {}
    first = min(row.month for row in active)
    return {(first, row.month): (1, int(row.is_member), row.orders, row.revenue) for row in active}


def _returns(months: list[CustomerMonth]) -> dict[tuple[date, date], tuple[int, int, int]]:
    """A buyer's share of the return cells: once per month they ordered in, under the month they ordered
    in before it (their first month under itself, counted as a repeat buyer from their second order)."""
    active = sorted((row for row in months if row.orders > 0), key=lambda row: row.month)
    repeat = int(sum(row.orders for row in active) >= 2)
    cells, previous = {}, None
    for row in active:
        cells[(row.month, previous or row.month)] = (1, int(row.is_member), repeat if previous is None else 0)
        previous = row.month
    return cells


COHORT_COUNTERS = ("customers", "member_customers", "orders", "revenue")
RETURN_COUNTERS = ("customers", "member_customers", "repeat_customers")


def _apply_differences(model, constraint: str, key_names, counters, channel_slug, before, after) -> None:
    """Add after − before, cell by cell in key order (the lock order); unchanged cells are not touched."""
    zero = (0,) * len(counters)
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, zero), after.get(key, zero)
        if old != new:
            _add(
                model,
                constraint,
                {"channel_slug": channel_slug, **dict(zip(key_names, key, strict=True))},
                {name: n - o for name, n, o in zip(counters, new, old, strict=True)},
            )


def _customer_rows(channel_slug: str, key: str) -> list[CustomerMonth]:
    return list(CustomerMonth.objects.filter(channel_slug=channel_slug, customer_key=key).order_by("month"))


def _move_customer(row: OrderRollup, old: tuple, new: tuple) -> None:
    """Apply an order's change to its buyer: orders and revenue per month, then the buyer's cells."""
    customer = _locked(
        CustomerRollup,
        "loyalty_kpi_customer_uniq",
        {"channel_slug": row.channel_slug, "customer_key": row.customer_key},
        {"is_member": row.is_member, "orders": 0, "revenue": ZERO},
    )
    before = _customer_rows(row.channel_slug, row.customer_key)
    for (counted, revenue, day), sign in ((old, -1), (new, 1)):
        if counted:
            _add(
                CustomerMonth,
                "loyalty_kpi_customer_month_uniq",
                {
                    "channel_slug": row.channel_slug,
                    "customer_key": row.customer_key,
                    "month": month_of(day),
                    "is_member": row.is_member,
                },
                {"orders": sign, "revenue": sign * revenue},
            )
    months = _customer_rows(row.channel_slug, row.customer_key)
    _apply_differences(
        CohortCell, "loyalty_kpi_cohort_cell_uniq", ("cohort_month", "month"), COHORT_COUNTERS,
        row.channel_slug, _cells(before), _cells(months),
    )  # fmt: skip
    _apply_differences(
        ReturnCell, "loyalty_kpi_return_cell_uniq", ("month", "previous_month"), RETURN_COUNTERS,
        row.channel_slug, _returns(before), _returns(months),
    )  # fmt: skip
    active = [month for month in months if month.orders > 0]
    customer.first_month = min((month.month for month in active), default=None)
    customer.orders = sum(month.orders for month in active)
    customer.revenue = sum((month.revenue for month in active), ZERO)
    customer.save(update_fields=["first_month", "orders", "revenue"])


def _move_days(row: OrderRollup, currency: str, old: tuple, new: tuple, refund_delta: Decimal) -> None:
    changes: dict[date, dict] = {}
    for (counted, revenue, day), sign in ((old, -1), (new, 1)):
        delta = changes.setdefault(
            day, {"orders": 0, "member_orders": 0, "revenue": ZERO, "member_revenue": ZERO}
        )
        if counted:
            delta["orders"] += sign
            delta["revenue"] += sign * revenue
            if row.is_member:
                delta["member_orders"] += sign
                delta["member_revenue"] += sign * revenue
    changes.setdefault(new[2], {"orders": 0, "member_orders": 0, "revenue": ZERO, "member_revenue": ZERO})
    changes[new[2]]["refunded"] = refund_delta
    for day in sorted(changes):
        deltas = {"refunded": ZERO, **changes[day]}
        if any(deltas.values()):
            _add(
                ChannelDayRollup,
                "loyalty_kpi_day_uniq",
                {"channel_slug": row.channel_slug, "day": day, "currency": currency},
                deltas,
            )


def record_order(facts: OrderRollupFacts, tz_name: str | None = None) -> bool:
    """Fold the order's current state into the roll-ups; True when anything changed.

    Idempotent: the order's row holds its last contribution and only the difference is applied, so
    replays, duplicates and out-of-order events converge on the order's current state.
    """
    counted, revenue, refunded = _contribution(facts)
    day = local_date(facts.created_at, tz_name or _timezone(facts.channel_slug))
    with transaction.atomic():
        row = _locked(
            OrderRollup,
            "loyalty_kpi_order_uniq",
            {"order_id": facts.order_id},
            {
                "channel_slug": facts.channel_slug,
                "currency": facts.currency,
                "customer_key": customer_key(facts.user_id, facts.email),
                "is_member": facts.user_id is not None,
                "day": day,
                "counted": False,
                "revenue": ZERO,
                "refunded": ZERO,
                "updated_at": timezone.now(),
            },
        )
        old, new = (row.counted, row.revenue, row.day), (counted, revenue, day)
        if old == new and row.refunded == refunded:
            return False
        if old != new:
            _move_customer(row, old, new)
        _move_days(row, row.currency, old, new, refunded - row.refunded)
        row.counted, row.revenue, row.day, row.refunded = counted, revenue, day, refunded
        row.save(update_fields=["counted", "revenue", "day", "refunded", "updated_at"])
    return True


def backfill(read_batch, batch_size: int = 500, max_batches: int = 100) -> JobRun:
    """Walk Saleor's orders by number from a cursor, a bounded number of batches per run.

    `read_batch(after_number, limit)` answers [(number, OrderRollupFacts)] in number order. Each batch
    commits with the cursor; a second worker finds the cursor taken (SKIP LOCKED) and returns, and a
    batch re-run after a crash changes nothing because recording an order is idempotent. Run
    periodically it also catches orders whose event was lost; refunds reach the roll-ups by the
    order events.
    """
    run = JobRun()
    zones: dict[str, str] = {}
    while run.batches < max_batches:
        with transaction.atomic():
            cursor = claim_cursor(BACKFILL_JOB)
            if cursor is None:
                return run
            batch = read_batch(cursor.last_id, batch_size)
            if not batch:
                return run
            for _number, facts in batch:
                zone = zones.setdefault(facts.channel_slug, _timezone(facts.channel_slug))
                run.written += int(record_order(facts, zone))
            cursor.last_id = batch[-1][0]
            cursor.save(update_fields=["last_id", "updated_at"])
        run.batches += 1
        run.seen += len(batch)
        if len(batch) < batch_size:
            return run
    return run
