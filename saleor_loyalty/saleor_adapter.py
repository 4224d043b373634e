"""The one place that reads Saleor's models and auth, turning them into the engine's plain facts.

Everything Saleor-version-specific lives here; the engine never imports `saleor`. Imports of
Saleor are inside functions so the engine tier (no Saleor installed) can import this package.
"""

import logging
from contextlib import contextmanager
from decimal import Decimal

from .exceptions import LoyaltyError, StoreCreditUnavailable
from .facts import CardPayment, ChannelFacts, CheckoutFacts, OrderFacts, OrderLineFacts, Requestor

logger = logging.getLogger(__name__)


@contextmanager
def writer_connection():
    """Saleor's Celery tasks must declare writer-database use; elsewhere this is a no-op."""
    try:
        from saleor.core.db.connection import allow_writer
    except ImportError:
        yield
        return
    with allow_writer():
        yield


def channel_facts(slug: str) -> ChannelFacts | None:
    from saleor.channel.models import Channel

    channel = Channel.objects.filter(slug=slug).first()
    if channel is None:
        return None
    return ChannelFacts(
        slug=channel.slug, currency=channel.currency_code,
        default_country=str(channel.default_country or ""), is_active=channel.is_active,
    )


def catalog_ids(kind: str, ids: frozenset[int]) -> set[int]:
    """The ids among these that Saleor has as products or collections (`kind`): early access marks only those."""
    from saleor.product.models import Collection, Product

    model = {"product": Product, "collection": Collection}[kind]
    return set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))


def _legacy_refunded(order) -> Decimal:
    from saleor.payment import TransactionKind

    return sum(
        (
            transaction.amount
            for payment in order.payments.all()
            for transaction in payment.transactions.all()
            if transaction.kind == TransactionKind.REFUND and transaction.is_success
        ),
        Decimal(0),
    )


def _used_in_order(**filters) -> Decimal:
    """What Saleor took from gift cards for orders, read from its USED_IN_ORDER events."""
    from saleor.giftcard import GiftCardEvents
    from saleor.giftcard.models import GiftCardEvent

    spent = Decimal(0)
    for event in GiftCardEvent.objects.filter(type=GiftCardEvents.USED_IN_ORDER, **filters):
        balance = event.parameters.get("balance", {})
        spent += Decimal(str(balance.get("old_current_balance", 0))) - Decimal(str(balance.get("current_balance", 0)))
    return spent


def _gift_card_gateway_id() -> str | None:
    """Saleor 3.23 can charge gift cards as transactions; 3.22 only deducts them from the total."""
    try:
        from saleor.giftcard.const import GIFT_CARD_PAYMENT_GATEWAY_ID
    except ImportError:
        return None
    return GIFT_CARD_PAYMENT_GATEWAY_ID


def _charged_as_transactions(transactions) -> Decimal:
    """What gift-card transactions took from their cards (charged now plus refunded since)."""
    gateway_id = _gift_card_gateway_id()
    return sum((t.charged_value + t.refunded_value for t in transactions
                if gateway_id and t.app_identifier == gateway_id), Decimal(0))


def _legacy_gift_card_spend(order_id, transactions, **card) -> Decimal:
    """What Saleor took off gift cards at order creation (legacy use), which Saleor never gives back.

    Charging a gift-card transaction writes the same USED_IN_ORDER event, so those charges are
    subtracted; a 3.23 order can hold a legacy card and transactions at once.
    """
    return max(_used_in_order(order_id=order_id, **card) - _charged_as_transactions(transactions), Decimal(0))


