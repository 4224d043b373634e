"""An in-memory Saleor for referrals (checkouts, orders, customers' addresses and cards, welcome vouchers) and the
referral tests' fixtures, imported by each test module (no conftest: the engagement folder is shared)."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.engagement import referrals
from saleor_loyalty.engagement.referral_facts import (
    PersonFacts,
    ReferralCheckoutFacts,
    ReferralOrderFacts,
    address_fingerprint,
    canonical_email,
    canonical_phone,
)

PAID = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
HOME = ("Herzl 1", "Tel Aviv", "6100000", "IL")


class FakeReferralShop:
    def __init__(self):
        self.checkouts: dict[uuid.UUID, ReferralCheckoutFacts] = {}
        self.orders: dict[uuid.UUID, ReferralOrderFacts] = {}
        self.people: dict[int, PersonFacts] = {}
        self.vouchers: list[tuple[str, bool, Decimal]] = []
        self.refuse_vouchers = False

    # the port
    def checkout(self, token):
        return self.checkouts.get(token)

    def has_orders(self, user_id, email):
        return any(
            (user_id is not None and o.user_id == user_id) or (email and o.email.lower() == email.lower())
            for o in self.orders.values()
        )

    def create_welcome_voucher(self, channel_slug, fixed, value, name):
        code = f"FRIEND-{len(self.vouchers) + 1:04d}"
        self.vouchers.append((code, fixed, value))
        return code

    def put_on_checkout(self, token, code):
        if self.refuse_vouchers:
            return False
        self.checkouts[token] = replace(self.checkouts[token], voucher_code=code, voucher_is_customers=False)
        return True

    def order(self, order_id):
        return self.orders.get(order_id)

    def person(self, user_id, email):
        return self.people.get(user_id, PersonFacts(user_id=user_id))

    # building the world
    def add_checkout(
        self, user=None, email=None, voucher=None, typed=False, channel="il"
    ) -> ReferralCheckoutFacts:
        checkout = ReferralCheckoutFacts(
            token=uuid.uuid4(),
            channel_slug=channel,
            user_id=user.pk if user else None,
            email=email or (user.email if user else ""),
            voucher_code=voucher,
            voucher_is_customers=typed,
            first_name="Noa",
        )
        self.checkouts[checkout.token] = checkout
        return checkout

    def place_order(
        self,
        checkout: ReferralCheckoutFacts | None,
        *,
        user=None,
        email=None,
        total="200.00",
        paid=True,
        address=None,
        phone="",
        card="",
        earlier_orders=0,
        voucher=None,
        channel="il",
        paid_at=PAID,
    ) -> ReferralOrderFacts:
        email = email or (checkout.email if checkout else "") or (user.email if user else "")
        person = PersonFacts(
            user_id=user.pk if user else (checkout.user_id if checkout else None),
            emails=frozenset({canonical_email(email)}),
            phones=frozenset({canonical_phone(phone)} - {""}),
            addresses=frozenset({address_fingerprint(*address)} if address else ()),
            payments=frozenset({card} if card else ()),
        )
        order = ReferralOrderFacts(
            order_id=uuid.uuid4(),
            number=str(1000 + len(self.orders)),
            channel_slug=channel,
            checkout_token=checkout.token if checkout else None,
            user_id=person.user_id,
            email=email,
            total=Decimal(total),
            currency="ILS",
            voucher_code=voucher
            if voucher is not None
            else ((checkout.voucher_code or "") if checkout else ""),
            is_paid=paid,
            paid_at=paid_at if paid else None,
            earlier_orders=earlier_orders,
            first_name="Noa",
            person=person,
        )
        self.orders[order.order_id] = order
        return order

    def refund(self, order: ReferralOrderFacts, amount=None, cancel=False) -> ReferralOrderFacts:
        changed = replace(
            order,
            refunded_amount=order.total if amount is None else Decimal(amount),
            is_cancelled=cancel,
        )
        self.orders[order.order_id] = changed
        return changed

    def knows(self, user, *, phones=(), addresses=(), cards=()):
        self.people[user.pk] = PersonFacts(
            user_id=user.pk,
            emails=frozenset({canonical_email(user.email)}),
            phones=frozenset(canonical_phone(p) for p in phones),
            addresses=frozenset(address_fingerprint(*a) for a in addresses),
            payments=frozenset(cards),
        )


@pytest.fixture
def referral_shop():
    return FakeReferralShop()


@pytest.fixture
def referral_rules(club):
    """Referrals on in the `il` club: 500 points to the referrer, a 10 % welcome voucher, 30 pending days."""
    return referrals.update_settings(
        club,
        enabled=True,
        referrer_points=500,
        friend_benefit="voucher_percent",
        friend_value=Decimal("10"),
        pending_days=30,
        monthly_cap=3,
        link_template="https://shop.example.co.il/join?ref={code}",
    )


@pytest.fixture
def dana(django_user_model, club):
    """A member with an account and a referral code."""
    user = django_user_model.objects.create(username="dana", email="dana.levi@gmail.com")
    account = ledger.account_for(club, user.pk, user.email)
    user.code = referrals.code_for(account)
    user.account = account
    return user


@pytest.fixture
def noa(django_user_model):
    """A new customer, Dana's friend."""
    return django_user_model.objects.create(username="noa", email="noa@example.co.il")


def as_customer(user):
    return Requestor(user_id=user.pk, email=user.email)
