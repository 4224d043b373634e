"""Checkouts and orders for cart recovery: abandoned candidates read in keyset batches, orders since."""

import logging
from decimal import Decimal

from saleor_loyalty.saleor_adapter.orders import order_ref_of

logger = logging.getLogger(__name__)

SALEOR_TABLES = {
    "checkout": "checkout_checkout",
    "line": "checkout_checkoutline",
    "user": "account_user",
    "address": "account_address",
    "channel": "channel_channel",
    "variant": "product_productvariant",
    "product": "product_product",
    "product_type": "product_producttype",
}


COMPLETION_LOCK = 3  # minutes; Saleor's CHECKOUT_COMPLETION_LOCK_TIME


def candidates_sql(tables: dict, keyset: str) -> str:
    """Abandoned checkouts of a channel from Saleor's stored totals, walked by (last_change, token).

    Eligible: at least one line, an email or a customer, a positive total or prices Saleor has not
    computed since the last change, no payment charged or authorised, not being completed right now,
    last change before the cutoff. Uses Saleor's `last_change` index for the walk.

    Saleor stores a checkout's totals only when something asks for its price (a storefront reading
    `totalPrice`, a payment); until then `total_gross_amount` is 0 and `price_expiration` is not after
    `last_change` (a change invalidates prices; pricing moves only `price_expiration`, never
    `last_change`). Such a cart is a candidate too: `SaleorShop.checkout_now` prices it, with Saleor's
    own calculations, before its reminder is built.
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
  AND (c.total_gross_amount > 0 OR c.price_expiration <= c.last_change)
  AND c.charge_status = 'none' AND c.authorize_status = 'none'
  AND (c.completing_started_at IS NULL OR c.completing_started_at < %(cutoff)s - interval '{COMPLETION_LOCK} minutes')
  AND (NULLIF(c.email, '') IS NOT NULL OR c.user_id IS NOT NULL)
  AND EXISTS (SELECT 1 FROM {tables["line"]} l WHERE l.checkout_id = c.token)
ORDER BY c.last_change, c.token
LIMIT %(limit)s
"""


def lines_sql(tables: dict) -> str:
    return f"""
SELECT l.checkout_id, p.name, v.name, l.quantity, COALESCE(l.total_price_gross_amount, 0),
       COALESCE(l.total_price_net_amount, 0), t.kind = 'gift_card'
FROM {tables["line"]} l
JOIN {tables["variant"]} v ON v.id = l.variant_id
JOIN {tables["product"]} p ON p.id = v.product_id
JOIN {tables["product_type"]} t ON t.id = p.product_type_id
WHERE l.checkout_id = ANY(%(tokens)s)
ORDER BY l.checkout_id, l.created_at, l.id
"""


