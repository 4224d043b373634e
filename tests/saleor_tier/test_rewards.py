"""Store credit inside Saleor's real flow: redeemed points lower the charge, cashback is the member's own credit."""

from datetime import timedelta
from decimal import Decimal

import graphene
import pytest
from django.utils import timezone
from saleor.checkout.models import Checkout
from saleor.giftcard.models import GiftCard
from saleor.order.models import Order

from saleor_loyalty import ledger
from saleor_loyalty.models import CreditEntry, CreditKind, LoyaltyAccount, LoyaltyProgram, StoreCreditCard
from saleor_loyalty.rewards import cashback
from saleor_loyalty.saleor_adapter import gift_cards

from .flows import (
    ADD_PROMO_CODE,
    ADDRESS,
    CHECKOUT_COMPLETE,
    CHECKOUT_CREATE,
    DELIVERY_UPDATE,
    PAYMENT_CREATE,
    club,
    place_paid_order,
    saleor_call,
)
from .test_order_points import ORDER_CANCEL, ORDER_REFUND

CHECKOUT_TOTAL = """query($id: ID!) { checkout(id: $id) { totalPrice { gross { amount } } } }"""
REDEEM = """
mutation($checkoutId: ID!, $points: Int!, $key: String!) {
  loyaltyRedeemPoints(channel: "main", checkoutId: $checkoutId, points: $points, requestKey: $key) {
    errors { field message code } requestedPoints appliedPoints value { amount currency }
  }
}"""
PREVIEW = """query($id: ID!) { checkoutPreview(checkoutId: $id) {
  points cashback { amount } maxRedeemablePoints maxRedeemableValue { amount } } }"""
ME_CREDIT = """{ me(channel: "main") { storeCredit { amount currency } pendingCashback { amount } } }"""
ME_CODE = """{ me(channel: "main") { storeCreditCode } }"""


@pytest.fixture
def staff_orders(staff_api_client, permission_group_manage_orders):
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    return staff_api_client


def open_checkout(api_client, variant, shipping_method, quantity=3, email="dana@example.com"):
    checkout_id = saleor_call(
        api_client,
        CHECKOUT_CREATE,
        {
            "input": {
                "channel": "main",
                "email": email,
                "lines": [
                    {
                        "quantity": quantity,
                        "variantId": graphene.Node.to_global_id("ProductVariant", variant.pk),
                    }
                ],
                "shippingAddress": ADDRESS,
                "billingAddress": ADDRESS,
            }
        },
        "checkoutCreate",
    )["checkout"]["id"]
    total = saleor_call(
        api_client,
        DELIVERY_UPDATE,
        {
            "id": checkout_id,
            "method": graphene.Node.to_global_id("ShippingMethod", shipping_method.pk),
        },
        "checkoutDeliveryMethodUpdate",
    )["checkout"]["totalPrice"]["gross"]["amount"]
    return checkout_id, Decimal(str(total))


def checkout_total(api_client, checkout_id) -> Decimal:
    response = api_client.post_graphql(CHECKOUT_TOTAL, {"id": checkout_id})
    return Decimal(str(response.json()["data"]["checkout"]["totalPrice"]["gross"]["amount"]))


def pay_and_complete(api_client, checkout_id):
    """Pay what Saleor says is still due (after gift cards) through the dummy gateway, then complete."""
    due = checkout_total(api_client, checkout_id)
    saleor_call(
        api_client,
        PAYMENT_CREATE,
        {
            "id": checkout_id,
            "input": {
                "gateway": "mirumee.payments.dummy",
                "token": "fully-charged",
                "amount": str(due),
            },
        },
        "checkoutPaymentCreate",
    )
    order = saleor_call(api_client, CHECKOUT_COMPLETE, {"id": checkout_id}, "checkoutComplete")["order"]
    return Order.objects.get(pk=graphene.Node.from_global_id(order["id"])[1]), order


def give_points(customer, points, **program_fields):
    program = LoyaltyProgram.objects.create(
        channel_slug="main", currency="USD", pending_days=0, **program_fields
    )
    account = ledger.account_for(program, customer.pk, customer.email)
    ledger.adjust_points(account, points, "welcome", ledger.SYSTEM)
    return program


