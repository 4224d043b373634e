"""A month of "Bakery Levi" (₪, Asia/Jerusalem) driven through the engine entry points the plugin uses.

Every Saleor event the plugin would turn into a task is replayed here as order facts: paid orders,
duplicate and concurrent deliveries, partial refunds, cancellations, guest orders and later sign-ups,
staff corrections. Each delivery feeds the ledger and the KPI order roll-ups, as the order task does. The report is computed from the ledger, and the run checks the ledger's own
invariants (cached balance = sum of rows, one earn per order) before calling itself healthy.
"""

import random
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Sum

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Actor, ChannelFacts, OrderFacts, OrderLineFacts
from saleor_loyalty.core.money import points_worth
from saleor_loyalty.engagement import membership_merge
from saleor_loyalty.insights import rollups
from saleor_loyalty.ledger import programs
from saleor_loyalty.members.summary import summarize
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount
from saleor_loyalty.tiers import ladder as tiers

TZ = ZoneInfo("Asia/Jerusalem")
MONTH_START = datetime(2026, 10, 1, 8, 0, tzinfo=TZ)
CHANNEL = ChannelFacts(slug="bakery-levi", currency="ILS", default_country="IL")
CATALOGUE = [
    ("חלה מתוקה / Sweet challah", Decimal("24.00")),
    ("לחם מחמצת / Sourdough", Decimal("32.00")),
    ("עוגת גבינה / Cheesecake", Decimal("118.00")),
    ("רוגלך שוקולד / Rugelach", Decimal("46.00")),
    ("בורקס תפוחי אדמה / Bourekas", Decimal("38.00")),
    ("עוגת שמרים / Babka", Decimal("64.00")),
]
GIFT_CARD = ("כרטיס מתנה / Gift card", Decimal("200.00"))
VAT = Decimal("1.18")


@dataclass
class Report:
    members: int = 0
    guests_holding_points: int = 0
    orders: int = 0
    deliveries: int = 0
    duplicates_ignored: int = 0
    issued: int = 0
    reversed: int = 0
    adjusted: int = 0
    outstanding: int = 0
    pending: int = 0
    debt: int = 0
    liability: str = ""
    tiers: str = ""
    drifted_accounts: int = 0
    orders_with_two_earns: int = 0
    events: Counter = field(default_factory=Counter)

    @property
    def healthy(self) -> bool:
        return self.drifted_accounts == 0 and self.orders_with_two_earns == 0

    def render(self) -> str:
        rows = [
            ("Members (signed-up customers with an account)", self.members),
            ("Guests holding points for their email", self.guests_holding_points),
            ("Orders placed", self.orders),
            ("Order events delivered (incl. replays)", self.deliveries),
            ("Duplicate deliveries ignored", self.duplicates_ignored),
            ("Points issued on orders", self.issued),
            ("Points reversed by refunds/cancellations", self.reversed),
            ("Points adjusted by staff (net, incl. counter redemptions)", self.adjusted),
            ("Points outstanding (positive balances)", self.outstanding),
            ("  of which still pending", self.pending),
            ("Points debt (refunds of spent points)", self.debt),
            ("Outstanding liability", self.liability),
            ("Members by tier", self.tiers),
            ("Accounts whose cached balance drifted", self.drifted_accounts),
            ("Orders with more than one earn", self.orders_with_two_earns),
        ]
        width = max(len(label) for label, _ in rows)
        lines = ["Club report: Bakery Levi, October 2026 (channel bakery-levi, ILS)", "=" * (width + 14)]
        lines += [f"{label:<{width}}  {value:>10}" for label, value in rows]
        lines.append("Events: " + ", ".join(f"{name} {count}" for name, count in sorted(self.events.items())))
        lines.append("Ledger invariants: " + ("OK" if self.healthy else "BROKEN"))
        return "\n".join(lines)


