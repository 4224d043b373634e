"""Redeemed points in Saleor 3.23's transaction flow: the card pays as a gift-card transaction, and comes back once."""

from decimal import Decimal

import graphene
import pytest
from saleor.giftcard.const import GIFT_CARD_PAYMENT_GATEWAY_ID
from saleor.giftcard.models import GiftCard
from saleor.order import OrderChargeStatus
from saleor.order.models import Order
from saleor.payment.models import TransactionItem
from saleor.plugins.manager import get_plugins_manager

from saleor_loyalty.models import CreditEntry, CreditKind, LoyaltyAccount, LoyaltyProgram, StoreCreditCard
from saleor_loyalty.orders import sync as orders
from saleor_loyalty.rewards import store_credit
from saleor_loyalty.saleor_adapter import gift_cards
from saleor_loyalty.saleor_adapter import orders as saleor_orders
from saleor_loyalty.saleor_adapter import shop as saleor_shop

from .flows import CHECKOUT_COMPLETE, club, saleor_call
from .test_order_points import ORDER_CANCEL
from .test_rewards import checkout_total, give_points, members_card, open_checkout

REDEEM = """
mutation($checkoutId: ID!, $points: Int!, $key: String!) {
  loyaltyRedeemPoints(channel: "main", checkoutId: $checkoutId, points: $points, requestKey: $key) {
    errors { field message code } appliedPoints value { amount currency }
    cardTransaction { id amount { amount currency } paymentGateway }
  }
}"""
CHECKOUT_PAYMENTS = """query($id: ID!) { checkout(id: $id) {
  totalPrice { gross { amount } } authorizeStatus
  transactions { authorizedAmount { amount } chargedAmount { amount } } } }"""
TRANSACTION_CREATE = """
mutation($id: ID!, $amount: PositiveDecimal!) {
  transactionCreate(id: $id, transaction: {
    name: "Card via PSP", pspReference: "psp-1", availableActions: [REFUND],
    amountCharged: {amount: $amount, currency: "USD"}
  }) { transaction { id } errors { field message code } }
}"""
TRANSACTION_INITIALIZE_GIFT_CARD = """
mutation($id: ID!, $data: JSON!, $amount: PositiveDecimal!) {
  transactionInitialize(id: $id, amount: $amount,
                        paymentGateway: {id: "saleor.io.gift-card-payment-gateway", data: $data}) {
    transactionEvent { type } errors { field message code }
  }
}"""
REFUND_REQUEST = """
mutation($id: ID!, $amount: PositiveDecimal) {
  transactionRequestAction(id: $id, actionType: REFUND, amount: $amount) { errors { field message code } }
}"""
REFUND_REPORTED = """
mutation($id: ID!, $amount: PositiveDecimal!) {
  transactionEventReport(id: $id, type: REFUND_SUCCESS, amount: $amount, pspReference: "psp-refund-1") {
    errors { field message code }
  }
}"""
GRANT_REFUND = """
mutation($id: ID!, $amount: Decimal!, $transaction: ID!) {
  orderGrantRefundCreate(id: $id, input: {amount: $amount, transactionId: $transaction}) {
    grantedRefund { id } errors { field message code }
  }
}"""
REFUND_GRANTED = """
mutation($grantedRefund: ID!) {
  transactionRequestRefundForGrantedRefund(grantedRefundId: $grantedRefund) { errors { field message code } }
}"""


@pytest.fixture
def shop(product, shipping_method):
    return product.variants.first(), shipping_method


@pytest.fixture
def gift_cards_only_as_payments(channel_USD):
    """A channel where Saleor takes gift cards only through its gift-card payment gateway."""
    channel_USD.allow_legacy_gift_card_use = False
    channel_USD.save(update_fields=["allow_legacy_gift_card_use"])
    return channel_USD


@pytest.fixture
def psp_app(app_api_client, permission_manage_payments):
    """A payment app reporting what its PSP charged and refunded, through Saleor's transaction API."""
    app_api_client.app.permissions.add(permission_manage_payments)
    return app_api_client


@pytest.fixture
def staff_payments(staff_api_client, permission_group_manage_orders, permission_group_handle_payments):
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    permission_group_handle_payments.user_set.add(staff_api_client.user)
    return staff_api_client


def redeem(user, checkout_id, points, key, capture):
    """The storefront's call, with Saleor's after-commit work run as it would after the club's commit."""
    with capture(execute=True):
        _, body = club(REDEEM, {"checkoutId": checkout_id, "points": points, "key": key}, user=user)
    return body["data"]["loyaltyRedeemPoints"]