def members_card(user) -> GiftCard:
    return GiftCard.objects.get(pk=StoreCreditCard.objects.get(user_id=user.pk).gift_card_id)


def test_redeemed_points_lower_what_saleor_charges(user_api_client, customer_user, shop):
    # given a member with 400 points ($20) and a checkout of 3 × $10 plus shipping
    give_points(customer_user, 400, redeem_max_share_percent=Decimal("50"))
    checkout_id, total = open_checkout(user_api_client, *shop, email=customer_user.email)

    # when the preview is asked and then 200 points ($10) are redeemed on it
    _, preview = club(PREVIEW, {"id": checkout_id}, user=customer_user)
    status, body = club(
        REDEEM, {"checkoutId": checkout_id, "points": 200, "key": "tab-1"}, user=customer_user
    )

    # then the preview matched the accrual rules, and Saleor's checkout now owes $10 less
    assert preview["data"]["checkoutPreview"]["points"] == 30
    assert preview["data"]["checkoutPreview"]["maxRedeemablePoints"] == 400
    payload = body["data"]["loyaltyRedeemPoints"]
    assert status == 200, body
    assert payload["errors"] == [], body
    assert payload["appliedPoints"] == 200
    assert payload["value"] == {"amount": 10.0, "currency": "USD"}
    assert checkout_total(user_api_client, checkout_id) == total - 10

    # when the customer pays what is due and completes
    order, order_data = pay_and_complete(user_api_client, checkout_id)

    # then Saleor charged $10 less and took the $10 from the member's card
    assert order.payments.get().captured_amount == total - 10
    assert order.total_gross_amount == total - 10
    assert members_card(customer_user).current_balance_amount == 0

    # and the order earns points only on the cash share of its goods, not on the redeemed credit
    cash_points = int(Decimal(30) * (total - 10) / total)
    assert cash_points < 30
    assert LoyaltyAccount.objects.get(user=customer_user).balance == 200 + cash_points


def test_redeem_on_someone_elses_checkout_is_refused(user_api_client, customer_user, customer_user2, shop):
    give_points(customer_user2, 400)
    checkout_id, _ = open_checkout(user_api_client, *shop, email=customer_user.email)

    _, body = club(REDEEM, {"checkoutId": checkout_id, "points": 200, "key": "k"}, user=customer_user2)

    assert body["data"]["loyaltyRedeemPoints"]["errors"][0]["code"] == "NOT_YOUR_CHECKOUT"
    assert not StoreCreditCard.objects.exists()
    assert not GiftCard.objects.exists()


def test_cashback_is_gift_card_credit_only_the_member_can_spend(
    user_api_client, user2_api_client, customer_user, shop
):
    # given 10 % cashback after a 14-day pending period, and a paid order of $30 of goods
    LoyaltyProgram.objects.create(
        channel_slug="main", currency="USD", pending_days=14, cashback_percent=Decimal("10")
    )
    place_paid_order(user_api_client, *shop, quantity=3, email=customer_user.email)
    _, pending = club(ME_CREDIT, user=customer_user)
    assert pending["data"]["me"] == {
        "storeCredit": {"amount": 0.0, "currency": "USD"},
        "pendingCashback": {"amount": 3.0},
    }

    # when the beat job runs after the pending period
    credited = cashback.credit_due_cashback(
        gift_cards.saleor_gift_cards, now=timezone.now() + timedelta(days=15)
    )

    # then $3 is on a Saleor gift card assigned to the member, and `me` shows it
    card = members_card(customer_user)
    assert credited == 1
    assert (card.current_balance_amount, card.currency, card.assigned_to_id) == (
        Decimal("3.000"),
        "USD",
        customer_user.pk,
    )
    _, me = club(ME_CREDIT, user=customer_user)
    assert me["data"]["me"] == {
        "storeCredit": {"amount": 3.0, "currency": "USD"},
        "pendingCashback": {"amount": 0.0},
    }

    # when another customer tries the code, then Saleor refuses it
    other_checkout, _ = open_checkout(user2_api_client, *shop, quantity=1, email="other@example.com")
    refused = user2_api_client.post_graphql(ADD_PROMO_CODE, {"id": other_checkout, "code": card.code})
    assert refused.json()["data"]["checkoutAddPromoCode"]["errors"][0]["field"] == "promoCode"

    # when the member applies the code `me` gives them on the next checkout,
    # then Saleor takes $3 off and charges the rest
    _, me_code = club(ME_CODE, user=customer_user)
    assert me_code["data"]["me"]["storeCreditCode"] == card.code
    checkout_id, total = open_checkout(user_api_client, *shop, quantity=1, email=customer_user.email)
    saleor_call(
        user_api_client, ADD_PROMO_CODE, {"id": checkout_id, "code": card.code}, "checkoutAddPromoCode"
    )
    order, _ = pay_and_complete(user_api_client, checkout_id)
    assert order.payments.get().captured_amount == total - 3
    card.refresh_from_db()
    assert card.current_balance_amount == 0


