"""Tier benefits inside Saleor's checkout: tier vouchers, member codes on the checkout, reserved shipping."""

import logging
from decimal import Decimal

from saleor_loyalty.exceptions import ClubBenefitRefused, ClubCodeRefused, ClubShippingRefused

logger = logging.getLogger(__name__)


CLUB_VOUCHER_MARK = "saleor_loyalty.tier_voucher"
REFERRAL_VOUCHER_MARK = "saleor_loyalty.referral_voucher"


class SaleorVouchers:
    """Tier vouchers as real Saleor vouchers, marked in private metadata so order creation can tell
    a club code from a merchant's code even after the club forgot the tier."""

    def create_tier_voucher(self, channel_slug: str, name: str, percent: Decimal) -> int:
        from saleor.channel.models import Channel
        from saleor.discount import DiscountValueType, VoucherType
        from saleor.discount.models import Voucher, VoucherChannelListing

        channel = Channel.objects.get(slug=channel_slug)
        voucher = Voucher.objects.create(
            name=name[:255],
            type=VoucherType.ENTIRE_ORDER,
            discount_value_type=DiscountValueType.PERCENTAGE,
            private_metadata={CLUB_VOUCHER_MARK: channel_slug},
        )
        VoucherChannelListing.objects.create(
            voucher=voucher, channel=channel, discount_value=percent, currency=channel.currency_code
        )
        return voucher.pk

    def sync_voucher(self, voucher_id: int, channel_slug: str, name: str, percent: Decimal) -> None:
        from saleor.discount.models import Voucher, VoucherChannelListing

        Voucher.objects.filter(pk=voucher_id).exclude(name=name).update(name=name)
        VoucherChannelListing.objects.filter(voucher_id=voucher_id, channel__slug=channel_slug).exclude(
            discount_value=percent
        ).update(discount_value=percent)

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

    from saleor_loyalty.benefits.checkout import CheckoutBenefitFacts

    is_club, is_welcome, percent = False, False, None
    if checkout.voucher_code:
        code = VoucherCode.objects.select_related("voucher").filter(code=checkout.voucher_code).first()
        if code is not None:
            is_club = CLUB_VOUCHER_MARK in (code.voucher.private_metadata or {})
            is_welcome = REFERRAL_VOUCHER_MARK in (code.voucher.private_metadata or {})
            percent = (
                VoucherChannelListing.objects.filter(
                    voucher_id=code.voucher_id, channel_id=checkout.channel_id
                )
                .values_list("discount_value", flat=True)
                .first()
            )
    shipping_method_id = _built_in_shipping_method_id(checkout)
    delivery_chosen = (
        shipping_method_id is not None
        or checkout.collection_point_id is not None
        or bool(checkout.external_shipping_method_id)
    )
    return CheckoutBenefitFacts(
        channel_slug=checkout.channel.slug,
        user_id=checkout.user_id,
        voucher_code=checkout.voucher_code or None,
        voucher_is_club=is_club,
        voucher_is_welcome=is_welcome,
        checkout_token=str(checkout.token),
        email=checkout.get_customer_email() or "",
        voucher_percent=percent,
        shipping_method_id=shipping_method_id,
        delivery_chosen=delivery_chosen,
        # reads the lines, so only asked when a member's checkout could still get a delivery picked
        ships=bool(
            checkout.user_id
            and not delivery_chosen
            and checkout.shipping_address_id
            and checkout.is_shipping_required()
        ),
    )


def set_checkout_voucher(checkout, code: str | None) -> None:
    """Put the club's code on (or take it off) the very checkout object Saleor is about to answer with."""
    from django.core.exceptions import ValidationError
    from saleor.checkout.utils import (
        add_voucher_code_to_checkout,
        invalidate_checkout,
        remove_voucher_from_checkout,
    )

    checkout_info, lines, manager = load_checkout_info(checkout)
    if code is None:
        remove_voucher_from_checkout(checkout)
        checkout_info.voucher = checkout_info.voucher_code = None
    else:
        try:
            add_voucher_code_to_checkout(manager, checkout_info, lines, code)
        except (
            ValidationError
        ) as error:  # not applicable to this cart, or the code is gone: leave it as it is
            logger.info("Club code not applicable to checkout %s: %s", checkout.pk, error)
            return
    checkout.save(update_fields=invalidate_checkout(checkout_info, lines, manager, save=False))


def load_checkout_info(checkout):
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
    checkout_info, _, _ = load_checkout_info(checkout)
    deliveries = get_or_fetch_checkout_deliveries(checkout_info, requestor=None).get()
    return [d.built_in_shipping_method_id for d in deliveries if d.is_valid and d.built_in_shipping_method_id]


def assign_built_in_method(checkout, method_id: int) -> None:
    """What `checkoutDeliveryMethodUpdate` does with a built-in method, through Saleor's own function."""
    from saleor.checkout.delivery_context import assign_delivery_method_to_checkout
    from saleor.checkout.models import CheckoutDelivery

    delivery = CheckoutDelivery.objects.filter(
        checkout_id=checkout.pk, built_in_shipping_method_id=method_id, is_valid=True
    ).first()
    if delivery is not None:
        checkout_info, lines, manager = load_checkout_info(checkout)
        assign_delivery_method_to_checkout(checkout_info, lines, manager, delivery)


def club_shipping_method_exists(method_id: int, channel_slug: str) -> bool:
    from saleor.shipping.models import ShippingMethodChannelListing

    return ShippingMethodChannelListing.objects.filter(
        shipping_method_id=method_id, channel__slug=channel_slug
    ).exists()


def order_creation_error(refusal: ClubBenefitRefused):
    """A refused club benefit as Saleor's own typed checkout error, on the field Saleor names."""
    from django.core.exceptions import ValidationError
    from saleor.checkout.error_codes import CheckoutErrorCode

    code = {
        ClubCodeRefused: CheckoutErrorCode.VOUCHER_NOT_APPLICABLE,
        ClubShippingRefused: CheckoutErrorCode.INVALID_SHIPPING_METHOD,
    }[type(refusal)]
    return ValidationError({refusal.field: ValidationError(refusal.message, code=code.value)})