def order_facts(order_id) -> OrderFacts | None:
    """The order as it is now in Saleor's database (hooks hand us stale in-memory objects)."""
    from saleor.order import OrderChargeStatus, OrderStatus
    from saleor.order.models import Order

    order = (
        Order.objects.filter(pk=order_id)
        .select_related("channel")
        .prefetch_related("lines", "payment_transactions", "payments__transactions")
        .first()
    )
    if order is None or order.status == OrderStatus.DRAFT:
        return None
    transactions = list(order.payment_transactions.all())
    refunded = sum((t.refunded_value for t in transactions), Decimal(0)) + _legacy_refunded(order)
    total = order.total_gross_amount
    is_paid = order.charge_status in (OrderChargeStatus.FULL, OrderChargeStatus.OVERCHARGED) or (
        total > 0 and order.total_charged_amount + refunded >= total
    )
    lines = tuple(
        OrderLineFacts(
            line_id=str(line.pk), product_name=line.product_name, sku=line.product_sku or "",
            quantity=line.quantity, total_net=line.total_price_net_amount,
            total_gross=line.total_price_gross_amount, is_gift_card=line.is_gift_card,
        )
        for line in order.lines.all()
    )
    return OrderFacts(
        order_id=order.pk,
        number=str(order.number),
        channel_slug=order.channel.slug,
        currency=order.currency,
        user_id=order.user_id,
        email=order.user_email or "",
        lines=lines,
        shipping_gross=order.shipping_price_gross_amount,
        total_gross=total,
        gift_card_paid=_charged_as_transactions(transactions),
        legacy_gift_card_paid=_legacy_gift_card_spend(order.pk, transactions),
        is_paid=is_paid,
        refunded_amount=refunded,
        is_cancelled=order.status == OrderStatus.CANCELED,
        language_code=order.language_code or "",
    )


def orders_changed_after(moment, last_key: str, limit: int) -> list[tuple[str, object]]:
    """(id, updated_at) of non-draft orders changed after a (moment, id) keyset position, oldest first."""
    from saleor.order import OrderStatus
    from saleor.order.models import Order

    orders = Order.objects.exclude(status=OrderStatus.DRAFT)
    if last_key:
        orders = orders.extra(where=["(order_order.updated_at, order_order.id) > (%s, %s::uuid)"],
                              params=[moment, last_key])
    else:
        orders = orders.filter(updated_at__gt=moment)
    return [(str(pk), updated_at) for pk, updated_at in
            orders.order_by("updated_at", "id").values_list("id", "updated_at")[:limit]]


def _staff_channel_slugs(user) -> frozenset[str] | None:
    """Saleor's channel restriction: any permission group without it reaches every channel, otherwise the
    restricted groups' channels. Superusers, and staff whose permissions were granted directly rather than
    through a group (Saleor's Dashboard never does that), are not restricted (None)."""
    if user.is_superuser:
        return None
    groups = list(user.groups.prefetch_related("channels"))
    if not groups or any(not group.restricted_access_to_channels for group in groups):
        return None
    return frozenset(channel.slug for group in groups for channel in group.channels.all())


def requestor_from_request(request) -> Requestor:
    """Authenticate exactly as Saleor's API does: a user JWT, or an app token.

    Raises `jwt.PyJWTError` for a present but invalid or expired user token.
    """
    from saleor.core.auth_backend import load_user_from_request
    from saleor.graphql.app.dataloaders.utils import get_app_promise

    user = load_user_from_request(request)
    if user is not None:
        if not user.is_staff:
            return Requestor(user_id=user.pk, email=user.email)
        return Requestor(user_id=user.pk, email=user.email, is_staff=True,
                         permissions=frozenset(p.codename.upper() for p in user.effective_permissions),
                         channel_slugs=_staff_channel_slugs(user))
    app = get_app_promise(request).get()
    if app is not None:
        permissions = frozenset(name.split(".", 1)[1].upper() for name in app.get_permissions())
        return Requestor(app_id=app.pk, app_name=app.name, permissions=permissions)
    return Requestor()


CARD_PAYMENT_KEY_PREFIX = "saleor.loyalty:"


def _card_amount_due(checkout, card, gateway_id: str) -> Decimal:
    """The card's whole balance up to what the checkout still owes, as the legacy flow applies a card.

    Owed is counted as `transactionInitialize` counts it with no amount given, except the card's own
    earlier authorizations here, which Saleor cancels when the card is authorized again.
    """
    from saleor.core.prices import quantize_price

    owed = checkout.total_gross_amount
    for item in checkout.payment_transactions.all():
        if item.app_identifier == gateway_id and item.gift_card_id == card.pk:
            continue
        owed -= max(item.authorized_value, item.charged_value)
        owed -= item.authorize_pending_value + item.charge_pending_value
    return quantize_price(max(min(card.current_balance_amount, owed), Decimal(0)), checkout.currency)


