"""What referrals read from Saleor, as plain facts, and the canonical forms fraud checks compare.

The Saleor adapter (`saleor_adapter/referral_vouchers.py`) builds these; the engine tier builds them by
hand. Comparisons are on canonical forms, so `Dana.Levi+club@GoogleMail.com` is the same person as
`danalevi@gmail.com`, `+972 52-123-4567` the same phone as `052-1234567`, and an address typed in
another case or spacing the same address.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol
from uuid import UUID

GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


def canonical_email(email: str) -> str:
    """Lower-case, without a +tag; for Gmail also without dots (Gmail ignores both)."""
    local, _, domain = (email or "").strip().lower().rpartition("@")
    if not local or not domain:
        return (email or "").strip().lower()
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def friend_key(email: str) -> str:
    """What a referral keeps to count a friend once: a hash of the canonical email (it survives forgetting)."""
    canonical = canonical_email(email)
    return hashlib.sha256(canonical.encode()).hexdigest()[:40] if canonical else ""


def canonical_phone(phone: str, country_code: str = "972") -> str:
    """Digits only, in international form: a national number (leading 0) gets the country code."""
    digits = re.sub(r"\D", "", phone or "")
    if (phone or "").strip().startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = country_code + digits[1:]
    return digits if len(digits) >= 7 else ""


def address_fingerprint(street: str, city: str, postal_code: str, country: str) -> str:
    """A short hash of a postal address, case, accents, punctuation and spacing ignored (no address kept)."""
    parts = []
    for part in (street, city, postal_code, country):
        text = unicodedata.normalize("NFKD", part or "").casefold()
        parts.append(re.sub(r"[\W_]+", "", text))
    if not parts[0]:
        return ""
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class PersonFacts:
    """What identifies a customer to the fraud checks: canonical emails and phones, address and card
    fingerprints (from their Saleor addresses and past orders)."""

    user_id: int | None = None
    emails: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    addresses: frozenset[str] = frozenset()
    payments: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ReferralCheckoutFacts:
    """A Saleor checkout as the referral code meets it."""

    token: UUID
    channel_slug: str
    user_id: int | None
    email: str
    voucher_code: str | None = None
    voucher_is_customers: bool = False  # a code the customer typed (not the club's tier code)
    first_name: str = ""


@dataclass(frozen=True)
class ReferralOrderFacts:
    """A friend's order as the referral needs it; `person` describes who placed it."""

    order_id: UUID
    number: str
    channel_slug: str
    checkout_token: UUID | None
    user_id: int | None
    email: str
    total: Decimal
    currency: str
    voucher_code: str = ""
    is_paid: bool = False
    paid_at: datetime | None = None
    refunded_amount: Decimal = Decimal(0)
    is_cancelled: bool = False
    earlier_orders: int = 0  # the customer's other non-draft orders created before this one
    first_name: str = ""
    person: PersonFacts = field(default_factory=PersonFacts)

    def net_paid(self) -> Decimal:
        return self.total - self.refunded_amount

    def undone(self, min_total: Decimal) -> bool:
        """Cancelled, fully refunded, or refunded below the program's minimum first order: it no longer counts."""
        if self.is_cancelled or self.refunded_amount >= self.total:
            return True
        return self.refunded_amount > 0 and self.net_paid() < min_total


class ReferralShop(Protocol):
    """Saleor as referrals need it (`saleor_adapter.referral_vouchers.SaleorReferrals`)."""

    def checkout(self, token: UUID) -> ReferralCheckoutFacts | None: ...

    def has_orders(self, user_id: int | None, email: str) -> bool:
        """The customer (by account or email) has an order already."""

    def create_welcome_voucher(self, channel_slug: str, fixed: bool, value: Decimal, name: str) -> str:
        """A single-use ENTIRE_ORDER voucher listed in the channel; returns its random code."""

    def put_on_checkout(self, token: UUID, code: str) -> bool:
        """Apply the code to the checkout through Saleor; False when Saleor refuses it for this cart."""

    def order(self, order_id: UUID) -> ReferralOrderFacts | None: ...

    def person(self, user_id: int | None, email: str) -> PersonFacts: ...