def payments_of(api_client, checkout_id) -> dict:
    return api_client.post_graphql(CHECKOUT_PAYMENTS, {"id": checkout_id}).json()["data"]["checkout"]


def owed_on(api_client, checkout_id) -> Decimal:
    """What Saleor's checkout still needs: its total less what its transactions authorized or charged
    (asked as the payment app: customers cannot read a checkout's transactions)."""
    checkout = payments_of(api_client, checkout_id)
    covered = sum(
        Decimal(str(t["authorizedAmount"]["amount"])) + Decimal(str(t["chargedAmount"]["amount"]))
        for t in checkout["transactions"]
    )
    return Decimal(str(checkout["totalPrice"]["gross"]["amount"])) - covered


def pay_rest_and_complete(user_api_client, psp_app, checkout_id):
    """The PSP charges what Saleor says is still owed after the card; the customer completes."""
    owed = owed_on(psp_app, checkout_id)
    psp = saleor_call(
        psp_app, TRANSACTION_CREATE, {"id": checkout_id, "amount": str(owed)}, "transactionCreate"
    )["transaction"]["id"]
    order = saleor_call(user_api_client, CHECKOUT_COMPLETE, {"id": checkout_id}, "checkoutComplete")["order"]
    return Order.objects.get(pk=graphene.Node.from_global_id(order["id"])[1]), order, psp, owed


def card_transaction_of(order) -> TransactionItem:
    return order.payment_transactions.get(app_identifier=GIFT_CARD_PAYMENT_GATEWAY_ID)


def credit_rows() -> list[tuple[str, Decimal]]:
    return [(row.kind, row.amount) for row in CreditEntry.objects.order_by("pk")]


def sync_again_as_the_sweep_would(order):
    """Every path the club has to the order, replayed: Saleor's hooks and the sweep's direct sync."""
    manager = get_plugins_manager(allow_replica=False)
    for _ in range(3):
        manager.order_fully_refunded(order)
        manager.order_cancelled(order)
        orders.sync_order(
            saleor_orders.order_facts(order.pk), gift_cards.saleor_gift_cards, saleor_shop.channel_facts
        )


@pytest.fixture
def paid_order(
    user_api_client,
    psp_app,
    customer_user,
    shop,
    gift_cards_only_as_payments,
    django_capture_on_commit_callbacks,
):
    """200 points ($10) redeemed in the transaction flow on a $30 + shipping checkout, paid and completed."""
    give_points(customer_user, 400)
    checkout_id, total = open_checkout(user_api_client, *shop, email=customer_user.email)
    redeem(customer_user, checkout_id, 200, "tab-1", django_capture_on_commit_callbacks)
    order, order_data, psp, _ = pay_rest_and_complete(user_api_client, psp_app, checkout_id)
    return order, order_data, psp, total


def test_redeemed_points_pay_as_a_gift_card_transaction_so_saleor_charges_less(
    user_api_client,
    psp_app,
    customer_user,
    shop,
    gift_cards_only_as_payments,
    django_capture_on_commit_callbacks,
):
    # given a member with 400 points ($20) and a checkout of 3 × $10 plus shipping, in a channel
    # where Saleor refuses gift cards as promo codes
    give_points(customer_user, 400)
    checkout_id, total = open_checkout(user_api_client, *shop, email=customer_user.email)

    # when 200 points ($10) are redeemed on it
    payload = redeem(customer_user, checkout_id, 200, "tab-1", django_capture_on_commit_callbacks)

    # then the card is authorized for $10 through Saleor's gift-card gateway, and Saleor owes $10 less
    assert payload["errors"] == []
    assert payload["appliedPoints"] == 200
    assert payload["value"] == {"amount": 10.0, "currency": "USD"}
    assert payload["cardTransaction"]["amount"] == {"amount": 10.0, "currency": "USD"}
    assert payload["cardTransaction"]["paymentGateway"] == GIFT_CARD_PAYMENT_GATEWAY_ID
    checkout = payments_of(psp_app, checkout_id)
    assert Decimal(str(checkout["totalPrice"]["gross"]["amount"])) == total
    assert checkout["authorizeStatus"] == "PARTIAL"
    assert owed_on(psp_app, checkout_id) == total - 10
    assert members_card(customer_user).current_balance_amount == 10  # an authorization moves no money

    # when the PSP charges the rest and the customer completes
    order, _, psp, owed = pay_rest_and_complete(user_api_client, psp_app, checkout_id)

    # then the PSP was charged exactly $10 less, the card paid the $10 and the order is fully paid
    card_transaction = card_transaction_of(order)
    assert owed == total - 10
    assert (
        order.payment_transactions.get(token=graphene.Node.from_global_id(psp)[1]).charged_value == total - 10
    )
    assert card_transaction.charged_value == 10
    assert (
        graphene.Node.to_global_id("TransactionItem", str(card_transaction.token))
        == payload["cardTransaction"]["id"]
    )
    assert order.charge_status == OrderChargeStatus.FULL
    assert order.total_charged_amount == total
    assert members_card(customer_user).current_balance_amount == 0

    # and the order earns points only on the cash share of its goods, not on the redeemed credit
    cash_points = int(Decimal(30) * (total - 10) / total)
    assert LoyaltyAccount.objects.get(user=customer_user).balance == 200 + cash_points
    assert credit_rows() == [(CreditKind.REDEMPTION, Decimal("10.0000"))]