class SaleorGiftCards:
    """Members' store-credit cards as real Saleor gift cards, and checkouts as Saleor stores them.

    Every balance change follows `giftCardBalanceAdjust`: lock the card row, apply the delta
    (never below zero, raising the initial balance when needed), write Saleor's BALANCE_ADJUSTED
    event, and fire `gift_card_updated` after commit. It runs inside the club's transaction, so the
    card moves exactly when the club's credit row is written.
    """

    @staticmethod
    def _manager():
        from saleor.plugins.manager import get_plugins_manager

        return get_plugins_manager(allow_replica=False)

    @staticmethod
    def _require_store_credit() -> None:
        """Saleor 3.22 has no balance-adjusted gift-card events: refuse before any card is made or moved."""
        from saleor.giftcard import events

        if not hasattr(events, "gift_card_balance_adjusted_event"):
            raise StoreCreditUnavailable("Cashback and redemption need Saleor 3.23 or newer.")

    def create_card(self, user_id: int, email: str, currency: str) -> int:
        self._require_store_credit()
        from saleor.account.models import User
        from saleor.core.utils.events import call_event
        from saleor.core.utils.promo_code import generate_promo_code
        from saleor.giftcard.events import gift_card_issued_event
        from saleor.giftcard.models import GiftCard

        user = User.objects.get(pk=user_id)
        card = GiftCard(code=generate_promo_code(), currency=currency, initial_balance_amount=Decimal(0),
                        current_balance_amount=Decimal(0), is_active=True)
        if hasattr(GiftCard, "assigned_to"):  # Saleor 3.23.19+: only the member can apply it
            card.assigned_to, card.assigned_to_email = user, user.email
        card.save()
        gift_card_issued_event(gift_card=card, user=None, app=None)
        call_event(self._manager().gift_card_created, card, webhooks=None)
        return card.pk

    def adjust(self, gift_card_id: int, delta: Decimal, note: str) -> Decimal:
        self._require_store_credit()
        from django.db import transaction

        from saleor.core.utils.events import call_event
        from saleor.giftcard.events import gift_card_balance_adjusted_event, gift_card_note_added_event
        from saleor.giftcard.lock_objects import gift_card_qs_select_for_update

        with transaction.atomic():
            card = gift_card_qs_select_for_update().get(pk=gift_card_id)
            old_current, old_initial = card.current_balance_amount, card.initial_balance_amount
            card.current_balance_amount = max(old_current + delta, Decimal(0))
            fields = ["current_balance_amount"]
            if card.current_balance_amount > old_initial:
                card.initial_balance_amount = card.current_balance_amount
                fields.append("initial_balance_amount")
            card.save(update_fields=fields)
            gift_card_balance_adjusted_event(card, old_current, old_initial, None, None)
            gift_card_note_added_event(card, None, None, f"Loyalty club: {note}")
        call_event(self._manager().gift_card_updated, card)
        return card.current_balance_amount - old_current

    def balance(self, gift_card_id: int) -> Decimal:
        from saleor.giftcard.models import GiftCard

        balance = GiftCard.objects.filter(pk=gift_card_id).values_list("current_balance_amount", flat=True).first()
        return balance or Decimal(0)

    def exists(self, gift_card_id: int) -> bool:
        from saleor.giftcard.models import GiftCard

        return GiftCard.objects.filter(pk=gift_card_id).exists()

    def code(self, gift_card_id: int) -> str:
        from saleor.giftcard.models import GiftCard

        return GiftCard.objects.values_list("code", flat=True).get(pk=gift_card_id)

    def apply_to_checkout(self, gift_card_id: int, checkout_token, key: str) -> CardPayment | None:
        """Put the card on the checkout the way the channel takes gift cards (see `_authorize_card`)."""
        from saleor.checkout.models import Checkout

        checkout = Checkout.objects.select_for_update().select_related("channel").get(pk=checkout_token)
        if getattr(checkout.channel, "allow_legacy_gift_card_use", True):
            self._add_promo_code(checkout, gift_card_id)
            return None
        return self._authorize_card(checkout, gift_card_id, key)

    def _add_promo_code(self, checkout, gift_card_id: int) -> None:
        """What `checkoutAddPromoCode` does with a gift-card code, through Saleor's own utils."""
        from django.core.exceptions import ValidationError

        from saleor.checkout.actions import call_checkout_info_event
        from saleor.checkout.fetch import fetch_checkout_info, fetch_checkout_lines
        from saleor.checkout.utils import add_promo_code_to_checkout, invalidate_checkout
        from saleor.webhook.event_types import WebhookEventAsyncType

        manager = self._manager()
        lines, _ = fetch_checkout_lines(checkout)
        checkout_info = fetch_checkout_info(checkout, lines, manager)
        try:
            add_promo_code_to_checkout(manager, checkout_info, lines, self.code(gift_card_id))
        except ValidationError as error:
            raise LoyaltyError(f"Saleor refused the store-credit card: {error.messages[0]}", "checkoutId") from None
        checkout.save(update_fields=invalidate_checkout(checkout_info, lines, manager,
                                                        recalculate_discount=False, save=False))
        call_checkout_info_event(manager, event_name=WebhookEventAsyncType.CHECKOUT_UPDATED,
                                 checkout_info=checkout_info, lines=lines)

    def _authorize_card(self, checkout, gift_card_id: int, key: str) -> CardPayment:
        """What `transactionInitialize` with Saleor's gift-card gateway does, run inside the club's transaction.

        Done here rather than left to the storefront because that gateway lives in Saleor's process
        (no app, no webhook): initializing it is database work Saleor itself runs in one atomic block,
        so points → card credit → authorization commit together or not at all, with Saleor's own checks
        (assignee, balance, currency) and its rule that a card is authorized on one checkout at a time
        (an earlier authorization of the card is cancelled, never added to). An authorization moves no
        money: Saleor charges the card when the order is confirmed, so an abandoned checkout leaves
        the value on the card, and only a refund of that transaction ever puts it back.
        """
        from saleor.channel import TransactionFlowStrategy
        from saleor.checkout.utils import cancel_active_payments
        from saleor.giftcard.const import GIFT_CARD_PAYMENT_GATEWAY_ID
        from saleor.giftcard.models import GiftCard
        from saleor.payment import TransactionEventType
        from saleor.payment.interface import PaymentGatewayData
        from saleor.payment.utils import handle_transaction_initialize_session

        if checkout.is_checkout_locked():
            raise LoyaltyError("The checkout is being completed.", "checkoutId")
        card = GiftCard.objects.get(pk=gift_card_id)
        amount = _card_amount_due(checkout, card, GIFT_CARD_PAYMENT_GATEWAY_ID)
        if amount <= 0:
            raise LoyaltyError("Nothing is left to pay on this checkout.", "checkoutId")
        cancel_active_payments(checkout)  # as transactionInitialize: one checkout is never paid in both flows
        transaction_item, event, _ = handle_transaction_initialize_session(
            source_object=checkout, amount=amount, action=TransactionFlowStrategy.AUTHORIZATION,
            payment_gateway_data=PaymentGatewayData(app_identifier=GIFT_CARD_PAYMENT_GATEWAY_ID,
                                                    data={"code": card.code}),
            customer_ip_address=None, app=None, manager=self._manager(),
            idempotency_key=f"{CARD_PAYMENT_KEY_PREFIX}{key}",
        )
        if event.type != TransactionEventType.AUTHORIZATION_SUCCESS:
            raise LoyaltyError(f"Saleor refused the store-credit card: {event.message}", "checkoutId")
        return CardPayment(transaction_token=transaction_item.token, amount=transaction_item.authorized_value,
                           gateway=GIFT_CARD_PAYMENT_GATEWAY_ID)

    def refit_card_authorizations(self, checkout) -> None:
        """After a cart change, shrink a club card authorization that now exceeds what the checkout owes
        (see `redemption.card_authorization_refit`): Saleor's own re-initialization of the card, with the
        amount owed now, which cancels the earlier authorization."""
        from saleor.checkout.calculations import fetch_checkout_data
        from saleor.giftcard.const import GIFT_CARD_PAYMENT_GATEWAY_ID
        from saleor.payment.models import TransactionItem

        from .redemption import card_authorization_refit

        if getattr(checkout.channel, "allow_legacy_gift_card_use", True):
            return  # there the club puts the card on as a promo code, never as a transaction
        authorizations = list(TransactionItem.objects.filter(
            checkout_id=checkout.pk, app_identifier=GIFT_CARD_PAYMENT_GATEWAY_ID, gift_card__isnull=False,
            authorized_value__gt=0, charged_value=0, idempotency_key__startswith=CARD_PAYMENT_KEY_PREFIX,
        ).select_related("gift_card"))
        if not authorizations or checkout.is_checkout_locked():
            return
        checkout_info, lines, manager = _checkout_info(checkout)
        fetch_checkout_data(checkout_info, manager, lines, requestor=None).get()  # the cart just changed: price it
        for item in authorizations:
            owed_now = _card_amount_due(checkout, item.gift_card, GIFT_CARD_PAYMENT_GATEWAY_ID)
            if card_authorization_refit(item.authorized_value, owed_now) is not None:
                key = item.idempotency_key.removeprefix(CARD_PAYMENT_KEY_PREFIX)
                self._authorize_card(checkout, item.gift_card_id, f"{key}:refit:{owed_now}")

    def card_payment(self, key: str) -> CardPayment | None:
        from saleor.payment.models import TransactionItem

        gateway_id = _gift_card_gateway_id()
        if gateway_id is None:
            return None
        transaction_item = TransactionItem.objects.filter(
            idempotency_key=f"{CARD_PAYMENT_KEY_PREFIX}{key}", app_identifier=gateway_id).first()
        if transaction_item is None:
            return None
        return CardPayment(transaction_token=transaction_item.token, amount=transaction_item.authorized_value,
                           gateway=gateway_id)

    def checkout(self, checkout_token) -> CheckoutFacts | None:
        from saleor.checkout.models import Checkout
        from saleor.product import ProductTypeKind

        checkout = (
            Checkout.objects.filter(pk=checkout_token, completing_started_at__isnull=True)
            .select_related("channel")
            .prefetch_related("lines__variant__product__product_type")
            .first()
        )
        if checkout is None:
            return None
        lines = tuple(
            OrderLineFacts(
                line_id=str(line.pk), product_name=line.variant.product.name, sku=line.variant.sku or "",
                quantity=line.quantity, total_net=line.total_price_net_amount,
                total_gross=line.total_price_gross_amount,
                is_gift_card=line.variant.product.product_type.kind == ProductTypeKind.GIFT_CARD,
            )
            for line in checkout.lines.all()
        )
        return CheckoutFacts(
            token=checkout.pk, channel_slug=checkout.channel.slug, currency=checkout.currency,
            user_id=checkout.user_id, email=checkout.get_customer_email() or "", lines=lines,
            shipping_gross=checkout.shipping_price_gross_amount, total_gross=checkout.total_gross_amount,
        )

    def spent_on_order(self, gift_card_id: int, order_id) -> Decimal:
        from saleor.payment.models import TransactionItem

        transactions = (TransactionItem.objects.filter(order_id=order_id, gift_card_id=gift_card_id)
                        if _gift_card_gateway_id() else [])  # 3.22's transactions hold no gift cards
        return _legacy_gift_card_spend(order_id, transactions, gift_card_id=gift_card_id)


