"""An abandoned Saleor checkout, end to end: detection, reminders in the mail outbox, restore, sequences."""

from datetime import UTC, datetime, timedelta

import graphene
import pytest
from django.core import mail
from freezegun import freeze_time
from saleor.checkout.models import Checkout

from saleor_loyalty.models import (
    AbandonedCheckout,
    MessageLog,
    MessageStatus,
    MessagingSettings,
    RecoveryState,
)
from saleor_loyalty.recovery import abandonment, sequences
from saleor_loyalty.saleor_adapter import abandoned_checkouts

from .flows import (
    ADD_PROMO_CODE,
    ADDRESS,
    CHECKOUT_COMPLETE,
    DELIVERY_UPDATE,
    PAYMENT_CREATE,
    club,
    saleor_call,
)

T0 = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Israel
WORDING = "I agree to receive marketing email from Dana's shop"

CHECKOUT_CREATE = """
mutation($input: CheckoutCreateInput!) {
  checkoutCreate(input: $input) { checkout { id totalPrice { gross { amount } } } errors { field message code } }
}"""
CONSENT_SET = """
mutation($checkoutId: ID!, $wording: String!) {
  loyaltyConsentSet(channel: "main", medium: EMAIL, granted: true, source: CHECKOUT_CHECKBOX,
                    wording: $wording, checkoutId: $checkoutId) {
    consent { granted } errors { field code message }
  }
}"""
LINES_DELETE = """
mutation($id: ID!, $lines: [ID!]!) {
  checkoutLinesDelete(id: $id, linesIds: $lines) { checkout { id } errors { field message code } }
}"""
RESTORE = "query($token: String!) { restoreCheckout(token: $token) { checkoutId channel } }"


@pytest.fixture
def recovery_channel(channel_USD):
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


def tick(at) -> int:
    shop = abandoned_checkouts.SaleorShop()
    abandonment.sweep(shop, at)
    sequences.process_due(shop, at)
    return len(mail.outbox)


def abandon_guest_checkout(api_client, variant, shipping_method, email="guest@example.com"):
    with freeze_time(T0):
        checkout = saleor_call(
            api_client,
            CHECKOUT_CREATE,
            {
                "input": {
                    "channel": "main",
                    "email": email,
                    "lines": [
                        {"quantity": 2, "variantId": graphene.Node.to_global_id("ProductVariant", variant.pk)}
                    ],
                    "shippingAddress": ADDRESS,
                    "billingAddress": ADDRESS,
                }
            },
            "checkoutCreate",
        )["checkout"]
        status, body = club(CONSENT_SET, {"checkoutId": checkout["id"], "wording": WORDING})
    assert status == 200, body
    assert body["data"]["loyaltyConsentSet"]["errors"] == [], body
    return checkout


def restore_token_from(email) -> str:
    line = next(line for line in email.body.splitlines() if "/cart/restore/" in line)
    return line.rsplit("/", 1)[-1].strip()


def test_abandoned_checkout_is_reminded_restored_and_recovered(
    api_client, product, shipping_method, recovery_channel
):
    # given a guest with an email only who ticked the marketing box and left the cart at T0
    variant = product.variants.first()
    checkout = abandon_guest_checkout(api_client, variant, shipping_method)

    # then the reminders arrive at +1 h and +24 h, labelled and with one-click unsubscribe
    assert tick(T0 + timedelta(minutes=30)) == 0
    assert tick(T0 + timedelta(minutes=61)) == 1
    assert tick(T0 + timedelta(hours=3)) == 1
    assert tick(T0 + timedelta(hours=24, minutes=1)) == 2
    first, second = mail.outbox
    assert first.to == ["guest@example.com"]
    assert first.subject.startswith("פרסומת")
    assert first.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "2" in first.body
    assert variant.product.name in first.body

    # when the customer follows the restore link of the second email the next morning
    with freeze_time(T0 + timedelta(hours=25)):
        status, body = club(RESTORE, {"token": restore_token_from(second)})

    # then it resolves to that very checkout (and nobody is signed in)
    assert status == 200
    assert body["data"]["restoreCheckout"] == {
        "checkoutId": checkout["id"],
        "channel": "main",
    }

    # and a forged token, or the real one after 7 days, resolves to nothing
    for token, at in (
        ("A" * 43, timedelta(hours=25)),
        (restore_token_from(second), timedelta(days=8, hours=1)),
    ):
        with freeze_time(T0 + at):
            _, refused = club(RESTORE, {"token": token})
        assert refused["data"]["restoreCheckout"] is None
        assert refused["errors"][0]["extensions"]["exception"]["code"] == "INVALID_TOKEN"

    # when the checkout is completed through Saleor's API
    with freeze_time(T0 + timedelta(hours=30)):
        total = saleor_call(
            api_client,
            DELIVERY_UPDATE,
            {
                "id": checkout["id"],
                "method": graphene.Node.to_global_id("ShippingMethod", shipping_method.pk),
            },
            "checkoutDeliveryMethodUpdate",
        )["checkout"]["totalPrice"]["gross"]["amount"]
        saleor_call(
            api_client,
            PAYMENT_CREATE,
            {
                "id": checkout["id"],
                "input": {"gateway": "mirumee.payments.dummy", "token": "fully-charged", "amount": total},
            },
            "checkoutPaymentCreate",
        )
        order = saleor_call(api_client, CHECKOUT_COMPLETE, {"id": checkout["id"]}, "checkoutComplete")[
            "order"
        ]

    # then it is attributed as recovered with the order's revenue, and the third step never goes out
    row = AbandonedCheckout.objects.get()
    assert row.state == RecoveryState.RECOVERED
    assert row.recovered_revenue == pytest.approx(total)
    assert str(row.recovered_order_id) == graphene.Node.from_global_id(order["id"])[1]
    assert tick(T0 + timedelta(hours=72, minutes=1)) == 2