def test_refunds_through_saleors_transaction_api_return_the_redeemed_value_once(
    paid_order, psp_app, staff_payments, customer_user, django_capture_on_commit_callbacks
):
    # given the paid order: the card paid $10 as a transaction, the PSP the rest
    order, _, psp, total = paid_order
    card_transaction = card_transaction_of(order)
    card_transaction_id = graphene.Node.to_global_id("TransactionItem", str(card_transaction.token))

    # when staff refund $4 of the card transaction, then the rest of it, and the PSP reports its refund
    saleor_call(
        staff_payments, REFUND_REQUEST, {"id": card_transaction_id, "amount": "4"}, "transactionRequestAction"
    )
    after_four = members_card(customer_user).current_balance_amount
    saleor_call(staff_payments, REFUND_REQUEST, {"id": card_transaction_id}, "transactionRequestAction")
    saleor_call(psp_app, REFUND_REPORTED, {"id": psp, "amount": str(total - 10)}, "transactionEventReport")

    # and every club path to the order runs again, several times
    with django_capture_on_commit_callbacks(execute=True):
        sync_again_as_the_sweep_would(order)

    # then Saleor put the $10 back on the card exactly once, and the club added nothing to it
    assert after_four == 4
    assert members_card(customer_user).current_balance_amount == 10
    assert credit_rows() == [(CreditKind.REDEMPTION, Decimal("10.0000"))]
    # and the full refund took back every point the order earned (the 200 left are the unspent ones)
    assert LoyaltyAccount.objects.get(user=customer_user).balance == 200


def test_cancelled_order_gets_the_redeemed_value_back_through_saleors_refund_only(
    paid_order, staff_payments, customer_user, django_capture_on_commit_callbacks
):
    # given the paid order
    order, order_data, _, _ = paid_order
    card_transaction_id = graphene.Node.to_global_id("TransactionItem", str(card_transaction_of(order).token))

    # when staff cancel it: Saleor refunds no transaction on cancel, and neither does the club
    saleor_call(staff_payments, ORDER_CANCEL, {"id": order_data["id"]}, "orderCancel")

    # then the points are reversed, and the card still holds nothing
    assert LoyaltyAccount.objects.get(user=customer_user).balance == 200
    assert members_card(customer_user).current_balance_amount == 0

    # when staff grant a $10 refund on the card transaction and have Saleor execute it
    granted = saleor_call(
        staff_payments,
        GRANT_REFUND,
        {
            "id": order_data["id"],
            "amount": "10",
            "transaction": card_transaction_id,
        },
        "orderGrantRefundCreate",
    )["grantedRefund"]["id"]
    saleor_call(
        staff_payments, REFUND_GRANTED, {"grantedRefund": granted}, "transactionRequestRefundForGrantedRefund"
    )
    with django_capture_on_commit_callbacks(execute=True):
        sync_again_as_the_sweep_would(order)

    # then the $10 is back on the card once, by Saleor's refund, and the club wrote no card return
    assert members_card(customer_user).current_balance_amount == 10
    assert credit_rows() == [(CreditKind.REDEMPTION, Decimal("10.0000"))]


