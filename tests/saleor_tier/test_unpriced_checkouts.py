"""A guest checkout nobody priced (Saleor keeps its total at 0 until asked) is still an abandoned cart."""

from datetime import timedelta
from decimal import Decimal

import graphene
import pytest
from django.core import mail
from freezegun import freeze_time
from saleor.checkout.models import Checkout

from saleor_loyalty.models import AbandonedCheckout, MessagingSettings

from .flows import club, saleor_call
from .test_recovery import CONSENT_SET, T0, WORDING, tick

# What a storefront that does not show a price yet sends: no `totalPrice` asked, so Saleor computes none.
CHECKOUT_CREATE_UNPRICED = """
mutation($input: CheckoutCreateInput!) {
  checkoutCreate(input: $input) { checkout { id } errors { field message code } }
}"""


@pytest.fixture
def recovery_in_main(channel_USD):
    return MessagingSettings.objects.create(
        channel_slug=channel_USD.slug,
        recovery_enabled=True,
        country="IL",
        sender_name="Dana's shop",
        sender_email="shop@example.com",
        contact_address="1 Herzl St, Tel Aviv",
        reply_to="remove@example.com",
        restore_url_template="https://shop.example.com/cart/restore/{token}",
    )


def test_unpriced_guest_checkout_is_detected_and_its_reminder_carries_the_real_total(
    api_client, product, recovery_in_main
):
    # given a guest who opted in and left two of a product in a checkout nothing ever priced
    variant = product.variants.first()
    with freeze_time(T0):
        created = saleor_call(
            api_client,
            CHECKOUT_CREATE_UNPRICED,
            {
                "input": {
                    "channel": "main",
                    "email": "guest@example.com",
                    "lines": [
                        {"quantity": 2, "variantId": graphene.Node.to_global_id("ProductVariant", variant.pk)}
                    ],
                }
            },
            "checkoutCreate",
        )["checkout"]
        status, body = club(CONSENT_SET, {"checkoutId": created["id"], "wording": WORDING})
    assert status == 200, body
    saleor_checkout = Checkout.objects.get(pk=graphene.Node.from_global_id(created["id"])[1])
    assert saleor_checkout.total_gross_amount == 0  # Saleor has not priced it
    unit = variant.channel_listings.get(channel__slug="main").price_amount

    # when the recovery job runs an hour later
    sent = tick(T0 + timedelta(minutes=61))

    # then the cart was detected and its reminder shows what Saleor now charges for it
    assert sent == 1
    row = AbandonedCheckout.objects.get()
    assert row.checkout_token == saleor_checkout.token
    assert row.total_gross == unit * 2
    assert [Decimal(line["total"]) for line in row.lines] == [unit * 2]
    assert f"Total: {(unit * 2).normalize():f} USD" in mail.outbox[0].body
    # and Saleor keeps the prices it computed, without counting it as a change of the cart
    saleor_checkout.refresh_from_db()
    assert saleor_checkout.total_gross_amount == unit * 2
    assert saleor_checkout.last_change == row.checkout_changed_at