gift_cards = SaleorGiftCards()


# --- Checkouts and orders for cart recovery -------------------------------------------------------

SALEOR_TABLES = {"checkout": "checkout_checkout", "line": "checkout_checkoutline", "user": "account_user",
                 "address": "account_address", "channel": "channel_channel", "variant": "product_productvariant",
                 "product": "product_product"}
COMPLETION_LOCK = 3  # minutes; Saleor's CHECKOUT_COMPLETION_LOCK_TIME


def candidates_sql(tables: dict, keyset: str) -> str:
    """Abandoned checkouts of a channel from Saleor's stored totals, walked by (last_change, token).

    Eligible: at least one line, an email or a customer, a positive total, no payment charged or
    authorised, not being completed right now, last change before the cutoff. Uses Saleor's
    `last_change` index for the walk.
    """
    keyset = {
        "start": "true",
        "from": "c.last_change >= %(after_change)s",
        "after": "(c.last_change, c.token) > (%(after_change)s, %(after_token)s)",
    }[keyset]
    return f"""
SELECT c.token, c.last_change, c.currency, c.total_gross_amount, c.user_id,
       COALESCE(NULLIF(c.email, ''), u.email, '') AS email, COALESCE(a.phone, '') AS phone, c.language_code,
       (c.completing_started_at IS NOT NULL) AS completing
FROM {tables["checkout"]} c
JOIN {tables["channel"]} ch ON ch.id = c.channel_id
LEFT JOIN {tables["user"]} u ON u.id = c.user_id
LEFT JOIN {tables["address"]} a ON a.id = c.billing_address_id
WHERE ch.slug = %(channel)s AND c.last_change <= %(cutoff)s AND {keyset}
  AND c.total_gross_amount > 0 AND c.charge_status = 'none' AND c.authorize_status = 'none'
  AND (c.completing_started_at IS NULL OR c.completing_started_at < %(cutoff)s - interval '{COMPLETION_LOCK} minutes')
  AND (NULLIF(c.email, '') IS NOT NULL OR c.user_id IS NOT NULL)
  AND EXISTS (SELECT 1 FROM {tables["line"]} l WHERE l.checkout_id = c.token)
ORDER BY c.last_change, c.token
LIMIT %(limit)s
"""