def test_value_of_an_abandoned_checkout_stays_on_the_card_and_pays_once(
    user_api_client,
    psp_app,
    customer_user,
    shop,
    gift_cards_only_as_payments,
    django_capture_on_commit_callbacks,
):
    # given 200 points ($10) redeemed on a checkout the member then leaves
    give_points(customer_user, 400)
    abandoned, _ = open_checkout(user_api_client, *shop, email=customer_user.email)
    redeem(customer_user, abandoned, 200, "k", django_capture_on_commit_callbacks)

    # then the $10 is on the member's card, not taken by the open checkout
    _, me = club("""{ me(channel: "main") { storeCredit { amount } storeCreditCode } }""", user=customer_user)
    assert me["data"]["me"]["storeCredit"] == {"amount": 10.0}

    # when the storefront pays a new checkout with the card through Saleor's gift-card gateway
    next_checkout, total = open_checkout(user_api_client, *shop, email=customer_user.email)
    event = saleor_call(
        user_api_client,
        TRANSACTION_INITIALIZE_GIFT_CARD,
        {
            "id": next_checkout,
            "data": {"code": me["data"]["me"]["storeCreditCode"]},
            "amount": "10",
        },
        "transactionInitialize",
    )["transactionEvent"]

    # then the new checkout owes $10 less, and Saleor cancelled the abandoned checkout's authorization:
    # the $10 can pay for one of them, never both
    assert event["type"] == "AUTHORIZATION_SUCCESS"
    assert owed_on(psp_app, next_checkout) == total - 10
    assert owed_on(psp_app, abandoned) == total


def test_second_redemption_on_a_checkout_authorizes_the_sum_once_and_replays_change_nothing(
    user_api_client,
    psp_app,
    customer_user,
    shop,
    gift_cards_only_as_payments,
    django_capture_on_commit_callbacks,
):
    # given a member with 400 points and a checkout
    give_points(customer_user, 400)
    checkout_id, total = open_checkout(user_api_client, *shop, email=customer_user.email)

    # when 100 points are redeemed, then 100 more in another tab, then the first request is replayed
    first = redeem(customer_user, checkout_id, 100, "tab-1", django_capture_on_commit_callbacks)
    second = redeem(customer_user, checkout_id, 100, "tab-2", django_capture_on_commit_callbacks)
    replayed = redeem(customer_user, checkout_id, 100, "tab-2", django_capture_on_commit_callbacks)

    # then the card is authorized once for $10: Saleor cancelled the $5 authorization when the card was
    # authorized again, and the replay answered the same transaction without any new one
    assert first["cardTransaction"]["amount"]["amount"] == 5.0
    assert second["cardTransaction"]["amount"]["amount"] == 10.0
    assert replayed["errors"] == []
    assert replayed["cardTransaction"] == second["cardTransaction"]
    assert owed_on(psp_app, checkout_id) == total - 10
    assert TransactionItem.objects.filter(app_identifier=GIFT_CARD_PAYMENT_GATEWAY_ID).count() == 2
    assert LoyaltyAccount.objects.get(user=customer_user).balance == 200
    assert credit_rows() == [(CreditKind.REDEMPTION, Decimal("5.0000"))] * 2


def test_redeem_where_saleor_refuses_the_card_writes_nothing(
    user_api_client,
    psp_app,
    customer_user,
    shop,
    gift_cards_only_as_payments,
    django_capture_on_commit_callbacks,
):
    # given the member's card, deactivated by staff in Saleor
    program = give_points(customer_user, 400)
    account = LoyaltyAccount.objects.get(user=customer_user)
    account.program = program
    store_credit.card_for(account, gift_cards.saleor_gift_cards)
    card = members_card(customer_user)
    card.is_active = False
    card.save(update_fields=["is_active"])
    checkout_id, total = open_checkout(user_api_client, *shop, email=customer_user.email)

    # when points are redeemed on a checkout
    payload = redeem(customer_user, checkout_id, 200, "k", django_capture_on_commit_callbacks)

    # then Saleor's gateway refused the card: a typed error, and no points, card money, credit row
    # or transaction moved
    assert payload["errors"][0]["field"] == "checkoutId"
    assert payload["cardTransaction"] is None
    assert LoyaltyAccount.objects.get(user=customer_user).balance == 400
    assert members_card(customer_user).current_balance_amount == 0
    assert not CreditEntry.objects.exists()
    assert not TransactionItem.objects.exists()
    assert owed_on(psp_app, checkout_id) == total


