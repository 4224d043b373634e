"""Plain facts the engine works from. The Saleor adapter builds them; tests and the demo build them too.

Keeping the engine on these dataclasses (not on Saleor models) is what lets the engine tier run
without Saleor and what lets reversals use what was true at earn time.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from uuid import UUID


@dataclass(frozen=True)
class OrderLineFacts:
    line_id: str
    product_name: str
    sku: str
    quantity: int
    total_net: Decimal
    total_gross: Decimal
    is_gift_card: bool = False
    variant_id: int | None = None  # Saleor's product variant (None once the variant is deleted)


@dataclass(frozen=True)
class RefundedLineFacts:
    """How much of one order line Saleor says was refunded so far (cumulative over all its refunds)."""

    line_id: str
    quantity: int


@dataclass(frozen=True)
class OrderFacts:
    """What Saleor knows about an order now. Amounts are in `currency`.

    Saleor 3.23 takes gift-card money two ways, and one order can have both: charged as a
    transaction (inside `total_gross`, refunded by Saleor like any transaction) or, in the legacy
    flow, taken off the card at order creation (outside `total_gross`, never returned by Saleor).

    `refunded_amount` is all money refunded so far. Where Saleor recorded what a refund was for
    (granted refunds with lines or shipping, refunded fulfillments), `refunded_lines` says which
    lines (cumulative quantities), `shipping_refunded` whether shipping was, and `itemized_refund_amount`
    how much of `refunded_amount` those itemized refunds account for; the rest came as amounts alone.
    """

    order_id: UUID
    number: str
    channel_slug: str
    currency: str
    user_id: int | None
    email: str
    lines: tuple[OrderLineFacts, ...]
    shipping_gross: Decimal
    total_gross: Decimal
    gift_card_paid: Decimal = Decimal(0)
    legacy_gift_card_paid: Decimal = Decimal(0)
    is_paid: bool = False
    paid_at: datetime | None = None
    refunded_amount: Decimal = Decimal(0)
    refunded_lines: tuple[RefundedLineFacts, ...] = ()
    shipping_refunded: bool = False
    itemized_refund_amount: Decimal = Decimal(0)
    is_cancelled: bool = False
    language_code: str = ""

    @property
    def is_itemized_refund(self) -> bool:
        """True when Saleor said what (some of) the refunds were for, not only how much."""
        return bool(self.refunded_lines) or self.shipping_refunded or self.itemized_refund_amount > 0


@dataclass(frozen=True)
class CheckoutFacts:
    """A Saleor checkout as stored now (prices as Saleor last calculated them), before gift cards."""

    token: UUID
    channel_slug: str
    currency: str
    user_id: int | None
    email: str
    lines: tuple[OrderLineFacts, ...]
    shipping_gross: Decimal
    total_gross: Decimal

    def as_order_facts(self, paid_at: datetime) -> OrderFacts:
        """The order this checkout would become if paid now in cash, for previews with accrual's own rules."""
        return OrderFacts(
            order_id=self.token,
            number="",
            channel_slug=self.channel_slug,
            currency=self.currency,
            user_id=self.user_id,
            email=self.email,
            lines=self.lines,
            shipping_gross=self.shipping_gross,
            total_gross=self.total_gross,
            is_paid=True,
            paid_at=paid_at,
        )


@dataclass(frozen=True)
class CardPayment:
    """The member's card authorized on a checkout as a Saleor gift-card transaction (transaction flow)."""

    transaction_token: UUID
    amount: Decimal
    gateway: str


@dataclass(frozen=True)
class ChannelFacts:
    slug: str
    currency: str
    default_country: str = ""
    is_active: bool = True


@dataclass(frozen=True)
class Actor:
    """Who did something: a staff user, an app, or the system (a Saleor event)."""

    user_id: int | None = None
    app_id: int | None = None
    label: str = "system"


@dataclass(frozen=True)
class Requestor:
    """The authenticated caller of the club API, whatever authenticated it."""

    user_id: int | None = None
    email: str = ""
    app_id: int | None = None
    app_name: str = ""
    is_staff: bool = False
    permissions: frozenset[str] = field(default_factory=frozenset)
    channel_slugs: frozenset[str] | None = None  # the channels a staff user's groups reach; None = every one

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and self.app_id is None

    def has_perm(self, permission: str) -> bool:
        return permission in self.permissions

    def reaches_channel(self, channel_slug: str) -> bool:
        return self.channel_slugs is None or channel_slug in self.channel_slugs

    def as_actor(self) -> Actor:
        if self.app_id is not None:
            return Actor(app_id=self.app_id, label=f"app:{self.app_name}")
        return Actor(user_id=self.user_id, label=self.email)


@dataclass(frozen=True)
class CheckoutLineFacts:
    """A cart line as Saleor stored it; net and the gift-card flag let reminders promise what accrual gives."""

    name: str
    quantity: int
    total_gross: Decimal
    total_net: Decimal | None = None
    is_gift_card: bool = False


@dataclass(frozen=True)
class AbandonedCheckoutFacts:
    """A Saleor checkout as the recovery sweep sees it, from Saleor's stored totals."""

    token: UUID
    channel_slug: str
    last_change: datetime
    currency: str
    total_gross: Decimal
    user_id: int | None = None
    email: str = ""
    phone: str = ""
    language_code: str = ""
    lines: tuple[CheckoutLineFacts, ...] = ()
    payment_in_progress: bool = False


@dataclass(frozen=True)
class OrderRef:
    """Just enough of an order to stop reminders and attribute a recovery."""

    order_id: UUID
    channel_slug: str
    checkout_token: str
    user_id: int | None
    email: str
    total_gross: Decimal
    created_at: datetime


@dataclass(frozen=True)
class EarnTier:
    """The member's tier at earn time, as the earn snapshot records it."""

    tier_id: int | None
    name: str
    earn_multiplier: Decimal
    next_entry: Decimal | None = None


NO_TIER = EarnTier(None, "", Decimal(1))


@dataclass(frozen=True)
class CheckoutContact:
    """Who a Saleor checkout belongs to and how to reach them, for consent given at checkout."""

    user_id: int | None
    email: str
    phone: str
