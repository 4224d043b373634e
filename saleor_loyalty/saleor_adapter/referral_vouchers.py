"""Referrals in Saleor: the friend's welcome voucher on their checkout, and the order and customer facts
the fraud checks compare (emails, phones, address and card fingerprints, earlier orders)."""

import logging
import secrets
from decimal import Decimal

from saleor_loyalty.engagement.referral_facts import (
    PersonFacts,
    ReferralCheckoutFacts,
    ReferralOrderFacts,
    address_fingerprint,
    canonical_email,
    canonical_phone,
)
from saleor_loyalty.engagement.referral_orders import may_be_referred
from saleor_loyalty.saleor_adapter.checkouts import (
    CLUB_VOUCHER_MARK,
    REFERRAL_VOUCHER_MARK,
    load_checkout_info,
)
from saleor_loyalty.saleor_adapter.orders import order_facts

logger = logging.getLogger(__name__)

HISTORY = 50  # past orders of a referrer looked at for addresses and cards


def _address_print(address) -> str:
    if address is None:
        return ""
    street = f"{address.street_address_1} {address.street_address_2}"
    return address_fingerprint(street, address.city, address.postal_code, str(address.country))


def _phones(*addresses) -> set[str]:
    return {canonical_phone(str(a.phone)) for a in addresses if a is not None and a.phone} - {""}


def _card_print(item) -> str:
    """Brand, last digits and expiry as Saleor stored them for a payment or transaction, when it did."""
    if not (item.cc_last_digits and item.cc_brand):
        return ""
    return f"{item.cc_brand.lower()}:{item.cc_last_digits}:{item.cc_exp_month or ''}/{item.cc_exp_year or ''}"


def _cards(orders) -> set[str]:
    prints = set()
    for order in orders:
        prints |= {_card_print(item) for item in order.payments.all()}
        prints |= {_card_print(item) for item in order.payment_transactions.all()}
    return prints - {""}


