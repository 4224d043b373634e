"""An in-memory stand-in for Saleor's gift cards and checkouts, for the engine tier (no Saleor).

It keeps Saleor's rules that the engine relies on: a balance never goes below zero, a card is
assigned to one user, only open checkouts are found, a checkout of a channel without legacy
gift-card use (`transaction_flow`) gets the card as an authorization of its balance up to what is
owed, never as a promo code. It is not transactional: the engine calls it only after its own
checks passed, under the member's account lock.
"""

import itertools
import threading
import uuid
from decimal import Decimal

from saleor_loyalty.core.facts import CardPayment

GIFT_CARD_GATEWAY = "saleor.io.gift-card-payment-gateway"


class InMemoryCards:
    def __init__(self):
        self._lock = threading.Lock()
        self.cards = {}  # id -> {"user_id", "currency", "balance"}
        self.checkouts = {}  # token -> CheckoutFacts
        self.applied = {}  # token -> set of card ids
        self.transaction_flow = set()  # checkout tokens whose channel takes gift cards only as transactions
        self.authorized = {}  # key -> CardPayment
        self.spent_by_order = {}  # (card id, order id) -> Decimal
        self._ids = itertools.count(1)

    def create_card(self, user_id, email, currency):
        with self._lock:
            card_id = next(self._ids)
            self.cards[card_id] = {"user_id": user_id, "currency": currency, "balance": Decimal(0)}
            return card_id

    def adjust(self, gift_card_id, delta, note):
        with self._lock:
            card = self.cards[gift_card_id]
            old = card["balance"]
            card["balance"] = max(old + delta, Decimal(0))
            return card["balance"] - old

    def balance(self, gift_card_id):
        return self.cards[gift_card_id]["balance"]

    def balances(self, gift_card_ids):
        return {card_id: self.cards[card_id]["balance"] for card_id in gift_card_ids if card_id in self.cards}

    def exists(self, gift_card_id):
        return gift_card_id in self.cards

    def code(self, gift_card_id):
        return f"LOYALTY-{gift_card_id:04d}"

    def apply_to_checkout(self, gift_card_id, checkout_token, key):
        checkout = self.checkouts[checkout_token]
        assert self.cards[gift_card_id]["user_id"] == checkout.user_id, (
            "assigned card on someone else's checkout"
        )
        if checkout_token not in self.transaction_flow:
            self.applied.setdefault(checkout_token, set()).add(gift_card_id)
            return None
        amount = min(self.balance(gift_card_id), checkout.total_gross)
        self.authorized[key] = CardPayment(
            transaction_token=uuid.uuid4(), amount=amount, gateway=GIFT_CARD_GATEWAY
        )
        return self.authorized[key]

    def card_payment(self, key):
        return self.authorized.get(key)

    def checkout(self, checkout_token):
        return self.checkouts.get(checkout_token)

    def spend_on_order(self, gift_card_id, order_id, amount):
        """What Saleor's legacy flow does at order creation: take the card's money for an order."""
        taken = -self.adjust(gift_card_id, -Decimal(amount), "order")
        key = (gift_card_id, order_id)
        self.spent_by_order[key] = self.spent_by_order.get(key, Decimal(0)) + taken

    def spent_on_order(self, gift_card_id, order_id):
        return self.spent_by_order.get((gift_card_id, order_id), Decimal(0))

    def spent(self, gift_card_id):
        return sum(
            (amount for (card, _), amount in self.spent_by_order.items() if card == gift_card_id), Decimal(0)
        )
