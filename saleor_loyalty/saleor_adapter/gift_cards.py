"""Members' store-credit cards as real Saleor gift cards, and checkouts as Saleor stores them."""

from decimal import Decimal

from saleor_loyalty.core.facts import CardPayment, CheckoutFacts, OrderLineFacts
from saleor_loyalty.exceptions import LoyaltyError, StoreCreditUnavailable
from saleor_loyalty.saleor_adapter.checkouts import load_checkout_info
from saleor_loyalty.saleor_adapter.orders import gift_card_gateway_id, legacy_gift_card_spend

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
        card = GiftCard(
            code=generate_promo_code(),
            currency=currency,
            initial_balance_amount=Decimal(0),
            current_balance_amount=Decimal(0),
            is_active=True,
        )
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

        balance = (
            GiftCard.objects.filter(pk=gift_card_id).values_list("current_balance_amount", flat=True).first()
        )
        return balance or Decimal(0)

    def balances(self, gift_card_ids: list[int]) -> dict[int, Decimal]:
        from saleor.giftcard.models import GiftCard

        return dict(GiftCard.objects.filter(pk__in=gift_card_ids).values_list("pk", "current_balance_amount"))

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
            raise LoyaltyError(
                f"Saleor refused the store-credit card: {error.messages[0]}", "checkoutId"
            ) from None
        checkout.save(
            update_fields=invalidate_checkout(
                checkout_info, lines, manager, recalculate_discount=False, save=False
            )
        )
        call_checkout_info_event(
            manager,
            event_name=WebhookEventAsyncType.CHECKOUT_UPDATED,
            checkout_info=checkout_info,
            lines=lines,
        )

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
            raise LoyaltyError("The checkout is being completed.", "checkout_id")
        card = GiftCard.objects.get(pk=gift_card_id)
        amount = _card_amount_due(checkout, card, GIFT_CARD_PAYMENT_GATEWAY_ID)
        if amount <= 0:
            raise LoyaltyError("Nothing is left to pay on this checkout.", "checkout_id")
        cancel_active_payments(checkout)  # as transactionInitialize: one checkout is never paid in both flows
        transaction_item, event, _ = handle_transaction_initialize_session(
            source_object=checkout,
            amount=amount,
            action=TransactionFlowStrategy.AUTHORIZATION,
            payment_gateway_data=PaymentGatewayData(
                app_identifier=GIFT_CARD_PAYMENT_GATEWAY_ID, data={"code": card.code}
            ),
            customer_ip_address=None,
            app=None,
            manager=self._manager(),
            idempotency_key=f"{CARD_PAYMENT_KEY_PREFIX}{key}",
        )
        if event.type != TransactionEventType.AUTHORIZATION_SUCCESS:
            raise LoyaltyError(f"Saleor refused the store-credit card: {event.message}", "checkout_id")
        return CardPayment(
            transaction_token=transaction_item.token,
            amount=transaction_item.authorized_value,
            gateway=GIFT_CARD_PAYMENT_GATEWAY_ID,
        )

    def refit_card_authorizations(self, checkout) -> None:
        """After a cart change, shrink a club card authorization that now exceeds what the checkout owes
        (see `redemption.card_authorization_refit`): Saleor's own re-initialization of the card, with the
        amount owed now, which cancels the earlier authorization."""
        from saleor.checkout.calculations import fetch_checkout_data
        from saleor.giftcard.const import GIFT_CARD_PAYMENT_GATEWAY_ID
        from saleor.payment.models import TransactionItem

        from saleor_loyalty.rewards.redemption import card_authorization_refit

        if getattr(checkout.channel, "allow_legacy_gift_card_use", True):
            return  # there the club puts the card on as a promo code, never as a transaction
        authorizations = list(
            TransactionItem.objects.filter(
                checkout_id=checkout.pk,
                app_identifier=GIFT_CARD_PAYMENT_GATEWAY_ID,
                gift_card__isnull=False,
                authorized_value__gt=0,
                charged_value=0,
                idempotency_key__startswith=CARD_PAYMENT_KEY_PREFIX,
            ).select_related("gift_card")
        )
        if not authorizations or checkout.is_checkout_locked():
            return
        checkout_info, lines, manager = load_checkout_info(checkout)
        fetch_checkout_data(
            checkout_info, manager, lines, requestor=None
        ).get()  # the cart just changed: price it
        for item in authorizations:
            owed_now = _card_amount_due(checkout, item.gift_card, GIFT_CARD_PAYMENT_GATEWAY_ID)
            if card_authorization_refit(item.authorized_value, owed_now) is not None:
                key = item.idempotency_key.removeprefix(CARD_PAYMENT_KEY_PREFIX)
                self._authorize_card(checkout, item.gift_card_id, f"{key}:refit:{owed_now}")

    def card_payment(self, key: str) -> CardPayment | None:
        from saleor.payment.models import TransactionItem

        gateway_id = gift_card_gateway_id()
        if gateway_id is None:
            return None
        transaction_item = TransactionItem.objects.filter(
            idempotency_key=f"{CARD_PAYMENT_KEY_PREFIX}{key}", app_identifier=gateway_id
        ).first()
        if transaction_item is None:
            return None
        return CardPayment(
            transaction_token=transaction_item.token,
            amount=transaction_item.authorized_value,
            gateway=gateway_id,
        )

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
                line_id=str(line.pk),
                product_name=line.variant.product.name,
                sku=line.variant.sku or "",
                quantity=line.quantity,
                total_net=line.total_price_net_amount,
                total_gross=line.total_price_gross_amount,
                is_gift_card=line.variant.product.product_type.kind == ProductTypeKind.GIFT_CARD,
            )
            for line in checkout.lines.all()
        )
        return CheckoutFacts(
            token=checkout.pk,
            channel_slug=checkout.channel.slug,
            currency=checkout.currency,
            user_id=checkout.user_id,
            email=checkout.get_customer_email() or "",
            lines=lines,
            shipping_gross=checkout.shipping_price_gross_amount,
            total_gross=checkout.total_gross_amount,
        )

    def spent_on_order(self, gift_card_id: int, order_id) -> Decimal:
        from saleor.payment.models import TransactionItem

        transactions = (
            TransactionItem.objects.filter(order_id=order_id, gift_card_id=gift_card_id)
            if gift_card_gateway_id()
            else []
        )  # 3.22's transactions hold no gift cards
        return legacy_gift_card_spend(order_id, transactions, gift_card_id=gift_card_id)

    def spent(self, gift_card_id: int) -> Decimal:
        """Saleor's own moves of the card for orders: USED_IN_ORDER (legacy use and charged gift-card
        transactions) less REFUNDED_IN_ORDER (3.23 gives charged card money back), from their events."""
        from saleor.giftcard import GiftCardEvents
        from saleor.giftcard.models import GiftCardEvent

        kinds = [GiftCardEvents.USED_IN_ORDER, getattr(GiftCardEvents, "REFUNDED_IN_ORDER", None)]
        net = Decimal(0)
        for parameters in GiftCardEvent.objects.filter(
            gift_card_id=gift_card_id, type__in=[kind for kind in kinds if kind]
        ).values_list("parameters", flat=True):
            balance = (parameters or {}).get("balance", {})
            net += Decimal(str(balance.get("old_current_balance") or 0)) - Decimal(
                str(balance.get("current_balance") or 0)
            )
        return net


saleor_gift_cards = SaleorGiftCards()