def test_order_refund_through_saleor_takes_cashback_back_from_the_card(
    user_api_client, staff_orders, customer_user, shop
):
    # given $3 of cashback credited for a paid order (no pending period: credited when the order syncs)
    LoyaltyProgram.objects.create(
        channel_slug="main", currency="USD", pending_days=0, cashback_percent=Decimal("10")
    )
    order = place_paid_order(user_api_client, *shop, quantity=3, email=customer_user.email)
    assert members_card(customer_user).current_balance_amount == Decimal("3.000")
    total = Decimal(str(order["total"]["gross"]["amount"]))

    # when a third, then the rest, is refunded through Saleor's orderRefund
    saleor_call(staff_orders, ORDER_REFUND, {"id": order["id"], "amount": str(total / 3)}, "orderRefund")
    after_third = members_card(customer_user).current_balance_amount
    saleor_call(
        staff_orders, ORDER_REFUND, {"id": order["id"], "amount": str(total - total / 3)}, "orderRefund"
    )

    # then the card loses a third, then all of the cashback; no debt, the card was unspent
    assert after_third == Decimal("2.000")
    assert members_card(customer_user).current_balance_amount == 0
    assert [
        e.amount for e in CreditEntry.objects.filter(kind=CreditKind.CASHBACK_REVERSAL).order_by("pk")
    ] == [Decimal("-1.0000"), Decimal("-2.0000")]


def test_cancelled_order_gives_redeemed_value_back_to_the_card(
    user_api_client, staff_orders, customer_user, shop
):
    # given 200 points ($10) redeemed on a checkout that Saleor's legacy flow completed
    give_points(customer_user, 400)
    checkout_id, _ = open_checkout(user_api_client, *shop, email=customer_user.email)
    club(REDEEM, {"checkoutId": checkout_id, "points": 200, "key": "k"}, user=customer_user)
    order, order_data = pay_and_complete(user_api_client, checkout_id)
    assert members_card(customer_user).current_balance_amount == 0

    # when staff cancel the order (Saleor itself never returns legacy gift-card money)
    saleor_call(staff_orders, ORDER_CANCEL, {"id": order_data["id"]}, "orderCancel")

    # then the $10 is back on the member's card, once
    assert members_card(customer_user).current_balance_amount == Decimal("10.000")
    assert CreditEntry.objects.filter(kind=CreditKind.CARD_RETURN).count() == 1


def test_value_of_an_abandoned_checkout_stays_on_the_members_card(user_api_client, customer_user, shop):
    # given 200 points ($10) redeemed on a checkout that Saleor then deletes as expired
    give_points(customer_user, 400)
    checkout_id, _ = open_checkout(user_api_client, *shop, email=customer_user.email)
    club(REDEEM, {"checkoutId": checkout_id, "points": 200, "key": "k"}, user=customer_user)
    Checkout.objects.filter(pk=graphene.Node.from_global_id(checkout_id)[1]).delete()

    # then the $10 is still the member's credit, and a new checkout can use it
    _, me = club(ME_CREDIT, user=customer_user)
    assert me["data"]["me"]["storeCredit"] == {"amount": 10.0, "currency": "USD"}
    next_checkout, total = open_checkout(user_api_client, *shop, email=customer_user.email)
    saleor_call(
        user_api_client,
        ADD_PROMO_CODE,
        {"id": next_checkout, "code": members_card(customer_user).code},
        "checkoutAddPromoCode",
    )
    assert checkout_total(user_api_client, next_checkout) == total - 10