def test_checkout_deleted_by_saleor_mid_sequence_stops_reminders(
    api_client, product, shipping_method, recovery_channel
):
    checkout = abandon_guest_checkout(api_client, product.variants.first(), shipping_method)
    assert tick(T0 + timedelta(minutes=61)) == 1

    # when Saleor's expiry job deletes the checkout
    Checkout.objects.filter(pk=graphene.Node.from_global_id(checkout["id"])[1]).delete()

    # then the next step is skipped and the sequence stops, the record stays
    assert tick(T0 + timedelta(hours=24, minutes=1)) == 1
    row = AbandonedCheckout.objects.get()
    assert (row.state, row.state_reason) == (RecoveryState.STOPPED, "checkout_deleted")
    assert MessageLog.objects.filter(
        status=MessageStatus.SKIPPED, reason="checkout deleted by Saleor"
    ).exists()


def test_last_step_voucher_is_a_single_use_saleor_voucher(
    api_client, product, shipping_method, recovery_channel
):
    # given a channel offering 10 % in the last of its three reminders
    from saleor.discount.models import VoucherCode

    recovery_channel.last_step_discount_percent = 10
    recovery_channel.save()
    checkout = abandon_guest_checkout(api_client, product.variants.first(), shipping_method)

    # when the three steps go out
    for at in (timedelta(minutes=61), timedelta(hours=24, minutes=1), timedelta(hours=72, minutes=1)):
        tick(T0 + at)

    # then the last email's code is a real, single-use, expiring voucher in that channel
    assert len(mail.outbox) == 3
    code = VoucherCode.objects.select_related("voucher").get()
    assert code.code in mail.outbox[2].body
    assert code.code not in mail.outbox[1].body
    voucher = code.voucher
    assert (voucher.single_use, voucher.usage_limit, voucher.apply_once_per_customer) == (True, 1, True)
    assert voucher.end_date == T0 + timedelta(hours=72, minutes=1) + timedelta(hours=48)
    assert voucher.channel_listings.get().discount_value == 10

    # and Saleor accepts it on the restored checkout before it expires
    with freeze_time(T0 + timedelta(hours=80)):
        saleor_call(
            api_client, ADD_PROMO_CODE, {"id": checkout["id"], "code": code.code}, "checkoutAddPromoCode"
        )


def test_emptied_cart_stops_the_sequence(api_client, product, shipping_method, recovery_channel):
    # given the first reminder went out
    checkout = abandon_guest_checkout(api_client, product.variants.first(), shipping_method)
    assert tick(T0 + timedelta(minutes=61)) == 1

    # when the shopper removes every line through Saleor's API
    saleor_checkout = Checkout.objects.get(pk=graphene.Node.from_global_id(checkout["id"])[1])
    line_ids = [graphene.Node.to_global_id("CheckoutLine", line.pk) for line in saleor_checkout.lines.all()]
    with freeze_time(T0 + timedelta(hours=2)):
        saleor_call(
            api_client, LINES_DELETE, {"id": checkout["id"], "lines": line_ids}, "checkoutLinesDelete"
        )

    # then no further reminder goes out and the sequence stops as emptied
    assert tick(T0 + timedelta(hours=24, minutes=1)) == 1
    row = AbandonedCheckout.objects.get()
    assert (row.state, row.state_reason) == (RecoveryState.STOPPED, "emptied")


def test_checkout_without_consent_is_detected_but_never_mailed(api_client, product, recovery_channel):
    with freeze_time(T0):
        saleor_call(
            api_client,
            CHECKOUT_CREATE,
            {
                "input": {
                    "channel": "main",
                    "email": "quiet@example.com",
                    "lines": [
                        {
                            "quantity": 1,
                            "variantId": graphene.Node.to_global_id(
                                "ProductVariant", product.variants.first().pk
                            ),
                        }
                    ],
                }
            },
            "checkoutCreate",
        )

    assert tick(T0 + timedelta(minutes=61)) == 0
    assert AbandonedCheckout.objects.get().email == "quiet@example.com"
    assert MessageLog.objects.get().reason == "no recorded opt-in"


def test_unsubscribe_link_through_the_plugin_url_stops_everything(
    api_client, client, product, shipping_method, recovery_channel
):
    abandon_guest_checkout(api_client, product.variants.first(), shipping_method)
    tick(T0 + timedelta(minutes=61))
    url = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = "/plugins/" + url.split("/plugins/", 1)[1]

    # a tampered link writes nothing
    assert (
        client.post(
            path.replace("/unsubscribe/", "/unsubscribe/x"),
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        ).status_code
        == 400
    )

    # the one-click POST from the mail client unsubscribes at once
    response = client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert tick(T0 + timedelta(hours=24, minutes=1)) == 1


def test_beat_entry_runs_the_whole_job_as_saleor_celery_would(
    api_client, product, shipping_method, recovery_channel
):
    # given the plugin's tasks module registered its beat entry with Saleor's Celery app
    from saleor.celeryconf import app

    from saleor_loyalty import tasks

    assert "loyalty-recovery-sweep" in app.conf.beat_schedule
    abandon_guest_checkout(api_client, product.variants.first(), shipping_method)

    # when beat fires the task an hour later (eager in tests, under Saleor's writer-database guard)
    with freeze_time(T0 + timedelta(minutes=61)):
        tasks.recovery_sweep_task.delay()

    # then the reminder went out
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["guest@example.com"]