def lines_sql(tables: dict) -> str:
    return f"""
SELECT l.checkout_id, p.name, v.name, l.quantity, COALESCE(l.total_price_gross_amount, 0)
FROM {tables["line"]} l
JOIN {tables["variant"]} v ON v.id = l.variant_id
JOIN {tables["product"]} p ON p.id = v.product_id
WHERE l.checkout_id = ANY(%(tokens)s)
ORDER BY l.checkout_id, l.created_at, l.id
"""


def fetch_abandoned(cursor, tables: dict, channel_slug: str, cutoff, after, limit: int):
    """Run the sweep's two queries (checkouts, then their lines) and build AbandonedCheckoutFacts."""
    from .facts import AbandonedCheckoutFacts, CheckoutLineFacts

    params = {"channel": channel_slug, "cutoff": cutoff, "limit": limit,
              "after_change": after[0] if after else None, "after_token": after[1] if after else None}
    keyset = "start" if after is None else ("after" if after[1] else "from")
    cursor.execute(candidates_sql(tables, keyset), params)
    rows = cursor.fetchall()
    if not rows:
        return []
    cursor.execute(lines_sql(tables), {"tokens": [row[0] for row in rows]})
    lines: dict = {}
    for token, product, variant, quantity, total in cursor.fetchall():
        name = f"{product} ({variant})" if variant and variant != product else product
        lines.setdefault(token, []).append(CheckoutLineFacts(name=name, quantity=quantity, total_gross=total))
    return [
        AbandonedCheckoutFacts(token=token, channel_slug=channel_slug, last_change=last_change, currency=currency,
                      total_gross=total, user_id=user_id, email=email, phone=phone, language_code=language or "",
                      lines=tuple(lines.get(token, ())), payment_in_progress=completing)
        for token, last_change, currency, total, user_id, email, phone, language, completing in rows
    ]