class SaleorReferrals:
    """`engagement.referral_facts.ReferralShop` over Saleor's models."""

    def checkout(self, token):
        from saleor.checkout.models import Checkout
        from saleor.discount.models import VoucherCode

        checkout = (
            Checkout.objects.filter(pk=token)
            .select_related("channel", "billing_address", "shipping_address")
            .first()
        )
        if checkout is None:
            return None
        customers = False
        if checkout.voucher_code:
            code = VoucherCode.objects.select_related("voucher").filter(code=checkout.voucher_code).first()
            metadata = (code.voucher.private_metadata or {}) if code else {}
            customers = CLUB_VOUCHER_MARK not in metadata and REFERRAL_VOUCHER_MARK not in metadata
        address = checkout.billing_address or checkout.shipping_address
        return ReferralCheckoutFacts(
            token=checkout.pk,
            channel_slug=checkout.channel.slug,
            user_id=checkout.user_id,
            email=checkout.get_customer_email() or "",
            voucher_code=checkout.voucher_code or None,
            voucher_is_customers=customers,
            first_name=address.first_name if address else "",
        )

    def has_orders(self, user_id, email) -> bool:
        from django.db.models import Q
        from saleor.order import OrderStatus
        from saleor.order.models import Order

        person = Q(user_id=user_id) if user_id is not None else Q(pk__in=[])
        if email:
            person |= Q(user_email__iexact=email.strip())
        return Order.objects.non_draft().filter(person).exclude(status=OrderStatus.EXPIRED).exists()

    def create_welcome_voucher(self, channel_slug: str, fixed: bool, value: Decimal, name: str) -> str:
        """One use in total and once per customer; marked so the club's tier logic never takes it off."""
        from saleor.channel.models import Channel
        from saleor.discount import DiscountValueType, VoucherType
        from saleor.discount.models import Voucher, VoucherChannelListing, VoucherCode

        channel = Channel.objects.get(slug=channel_slug)
        code = f"FRIEND-{secrets.token_hex(5).upper()}"
        voucher = Voucher.objects.create(
            name=name[:255],
            type=VoucherType.ENTIRE_ORDER,
            discount_value_type=DiscountValueType.FIXED if fixed else DiscountValueType.PERCENTAGE,
            usage_limit=1,
            single_use=True,
            apply_once_per_customer=True,
            private_metadata={REFERRAL_VOUCHER_MARK: channel_slug},
        )
        VoucherCode.objects.create(voucher=voucher, code=code)
        VoucherChannelListing.objects.create(
            voucher=voucher, channel=channel, discount_value=value, currency=channel.currency_code
        )
        return code

    def put_on_checkout(self, token, code: str) -> bool:
        from django.core.exceptions import ValidationError
        from saleor.checkout.models import Checkout
        from saleor.checkout.utils import add_voucher_code_to_checkout, invalidate_checkout

        checkout = Checkout.objects.filter(pk=token).first()
        if checkout is None:
            return False
        checkout_info, lines, manager = load_checkout_info(checkout)
        try:
            add_voucher_code_to_checkout(manager, checkout_info, lines, code)
        except ValidationError as error:  # not applicable to this cart (yet): the code stays the friend's
            logger.info("Welcome voucher not applicable to checkout %s: %s", token, error)
            return False
        checkout.save(update_fields=invalidate_checkout(checkout_info, lines, manager, save=False))
        return True

    def order(self, order_id):
        """The order's facts, or None when no referral could be about it (one cheap query for most orders)."""
        from saleor.order.models import Order

        keys = (
            Order.objects.filter(pk=order_id)
            .values_list("channel__slug", "checkout_token", "voucher_code")
            .first()
        )
        if keys is None or not may_be_referred(order_id, keys[0], _uuid_or_none(keys[1]), keys[2] or ""):
            return None
        facts = order_facts(order_id)
        if facts is None:
            return None
        order = (
            Order.objects.filter(pk=order_id)
            .select_related("billing_address", "shipping_address")
            .prefetch_related("payments", "payment_transactions")
            .get()
        )
        person = PersonFacts(
            user_id=order.user_id,
            emails=frozenset({canonical_email(order.user_email)} - {""}),
            phones=frozenset(_phones(order.billing_address, order.shipping_address)),
            addresses=frozenset({_address_print(order.shipping_address)} - {""}),
            payments=frozenset(_cards([order])),
        )
        return ReferralOrderFacts(
            order_id=order.pk,
            number=str(order.number),
            channel_slug=facts.channel_slug,
            checkout_token=_uuid_or_none(order.checkout_token),
            user_id=order.user_id,
            email=order.user_email or "",
            total=facts.total_gross,
            currency=facts.currency,
            voucher_code=order.voucher_code or "",
            is_paid=facts.is_paid,
            refunded_amount=facts.refunded_amount,
            is_cancelled=facts.is_cancelled,
            earlier_orders=self._earlier_orders(order),
            first_name=(order.billing_address.first_name if order.billing_address else "")[:64],
            person=person,
        )

    def _earlier_orders(self, order) -> int:
        from django.db.models import Q
        from saleor.order import OrderStatus
        from saleor.order.models import Order

        person = Q(user_email__iexact=order.user_email) if order.user_email else Q(pk__in=[])
        if order.user_id is not None:
            person |= Q(user_id=order.user_id)
        return (
            Order.objects.non_draft()
            .filter(person, created_at__lt=order.created_at)
            .exclude(pk=order.pk)
            .exclude(status=OrderStatus.EXPIRED)
            .count()
        )

    def person(self, user_id, email) -> PersonFacts:
        """A referrer as the checks compare: their Saleor addresses and those and the cards of their orders."""
        from django.contrib.auth import get_user_model
        from saleor.order.models import Order

        user = (
            get_user_model().objects.filter(pk=user_id).prefetch_related("addresses").first()
            if user_id
            else None
        )
        addresses = list(user.addresses.all()) if user else []
        orders = list(
            Order.objects.non_draft()
            .filter(user_id=user_id)
            .select_related("shipping_address", "billing_address")
            .prefetch_related("payments", "payment_transactions")
            .order_by("-created_at")[:HISTORY]
            if user_id
            else []
        )
        addresses += [a for order in orders for a in (order.shipping_address, order.billing_address) if a]
        emails = {canonical_email(email)} | ({canonical_email(user.email)} if user else set())
        return PersonFacts(
            user_id=user_id,
            emails=frozenset(emails - {""}),
            phones=frozenset(_phones(*addresses)),
            addresses=frozenset({_address_print(a) for a in addresses} - {""}),
            payments=frozenset(_cards(orders)),
        )


def _uuid_or_none(value):
    import uuid

    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


saleor_referrals = SaleorReferrals()
