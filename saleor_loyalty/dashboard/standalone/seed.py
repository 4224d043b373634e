"""A small, exact shop for the browser tests: channel `il` (₪) with the default ladder, Dana (₪2,500 paid
40 days ago: 2,500 points, Gold) and 24 more members, so the member list has a second page; two guest
orders, the KPI roll-ups of all of them, a challenge with its badge and a saved segment, so the overview's
KPIs and the engagement and insights screens show real numbers; messaging settings, twelve abandoned
checkouts and a reminder decision for each, so the recovery screen's lists have a second page; and one
points drift the nightly reconciliation found (member23), for the settings screen's repair."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import ChannelFacts, OrderFacts, OrderLineFacts
from saleor_loyalty.engagement import challenge_settings
from saleor_loyalty.insights import book_rollups, rollups, saved_segments
from saleor_loyalty.ledger import programs, reconciliation
from saleor_loyalty.messages import consent, pipeline
from saleor_loyalty.models import (
    AbandonedCheckout,
    Badge,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    RecoveryState,
)
from saleor_loyalty.recovery import settings as recovery_settings

CHANNEL = ChannelFacts("il", "ILS", "IL")
DANA = "dana@example.co.il"
OTHER_MEMBERS = 24
ABANDONED_CARTS = 12


def _paid_order(user, amount: Decimal, number: str, days_ago: int) -> OrderFacts:
    line = OrderLineFacts(
        line_id="l1",
        product_name="Challah",
        sku="CH-1",
        quantity=1,
        total_net=(amount / Decimal("1.18")).quantize(Decimal("0.01")),
        total_gross=amount,
    )
    return OrderFacts(
        order_id=uuid.uuid5(uuid.NAMESPACE_URL, f"browser-order-{number}"),
        number=number,
        channel_slug=CHANNEL.slug,
        currency=CHANNEL.currency,
        user_id=user.pk,
        email=user.email,
        lines=(line,),
        shipping_gross=Decimal(0),
        total_gross=amount,
        is_paid=True,
        paid_at=timezone.now() - timedelta(days=days_ago),
    )


def _roll_up(order: OrderFacts) -> None:
    """What `tasks.sync_order_task` does after the ledger: the order joins the KPI roll-ups."""
    rollups.record_order(rollups.OrderRollupFacts.of_order(order, created_at=order.paid_at))


def _roll_up_books() -> None:
    """The ledger rows are minutes young; the book roll-up only takes rows older than its settle time."""
    book_rollups.roll_up_books(now=timezone.now() + book_rollups.SETTLE + timedelta(minutes=1))


def _guest_order(email: str, amount: Decimal, number: str, days_ago: int) -> OrderFacts:
    guest = type("Guest", (), {"pk": None, "email": email})()
    return _paid_order(guest, amount, number, days_ago)


def seed_browser_shop() -> None:
    program = programs.ensure_program(CHANNEL)
    users = get_user_model().objects
    dana = users.create(username="dana", email=DANA, first_name="Dana")
    orders = [_paid_order(dana, Decimal("2500.00"), "1001", days_ago=40)]
    for i in range(1, OTHER_MEMBERS + 1):
        member = users.create(username=f"member{i:02d}", email=f"member{i:02d}@example.co.il")
        orders.append(_paid_order(member, Decimal(100 + 10 * i), str(2000 + i), days_ago=40))
    for order in orders:
        ledger.sync_order(order)
    orders += [
        _guest_order("guest1@example.co.il", Decimal("80.00"), "3001", days_ago=20),
        _guest_order("guest2@example.co.il", Decimal("120.00"), "3002", days_ago=10),
    ]
    for order in orders:
        _roll_up(order)
    _roll_up_books()
    badge = Badge.objects.create(program=program, name="Regular", name_he="קבוע")
    challenge_settings.create_challenge(
        program,
        name="Three orders this month",
        name_he="שלוש הזמנות החודש",
        metric="paid_orders",
        target=3,
        starts_on=timezone.localdate().replace(day=1),
        reward_points=100,
        badge_id=badge.pk,
    )
    saved_segments.create(program, "Big spenders", {"spend_min": "1000"})
    _seed_recovery()
    _seed_drift(program)


def _seed_drift(program) -> None:
    """A row written past the writer path (the cache never saw it), as a bad restore would leave: the
    member's cached balance stays what they were shown, so the overview's numbers do not move, and the
    reconciliation records the drift as it would at night."""
    account = LoyaltyAccount.objects.get(program=program, email="member23@example.co.il")
    LedgerEntry.objects.create(
        account=account,
        kind=EntryKind.ADJUSTMENT,
        points=5,
        source_key="browser-seed:lost-row",
        reason="Restored from a backup",
        available_at=timezone.now(),
    )
    reconciliation.reconcile_accounts()


def _seed_recovery() -> None:
    """Settings through the engine's validation; each cart's first reminder through the real pipeline,
    which logs it BLOCKED (nobody in this shop opted in), so the message log has rows to page through."""
    recovery_settings.update_settings(
        CHANNEL.slug,
        recovery_enabled=True,
        sender_name="Bakery Levi",
        sender_email="shop@bakery-levi.example",
        contact_address="1 Herzl St, Tel Aviv",
        restore_url_template="https://shop.example/cart/restore/{token}",
        last_step_discount_percent=10,
    )
    now = timezone.now()
    for i in range(ABANDONED_CARTS):
        email = f"cart{i:02d}@example.co.il"
        total = Decimal(60 + 10 * i)
        when = now - timedelta(hours=ABANDONED_CARTS - i)
        row = AbandonedCheckout.objects.create(
            checkout_token=uuid.uuid5(uuid.NAMESPACE_URL, f"browser-cart-{i}"),
            channel_slug=CHANNEL.slug,
            email=email,
            email_hash=consent.subject_hash("email", email),
            currency=CHANNEL.currency,
            total_gross=total,
            lines=[{"name": "Challah", "quantity": 1, "total": str(total)}],
            checkout_changed_at=when,
            detected_at=when,
            lost_at=when + timedelta(days=7),
            state=RecoveryState.STOPPED,
            state_reason="no consent",
        )
        pipeline.deliver(
            pipeline.Outgoing(
                "cart_reminder", "email", CHANNEL.slug, email, checkout_token=row.checkout_token, step=0
            ),
            now=when,
        )


def seed_demo_shop(seed: int) -> str:
    """The demo's month of Bakery Levi; returns its report."""
    from saleor_loyalty.demo.simulation import simulate_month

    report = simulate_month(seed=seed).render()
    # The simulation fed the order roll-ups (AOV, active buyers) as it went; the overview's points
    # issued / redeemed / expired come from the book roll-ups, which only take settled rows.
    _roll_up_books()
    return report