class SaleorShop:
    """What recovery asks of Saleor: abandoned candidates, a checkout now, an order since."""

    def abandoned_candidates(self, channel_slug, cutoff, after, limit):
        from django.db import connection

        with connection.cursor() as cursor:
            return fetch_abandoned(cursor, SALEOR_TABLES, channel_slug, cutoff, after, limit)

    def checkout_now(self, token):
        from saleor.checkout import CheckoutAuthorizeStatus, CheckoutChargeStatus
        from saleor.checkout.models import Checkout

        from .facts import AbandonedCheckoutFacts, CheckoutLineFacts

        checkout = (Checkout.objects.filter(pk=token).select_related("channel", "user", "billing_address")
                    .prefetch_related("lines__variant__product").first())
        if checkout is None:
            return None
        lines = tuple(
            CheckoutLineFacts(name=line.variant.product.name, quantity=line.quantity,
                              total_gross=line.total_price_gross_amount or Decimal(0))
            for line in checkout.lines.all()
        )
        paying = (checkout.charge_status != CheckoutChargeStatus.NONE
                  or checkout.authorize_status != CheckoutAuthorizeStatus.NONE
                  or checkout.completing_started_at is not None)
        return AbandonedCheckoutFacts(
            token=checkout.pk, channel_slug=checkout.channel.slug, last_change=checkout.last_change,
            currency=checkout.currency, total_gross=checkout.total_gross_amount, user_id=checkout.user_id,
            email=checkout.get_customer_email() or "",
            phone=str(checkout.billing_address.phone or "") if checkout.billing_address else "",
            language_code=checkout.language_code or "", lines=lines, payment_in_progress=paying,
        )

    def order_since(self, checkout_token, user_id, email, since):
        """This checkout's order, or any order by the same customer or email created since `since`."""
        from django.db.models import Q
        from saleor.order import OrderStatus
        from saleor.order.models import Order

        person = Q(checkout_token=str(checkout_token))
        if email:
            # equality (not iexact) so Saleor's (user_email, user_id) GIN index answers it
            person |= Q(user_email__in={email, email.lower()}, created_at__gte=since)
        if user_id is not None:
            person |= Q(user_id=user_id, created_at__gte=since)
        order = Order.objects.non_draft().filter(person).exclude(status=OrderStatus.EXPIRED) \
            .select_related("channel").order_by("-created_at").first()
        return _order_ref(order) if order else None

    def create_single_use_voucher(self, channel_slug: str, percent: int, starts_at, expires_at, name: str) -> str:
        """A Saleor voucher with one random code: one use in total, once per customer, valid from the send."""
        import secrets

        from saleor.channel.models import Channel
        from saleor.discount import DiscountValueType, VoucherType
        from saleor.discount.models import Voucher, VoucherChannelListing, VoucherCode

        channel = Channel.objects.get(slug=channel_slug)
        code = f"BACK-{secrets.token_hex(5).upper()}"
        voucher = Voucher.objects.create(
            name=name[:255], type=VoucherType.ENTIRE_ORDER, discount_value_type=DiscountValueType.PERCENTAGE,
            usage_limit=1, single_use=True, apply_once_per_customer=True, start_date=starts_at, end_date=expires_at,
        )
        VoucherCode.objects.create(voucher=voucher, code=code)
        VoucherChannelListing.objects.create(voucher=voucher, channel=channel, discount_value=Decimal(percent),
                                             currency=channel.currency_code)
        return code

    def checkout_email(self, token) -> str | None:
        from saleor.checkout.models import Checkout

        checkout = Checkout.objects.filter(pk=token).select_related("user").first()
        return (checkout.get_customer_email() or None) if checkout else None