def fetch_abandoned(cursor, tables: dict, channel_slug: str, cutoff, after, limit: int):
    """Run the sweep's two queries (checkouts, then their lines) and build AbandonedCheckoutFacts."""
    from saleor_loyalty.core.facts import AbandonedCheckoutFacts, CheckoutLineFacts

    params = {
        "channel": channel_slug,
        "cutoff": cutoff,
        "limit": limit,
        "after_change": after[0] if after else None,
        "after_token": after[1] if after else None,
    }
    keyset = "start" if after is None else ("after" if after[1] else "from")
    cursor.execute(candidates_sql(tables, keyset), params)
    rows = cursor.fetchall()
    if not rows:
        return []
    cursor.execute(lines_sql(tables), {"tokens": [row[0] for row in rows]})
    lines: dict = {}
    for token, product, variant, quantity, gross, net, is_gift_card in cursor.fetchall():
        name = f"{product} ({variant})" if variant and variant != product else product
        lines.setdefault(token, []).append(
            CheckoutLineFacts(
                name=name, quantity=quantity, total_gross=gross, total_net=net, is_gift_card=is_gift_card
            )
        )
    return [
        AbandonedCheckoutFacts(
            token=token,
            channel_slug=channel_slug,
            last_change=last_change,
            currency=currency,
            total_gross=total,
            user_id=user_id,
            email=email,
            phone=phone,
            language_code=language or "",
            lines=tuple(lines.get(token, ())),
            payment_in_progress=completing,
        )
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

        from saleor_loyalty.core.facts import AbandonedCheckoutFacts, CheckoutLineFacts

        checkout = (
            Checkout.objects.filter(pk=token).select_related("channel", "user", "billing_address").first()
        )
        if checkout is None:
            return None
        checkout, lines = self._priced(checkout)
        lines = tuple(
            CheckoutLineFacts(
                name=line.variant.product.name,
                quantity=line.quantity,
                total_gross=line.total_price_gross_amount or Decimal(0),
                total_net=line.total_price_net_amount or Decimal(0),
                is_gift_card=line.variant.is_gift_card(),
            )
            for line in lines
        )
        paying = (
            checkout.charge_status != CheckoutChargeStatus.NONE
            or checkout.authorize_status != CheckoutAuthorizeStatus.NONE
            or checkout.completing_started_at is not None
        )
        return AbandonedCheckoutFacts(
            token=checkout.pk,
            channel_slug=checkout.channel.slug,
            last_change=checkout.last_change,
            currency=checkout.currency,
            total_gross=checkout.total_gross_amount,
            user_id=checkout.user_id,
            email=checkout.get_customer_email() or "",
            phone=str(checkout.billing_address.phone or "") if checkout.billing_address else "",
            language_code=checkout.language_code or "",
            lines=lines,
            payment_in_progress=paying,
        )

    @staticmethod
    def _priced(checkout):
        """The checkout and its lines with Saleor's current prices, computed as Saleor's API does when a
        storefront reads `totalPrice` (`fetch_checkout_data`: re-priced when the stored prices expired,
        which includes a checkout never priced at all, and saved without touching `last_change`).
        Pricing that fails (a tax app down) leaves the stored prices: the reminder is not lost for it."""
        from saleor.checkout.calculations import fetch_checkout_data

        from saleor_loyalty.saleor_adapter.checkouts import load_checkout_info

        try:
            checkout_info, line_infos, manager = load_checkout_info(checkout)
            try:
                priced = fetch_checkout_data(checkout_info, manager, line_infos, requestor=None)
            except TypeError:  # Saleor 3.22: no requestor argument
                priced = fetch_checkout_data(checkout_info, manager, line_infos)
            checkout_info, line_infos = priced.get() if hasattr(priced, "get") else priced
        except Exception:
            logger.exception("Could not price checkout %s for its reminder", checkout.pk)
            return checkout, list(checkout.lines.select_related("variant__product__product_type"))
        return checkout_info.checkout, [info.line for info in line_infos]

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
        order = (
            Order.objects.non_draft()
            .filter(person)
            .exclude(status=OrderStatus.EXPIRED)
            .select_related("channel")
            .order_by("-created_at")
            .first()
        )
        return order_ref_of(order) if order else None

    def create_single_use_voucher(
        self, channel_slug: str, percent: int, starts_at, expires_at, name: str
    ) -> str:
        """A Saleor voucher with one random code: one use in total, once per customer, valid from the send."""
        import secrets

        from saleor.channel.models import Channel
        from saleor.discount import DiscountValueType, VoucherType
        from saleor.discount.models import Voucher, VoucherChannelListing, VoucherCode

        channel = Channel.objects.get(slug=channel_slug)
        code = f"BACK-{secrets.token_hex(5).upper()}"
        voucher = Voucher.objects.create(
            name=name[:255],
            type=VoucherType.ENTIRE_ORDER,
            discount_value_type=DiscountValueType.PERCENTAGE,
            usage_limit=1,
            single_use=True,
            apply_once_per_customer=True,
            start_date=starts_at,
            end_date=expires_at,
        )
        VoucherCode.objects.create(voucher=voucher, code=code)
        VoucherChannelListing.objects.create(
            voucher=voucher, channel=channel, discount_value=Decimal(percent), currency=channel.currency_code
        )
        return code

    def checkout_contact(self, token):
        """The checkout's customer, email and phone (billing, else shipping address), or None."""
        from saleor.checkout.models import Checkout

        from saleor_loyalty.core.facts import CheckoutContact

        checkout = (
            Checkout.objects.filter(pk=token)
            .select_related("user", "billing_address", "shipping_address")
            .first()
        )
        if checkout is None:
            return None
        phones = [a.phone for a in (checkout.billing_address, checkout.shipping_address) if a and a.phone]
        return CheckoutContact(
            user_id=checkout.user_id,
            email=checkout.get_customer_email() or "",
            phone=str(phones[0]) if phones else "",
        )

    def customer_phones(self, user_id: int) -> set[str]:
        """The numbers on a customer's Saleor addresses: the ones they may give SMS consent for."""
        from saleor.account.models import Address

        return {
            str(phone)
            for phone in Address.objects.filter(user_addresses__id=user_id).values_list("phone", flat=True)
            if phone
        }

    def customers_phones(self, user_ids) -> dict[int, set[str]]:
        """`customer_phones` for a batch of customers in one query (an SMS campaign's claim)."""
        from saleor.account.models import Address

        user_ids, found = set(user_ids), {}
        rows = Address.objects.filter(user_addresses__id__in=list(user_ids)).exclude(phone="")
        for user_id, phone in rows.values_list("user_addresses__id", "phone"):
            if user_id in user_ids and phone:
                found.setdefault(user_id, set()).add(str(phone))
        return found
