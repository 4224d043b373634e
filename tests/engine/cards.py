"""An in-memory stand-in for Saleor's gift cards and checkouts, for the engine tier (no Saleor).

It keeps Saleor's rules that the engine relies on: a balance never goes below zero, a card is
assigned to one user, only open checkouts are found. It is not transactional: the engine calls it
only after its own checks passed, under the member's account lock.
"""

import itertools
import threading
from decimal import Decimal


class InMemoryCards:
    def __init__(self):
        self._lock = threading.Lock()
        self.cards = {}  # id -> {"user_id", "currency", "balance"}
        self.checkouts = {}  # token -> CheckoutFacts
        self.applied = {}  # token -> set of card ids
        self.spent = {}  # (card id, order id) -> Decimal
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

    def exists(self, gift_card_id):
        return gift_card_id in self.cards

    def code(self, gift_card_id):
        return f"LOYALTY-{gift_card_id:04d}"

    def apply_to_checkout(self, gift_card_id, checkout_token):
        checkout = self.checkouts[checkout_token]
        assert self.cards[gift_card_id]["user_id"] == checkout.user_id, "assigned card on someone else's checkout"
        self.applied.setdefault(checkout_token, set()).add(gift_card_id)

    def checkout(self, checkout_token):
        return self.checkouts.get(checkout_token)

    def spend_on_order(self, gift_card_id, order_id, amount):
        """What Saleor's legacy flow does at order creation: take the card's money for an order."""
        taken = -self.adjust(gift_card_id, -Decimal(amount), "order")
        self.spent[(gift_card_id, order_id)] = self.spent.get((gift_card_id, order_id), Decimal(0)) + taken

    def spent_on_order(self, gift_card_id, order_id):
        return self.spent.get((gift_card_id, order_id), Decimal(0))