def _order_ref(order):
    from .facts import OrderRef

    return OrderRef(order_id=order.pk, channel_slug=order.channel.slug, checkout_token=order.checkout_token or "",
                    user_id=order.user_id, email=order.user_email or "", total_gross=order.total_gross_amount,
                    created_at=order.created_at)


def order_ref(order_id):
    from saleor.order.models import Order

    order = Order.objects.non_draft().filter(pk=order_id).select_related("channel").first()
    return _order_ref(order) if order else None


def saleor_celery_app():
    """Saleor's Celery app when the plugin runs inside Saleor; None for the engine alone."""
    from django.conf import settings

    if "saleor.core" not in settings.INSTALLED_APPS:
        return None
    from saleor.celeryconf import app

    return app


CLUB_VOUCHER_MARK = "saleor_loyalty.tier_voucher"


class SaleorVouchers:
    """Tier vouchers as real Saleor vouchers, marked in private metadata so order creation can tell
    a club code from a merchant's code even after the club forgot the tier."""

    def create_tier_voucher(self, channel_slug: str, name: str, percent: Decimal) -> int:
        from saleor.channel.models import Channel
        from saleor.discount import DiscountValueType, VoucherType
        from saleor.discount.models import Voucher, VoucherChannelListing

        channel = Channel.objects.get(slug=channel_slug)
        voucher = Voucher.objects.create(name=name[:255], type=VoucherType.ENTIRE_ORDER,
                                         discount_value_type=DiscountValueType.PERCENTAGE,
                                         private_metadata={CLUB_VOUCHER_MARK: channel_slug})
        VoucherChannelListing.objects.create(voucher=voucher, channel=channel, discount_value=percent,
                                             currency=channel.currency_code)
        return voucher.pk

    def sync_voucher(self, voucher_id: int, channel_slug: str, name: str, percent: Decimal) -> None:
        from saleor.discount.models import Voucher, VoucherChannelListing

        Voucher.objects.filter(pk=voucher_id).exclude(name=name).update(name=name)
        VoucherChannelListing.objects.filter(voucher_id=voucher_id, channel__slug=channel_slug) \
            .exclude(discount_value=percent).update(discount_value=percent)

    def add_code(self, voucher_id: int, code: str) -> None:
        from saleor.discount.models import VoucherCode

        VoucherCode.objects.create(voucher_id=voucher_id, code=code)