def test_promo_code_card_with_a_transaction_payment_comes_back_once_from_the_club(
    user_api_client, psp_app, staff_payments, customer_user, shop, django_capture_on_commit_callbacks
):
    # given legacy gift-card use on (the default): 200 points ($10) redeemed go on as a promo code,
    # and the storefront pays the rest through a payment app's transaction
    give_points(customer_user, 400)
    checkout_id, total = open_checkout(user_api_client, *shop, email=customer_user.email)
    payload = redeem(customer_user, checkout_id, 200, "k", django_capture_on_commit_callbacks)
    assert payload["errors"] == []
    assert payload["cardTransaction"] is None
    assert checkout_total(user_api_client, checkout_id) == total - 10
    order, order_data, psp, owed = pay_rest_and_complete(user_api_client, psp_app, checkout_id)

    # then Saleor took the $10 off the card at order creation, and points count only the cash share
    assert owed == total - 10
    assert order.total_gross_amount == total - 10
    assert members_card(customer_user).current_balance_amount == 0
    cash_points = int(Decimal(30) * (total - 10) / total)
    assert LoyaltyAccount.objects.get(user=customer_user).balance == 200 + cash_points

    # when staff cancel the order and the PSP refunds its charge (Saleor never returns promo-code card money)
    saleor_call(staff_payments, ORDER_CANCEL, {"id": order_data["id"]}, "orderCancel")
    saleor_call(psp_app, REFUND_REPORTED, {"id": psp, "amount": str(owed)}, "transactionEventReport")
    with django_capture_on_commit_callbacks(execute=True):
        sync_again_as_the_sweep_would(order)

    # then the club returned the $10 to the card, once
    assert members_card(customer_user).current_balance_amount == 10
    assert credit_rows() == [
        (CreditKind.REDEMPTION, Decimal("10.0000")),
        (CreditKind.CARD_RETURN, Decimal("10.0000")),
    ]
    assert LoyaltyAccount.objects.get(user=customer_user).balance == 200


def test_redeem_on_a_checkout_already_paid_in_full_writes_nothing(
    user_api_client,
    psp_app,
    customer_user,
    shop,
    gift_cards_only_as_payments,
    django_capture_on_commit_callbacks,
):
    # given a checkout whose payment app already charged its whole total
    give_points(customer_user, 400)
    checkout_id, total = open_checkout(user_api_client, *shop, email=customer_user.email)
    saleor_call(psp_app, TRANSACTION_CREATE, {"id": checkout_id, "amount": str(total)}, "transactionCreate")

    # when points are redeemed on it
    payload = redeem(customer_user, checkout_id, 200, "k", django_capture_on_commit_callbacks)

    # then the card would pay nothing: a typed error, and no points, card or credit row was written
    assert payload["errors"][0]["field"] == "checkoutId"
    assert LoyaltyAccount.objects.get(user=customer_user).balance == 400
    assert not StoreCreditCard.objects.exists()
    assert not GiftCard.objects.exists()
    assert not CreditEntry.objects.exists()
    assert not TransactionItem.objects.filter(app_identifier=GIFT_CARD_PAYMENT_GATEWAY_ID).exists()


LINES_UPDATE = """
mutation($id: ID!, $lines: [CheckoutLineUpdateInput!]!) {
  checkoutLinesUpdate(id: $id, lines: $lines) { checkout { id } errors { field message code } }
}"""


def test_a_cart_that_shrinks_below_the_card_authorization_is_never_overcharged(
    user_api_client,
    psp_app,
    customer_user,
    shop,
    gift_cards_only_as_payments,
    django_capture_on_commit_callbacks,
):
    # given points may cover a whole checkout, and a member redeems $30 on a $40 checkout (3 × $10 + shipping)
    give_points(customer_user, 800)
    LoyaltyProgram.objects.filter(channel_slug="main").update(redeem_max_share_percent=Decimal(100))
    checkout_id, total = open_checkout(user_api_client, *shop, email=customer_user.email)
    assert total == 40
    assert (
        redeem(customer_user, checkout_id, 600, "tab-1", django_capture_on_commit_callbacks)["errors"] == []
    )

    # when the member takes two items out: the checkout now owes $20, less than the $30 authorized
    variant, _ = shop
    with django_capture_on_commit_callbacks(execute=True):
        saleor_call(
            user_api_client,
            LINES_UPDATE,
            {
                "id": checkout_id,
                "lines": [
                    {"variantId": graphene.Node.to_global_id("ProductVariant", variant.pk), "quantity": 1}
                ],
            },
            "checkoutLinesUpdate",
        )

    # then the club has re-fitted the card's authorization to the $20 owed, through Saleor's gateway
    checkout = payments_of(psp_app, checkout_id)
    assert checkout["totalPrice"]["gross"]["amount"] == 20
    assert [
        t["authorizedAmount"]["amount"] for t in checkout["transactions"] if t["authorizedAmount"]["amount"]
    ] == [20.0]
    # and the completed order is charged exactly its total: $20 from the card, $10 stays on it
    with django_capture_on_commit_callbacks(execute=True):
        order = saleor_call(user_api_client, CHECKOUT_COMPLETE, {"id": checkout_id}, "checkoutComplete")[
            "order"
        ]
    order = Order.objects.get(pk=graphene.Node.from_global_id(order["id"])[1])
    assert (order.total_charged_amount, order.charge_status) == (Decimal(20), OrderChargeStatus.FULL)
    assert members_card(customer_user).current_balance_amount == 10