class Shop:
    """Places orders the way Saleor would report them to the plugin."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.report = Report()

    def order(self, when: datetime, user=None, email: str = "") -> OrderFacts:
        lines = []
        for index in range(self.rng.randint(1, 4)):
            name, price = self.rng.choice(CATALOGUE)
            quantity = self.rng.randint(1, 3)
            gross = price * quantity
            lines.append(
                OrderLineFacts(
                    line_id=str(index),
                    product_name=name,
                    sku=f"BKR-{CATALOGUE.index((name, price))}",
                    quantity=quantity,
                    total_net=(gross / VAT).quantize(Decimal("0.01")),
                    total_gross=gross,
                )
            )
        if self.rng.random() < 0.05:
            name, price = GIFT_CARD
            lines.append(OrderLineFacts("gc", name, "GIFT", 1, price, price, is_gift_card=True))
        shipping = Decimal("29.90") if self.rng.random() < 0.6 else Decimal("0")
        total = sum((line.total_gross for line in lines), Decimal(0)) + shipping
        gift_card_paid = (
            (total * Decimal("0.3")).quantize(Decimal("0.01")) if self.rng.random() < 0.08 else Decimal(0)
        )
        self.report.orders += 1
        return OrderFacts(
            order_id=uuid.uuid4(),
            number=str(1000 + self.report.orders),
            channel_slug=CHANNEL.slug,
            currency="ILS",
            user_id=user.pk if user else None,
            email=user.email if user else email,
            lines=tuple(lines),
            shipping_gross=shipping,
            total_gross=total,
            gift_card_paid=gift_card_paid,
            is_paid=True,
            paid_at=when,
        )

    def deliver(self, facts: OrderFacts, event: str) -> None:
        """What the plugin's order task does: the ledger first, then the KPI roll-ups (members' and
        guests' orders alike; a Saleor order is created when it is paid here)."""
        self.report.deliveries += 1
        self.report.events[event] += 1
        if ledger.sync_order(facts).duplicate:
            self.report.duplicates_ignored += 1
        rollups.record_order(rollups.OrderRollupFacts.of_order(facts, created_at=facts.paid_at))

    def deliver_concurrently(self, facts: OrderFacts, event: str, copies: int) -> None:
        """The same event from several Celery workers at once."""

        def worker():
            try:
                self.deliver(facts, event)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(copies)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def simulate_month(seed: int) -> Report:
    rng = random.Random(seed)
    program = programs.ensure_program(CHANNEL)
    shop = Shop(rng)
    users = get_user_model().objects
    members, guests, placed = [], [], []
    staff = Actor(user_id=None, label="staff:shira@bakery-levi.co.il")

    for day in range(31):
        today = MONTH_START + timedelta(days=day)
        for _ in range(rng.randint(1, 3)):
            number = len(members) + 1
            user = users.create(username=f"member{number}", email=f"member{number}@example.co.il")
            members.append(user)
            membership_merge.attach_guest_accounts(user.pk, user.email)
        for _ in range(rng.randint(6, 14)):
            when = today + timedelta(minutes=rng.randint(0, 12 * 60))
            if rng.random() < 0.25:
                email = f"guest{rng.randint(1, 40)}@example.co.il"
                guests.append(email)
                facts = shop.order(when, email=email)
            else:
                facts = shop.order(when, user=rng.choice(members))
            placed.append(facts)
            roll = rng.random()
            if roll < 0.03:
                shop.deliver_concurrently(facts, "order_fully_paid", copies=3)
            else:
                shop.deliver(facts, "order_fully_paid")
                if roll < 0.15:
                    shop.deliver(facts, "order_fully_paid")
        for facts in rng.sample(placed, k=min(len(placed), 2)):
            roll = rng.random()
            if roll < 0.25:
                refunded = (facts.total_gross * Decimal(rng.choice(["0.25", "0.5"]))).quantize(
                    Decimal("0.01")
                )
                shop.deliver(replace(facts, refunded_amount=refunded), "order_refunded")
                shop.deliver(replace(facts, refunded_amount=refunded), "order_refunded")
            elif roll < 0.32:
                shop.deliver(replace(facts, is_cancelled=True), "order_cancelled")
        if day % 6 == 5 and guests:
            email = rng.choice(guests)
            if not users.filter(email=email).exists():
                user = users.create(username=email.split("@")[0], email=email)
                membership_merge.attach_guest_accounts(user.pk, user.email)
                membership_merge.attach_guest_accounts(user.pk, user.email)
                shop.report.events["customer_created (guest signs up)"] += 1
        if day == 20:
            _redeem_then_cancel(shop, program, placed, staff, today)
        if day % 9 == 4:
            account = ledger.account_for(program, rng.choice(members).pk, "")
            ledger.adjust_points(account, 50, "Cake arrived late - apology", staff, f"ticket-{day}")
            ledger.adjust_points(account, 50, "Cake arrived late - apology", staff, f"ticket-{day}")

    return _report(shop.report, program, MONTH_START + timedelta(days=31))


def _redeem_then_cancel(shop: Shop, program, placed: list[OrderFacts], staff: Actor, today: datetime) -> None:
    """A member spends everything at the counter, then cancels an order: the refund leaves points debt."""
    matured = [f for f in placed if f.user_id and f.paid_at < today - timedelta(days=program.pending_days)]
    facts = max(matured, key=lambda f: f.total_gross)
    account = LoyaltyAccount.objects.get(program=program, user_id=facts.user_id)
    spendable = summarize(account).available
    if spendable > 0:
        ledger.adjust_points(
            account, -spendable, "Redeemed at the bakery counter", staff, f"counter-{facts.number}"
        )
    shop.deliver(replace(facts, is_cancelled=True), "order_cancelled")


def _report(report: Report, program, as_of: datetime) -> Report:
    accounts = LoyaltyAccount.objects.filter(program=program)
    totals = dict(
        LedgerEntry.objects.filter(account__program=program).values_list("kind").annotate(total=Sum("points"))
    )
    report.members = accounts.filter(user__isnull=False).count()
    report.guests_holding_points = accounts.filter(
        user__isnull=True, merged_into__isnull=True, balance__gt=0
    ).count()
    report.issued = totals.get(EntryKind.EARN, 0)
    report.reversed = -totals.get(EntryKind.EARN_REVERSAL, 0)
    report.adjusted = totals.get(EntryKind.ADJUSTMENT, 0)
    for account in accounts.filter(merged_into__isnull=True):
        summary = summarize(account, as_of)
        report.outstanding += max(account.balance, 0)
        report.pending += summary.pending
        report.debt += summary.debt
        report.drifted_accounts += ledger.reconcile_account(account) != 0
    liability = points_worth(report.outstanding, program.point_value, program.currency)
    report.liability = f"₪{liability.amount:,.2f}"
    ladder = tiers.ladder(program)
    held = Counter(
        tiers.current_tier(account, ladder).name for account in accounts.filter(user__isnull=False)
    )
    report.tiers = ", ".join(f"{tier.name} {held[tier.name]}" for tier in ladder)
    report.orders_with_two_earns = (
        LedgerEntry.objects.filter(kind=EntryKind.EARN)
        .values("order_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    return report