def _built_in_shipping_method_id(checkout) -> int | None:
    delivery = getattr(checkout, "assigned_delivery", None)  # Saleor 3.23 keeps the choice here
    if delivery is not None:
        return delivery.built_in_shipping_method_id
    return getattr(checkout, "shipping_method_id", None)


def checkout_benefit_facts(checkout):
    from saleor.discount.models import VoucherChannelListing, VoucherCode

    from .checkout_benefits import CheckoutBenefitFacts

    is_club, percent = False, None
    if checkout.voucher_code:
        code = VoucherCode.objects.select_related("voucher").filter(code=checkout.voucher_code).first()
        if code is not None:
            is_club = CLUB_VOUCHER_MARK in (code.voucher.private_metadata or {})
            percent = VoucherChannelListing.objects.filter(voucher_id=code.voucher_id,
                                                           channel_id=checkout.channel_id) \
                .values_list("discount_value", flat=True).first()
    shipping_method_id = _built_in_shipping_method_id(checkout)
    delivery_chosen = shipping_method_id is not None or checkout.collection_point_id is not None \
        or bool(checkout.external_shipping_method_id)
    return CheckoutBenefitFacts(
        channel_slug=checkout.channel.slug, user_id=checkout.user_id, voucher_code=checkout.voucher_code or None,
        voucher_is_club=is_club, voucher_percent=percent, shipping_method_id=shipping_method_id,
        delivery_chosen=delivery_chosen,
        # reads the lines, so only asked when a member's checkout could still get a delivery picked
        ships=bool(checkout.user_id and not delivery_chosen and checkout.shipping_address_id
                   and checkout.is_shipping_required()),
    )


def set_checkout_voucher(checkout, code: str | None) -> None:
    """Put the club's code on (or take it off) the very checkout object Saleor is about to answer with."""
    from django.core.exceptions import ValidationError

    from saleor.checkout.utils import add_voucher_code_to_checkout, invalidate_checkout, remove_voucher_from_checkout

    checkout_info, lines, manager = _checkout_info(checkout)
    if code is None:
        remove_voucher_from_checkout(checkout)
        checkout_info.voucher = checkout_info.voucher_code = None
    else:
        try:
            add_voucher_code_to_checkout(manager, checkout_info, lines, code)
        except ValidationError as error:  # not applicable to this cart, or the code is gone: leave it as it is
            logger.info("Club code not applicable to checkout %s: %s", checkout.pk, error)
            return
    checkout.save(update_fields=invalidate_checkout(checkout_info, lines, manager, save=False))


def _checkout_info(checkout):
    from saleor.checkout.fetch import fetch_checkout_info, fetch_checkout_lines
    from saleor.plugins.manager import get_plugins_manager

    manager = get_plugins_manager(allow_replica=False)
    lines, _ = fetch_checkout_lines(checkout)
    return fetch_checkout_info(checkout, lines, manager), lines, manager


def available_built_in_method_ids(checkout) -> list[int]:
    """Saleor's valid shipping methods for the checkout (3.23 stores them as deliveries; 3.22 has none)."""
    try:
        from saleor.checkout.delivery_context import get_or_fetch_checkout_deliveries
    except ImportError:
        return []
    checkout_info, _, _ = _checkout_info(checkout)
    deliveries = get_or_fetch_checkout_deliveries(checkout_info, requestor=None).get()
    return [d.built_in_shipping_method_id for d in deliveries if d.is_valid and d.built_in_shipping_method_id]


def assign_built_in_method(checkout, method_id: int) -> None:
    """What `checkoutDeliveryMethodUpdate` does with a built-in method, through Saleor's own function."""
    from saleor.checkout.delivery_context import assign_delivery_method_to_checkout
    from saleor.checkout.models import CheckoutDelivery

    delivery = CheckoutDelivery.objects.filter(checkout_id=checkout.pk, built_in_shipping_method_id=method_id,
                                               is_valid=True).first()
    if delivery is not None:
        checkout_info, lines, manager = _checkout_info(checkout)
        assign_delivery_method_to_checkout(checkout_info, lines, manager, delivery)


def club_shipping_method_exists(method_id: int, channel_slug: str) -> bool:
    from saleor.shipping.models import ShippingMethodChannelListing

    return ShippingMethodChannelListing.objects.filter(shipping_method_id=method_id,
                                                       channel__slug=channel_slug).exists()
