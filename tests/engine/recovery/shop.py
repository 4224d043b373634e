"""A stand-in for Saleor's checkouts and orders, so recovery rules run without Saleor."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from saleor_loyalty.core.facts import AbandonedCheckoutFacts, CheckoutContact, CheckoutLineFacts, OrderRef

# A Tuesday, 10:00 in Israel: inside every sending window.
T0 = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)


class FakeShop:
    def __init__(self):
        self.checkouts: dict = {}
        self.orders: list[OrderRef] = []
        self.before_order_lookup = None
        self.vouchers: list[tuple] = []
        self.phones: dict[int, set[str]] = {}  # numbers on customers' Saleor addresses

    def add_checkout(
        self,
        *,
        email="dana@example.co.il",
        user_id=None,
        phone="",
        language="he",
        changed_at=T0,
        channel="il",
        lines=(("Shirt", 1, "120.00"),),
    ) -> AbandonedCheckoutFacts:
        facts = AbandonedCheckoutFacts(
            token=uuid.uuid4(),
            channel_slug=channel,
            last_change=changed_at,
            currency="ILS",
            total_gross=sum(
                (
                    line.total_gross if isinstance(line, CheckoutLineFacts) else Decimal(line[2])
                    for line in lines
                ),
                Decimal(0),
            ),
            user_id=user_id,
            email=email,
            phone=phone,
            language_code=language,
            lines=tuple(
                line
                if isinstance(line, CheckoutLineFacts)
                else CheckoutLineFacts(name=line[0], quantity=line[1], total_gross=Decimal(line[2]))
                for line in lines
            ),
        )
        self.checkouts[facts.token] = facts
        return facts

    def change(self, token, **changes) -> AbandonedCheckoutFacts:
        self.checkouts[token] = replace(self.checkouts[token], **changes)
        return self.checkouts[token]

    def place_order(
        self, *, email, at, checkout_token="", total="120.00", user_id=None, channel="il"
    ) -> OrderRef:
        order = OrderRef(
            order_id=uuid.uuid4(),
            channel_slug=channel,
            checkout_token=str(checkout_token),
            user_id=user_id,
            email=email,
            total_gross=Decimal(total),
            created_at=at,
        )
        self.orders.append(order)
        if checkout_token:
            self.checkouts.pop(uuid.UUID(str(checkout_token)), None)
        return order

    # -- the interface recovery uses --
    def abandoned_candidates(self, channel_slug, cutoff, after, limit):
        rows = sorted(
            (
                c
                for c in self.checkouts.values()
                if c.channel_slug == channel_slug
                and c.last_change <= cutoff
                and c.lines
                and c.total_gross > 0
                and (c.email or c.user_id)
                and not c.payment_in_progress
            ),
            key=lambda c: (c.last_change, str(c.token)),
        )
        if after is not None:
            change, token = after
            rows = [c for c in rows if (c.last_change, str(c.token)) > (change, str(token or ""))]
        return rows[:limit]

    def checkout_now(self, token):
        return self.checkouts.get(uuid.UUID(str(token)))

    def order_since(self, checkout_token, user_id, email, since):
        if self.before_order_lookup is not None:
            self.before_order_lookup()
        for order in reversed(self.orders):
            if order.checkout_token == str(checkout_token):
                return order
            same_person = (email and order.email.lower() == email.lower()) or (
                user_id is not None and order.user_id == user_id
            )
            if same_person and order.created_at >= since:
                return order
        return None

    def create_single_use_voucher(self, channel_slug, percent, starts_at, expires_at, name):
        code = f"BACK-{len(self.vouchers) + 1:04d}"
        self.vouchers.append((code, channel_slug, percent, expires_at, name))
        return code

    def checkout_contact(self, token):
        checkout = self.checkouts.get(uuid.UUID(str(token)))
        if checkout is None:
            return None
        return CheckoutContact(user_id=checkout.user_id, email=checkout.email, phone=checkout.phone)

    def customer_phones(self, user_id):
        return self.phones.get(user_id, set())

    def customers_phones(self, user_ids):
        return {user: set(self.phones[user]) for user in user_ids if self.phones.get(user)}


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
