"""Redeeming points into store credit on the customer's checkout: clamps, typed errors, idempotency, concurrency."""

import dataclasses
import threading
from decimal import Decimal

import graphene
import pytest
from django.db import connection
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.graphql.context import ClubContext
from saleor_loyalty.graphql.schema import schema
from saleor_loyalty.models import (
    CreditEntry,
    CreditKind,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    StoreCreditCard,
)
from saleor_loyalty.rewards import redemption

REDEEM = """mutation($channel: String!, $checkoutId: ID!, $points: Int!, $key: String!) {
  loyaltyRedeemPoints(channel: $channel, checkoutId: $checkoutId, points: $points, requestKey: $key) {
    errors { field message code } requestedPoints appliedPoints value { amount currency } clampedBy
    member { points { available } storeCredit { amount currency } } } }"""


def run(query, requestor, cards, **variables):
    return schema.execute(
        query, variable_values=variables, context_value=ClubContext(requestor=requestor, cards=cards)
    )


def checkout_gid(checkout):
    return graphene.Node.to_global_id("Checkout", str(checkout.token))


@pytest.fixture
def member(program, customer):
    """Dana with 1,000 spendable points worth ₪0.05 each."""
    program.pending_days = 0
    program.save()
    account = ledger.account_for(program, customer.pk, customer.email)
    ledger.adjust_points(account, 1000, "opening balance", ledger.SYSTEM)
    return Requestor(user_id=customer.pk, email=customer.email)


def nothing_written(customer):
    account = LoyaltyAccount.objects.get(user=customer)
    return (
        account.balance == 1000
        and not LedgerEntry.objects.filter(kind=EntryKind.REDEMPTION).exists()
        and not CreditEntry.objects.exists()
        and not StoreCreditCard.objects.exists()
    )


def test_redeem_puts_value_on_the_members_card_and_applies_it_to_the_checkout(
    program, customer, member, make_checkout, cards
):
    # given Dana's checkout of ₪175
    checkout = make_checkout(user=customer)

    # when she redeems 200 points
    result = run(
        REDEEM, member, cards, channel="il", checkoutId=checkout_gid(checkout), points=200, key="tab-1"
    )

    # then ₪10 is on her card, the card is on the checkout and the points are gone
    payload = result.data["loyaltyRedeemPoints"]
    assert payload["errors"] == []
    assert (payload["requestedPoints"], payload["appliedPoints"], payload["clampedBy"]) == (200, 200, None)
    assert payload["value"] == {"amount": 10.0, "currency": "ILS"}
    assert payload["member"] == {
        "points": {"available": 800},
        "storeCredit": {"amount": 10.0, "currency": "ILS"},
    }
    card = StoreCreditCard.objects.get(user_id=customer.pk)
    assert cards.applied[checkout.token] == {card.gift_card_id}
    entry = LedgerEntry.objects.get(kind=EntryKind.REDEMPTION)
    assert entry.points == -200
    credit = CreditEntry.objects.get(kind=CreditKind.REDEMPTION)
    assert (credit.amount, credit.card_amount, credit.points) == (Decimal("10.00"), Decimal("10.00"), 200)


TX_REDEEM = """mutation($checkoutId: ID!, $points: Int!, $key: String!) {
  loyaltyRedeemPoints(channel: "il", checkoutId: $checkoutId, points: $points, requestKey: $key) {
    errors { code } appliedPoints value { amount } cardTransaction { id amount { amount currency } paymentGateway } } }"""


def test_redeem_in_the_transaction_flow_answers_the_card_authorization_and_replays_it(
    program, customer, member, make_checkout, cards
):
    # given a checkout in a channel that takes gift cards only as transactions
    checkout = make_checkout(user=customer)
    cards.transaction_flow.add(checkout.token)

    # when 200 points are redeemed, and the same request is replayed
    first = run(TX_REDEEM, member, cards, checkoutId=checkout_gid(checkout), points=200, key="k")
    replay = run(TX_REDEEM, member, cards, checkoutId=checkout_gid(checkout), points=200, key="k")

    # then the points became ₪10 on the card once, the card was authorized instead of added as a code,
    # and the replay answers the same authorization
    payload = first.data["loyaltyRedeemPoints"]
    assert payload["errors"] == []
    assert payload["appliedPoints"] == 200
    transaction = payload["cardTransaction"]
    assert transaction["amount"] == {"amount": 10.0, "currency": "ILS"}
    assert transaction["paymentGateway"] == "saleor.io.gift-card-payment-gateway"
    assert transaction["id"].startswith("VHJhbnNhY3Rpb25JdGVtO")  # Saleor's "TransactionItem:<token>"
    assert replay.data["loyaltyRedeemPoints"]["cardTransaction"] == transaction
    assert checkout.token not in cards.applied
    assert LoyaltyAccount.objects.get(user=customer).balance == 800
    assert CreditEntry.objects.get(kind=CreditKind.REDEMPTION).amount == Decimal("10.00")


def test_redeem_as_a_promo_code_has_no_card_transaction(program, customer, member, make_checkout, cards):
    checkout = make_checkout(user=customer)

    payload = run(TX_REDEEM, member, cards, checkoutId=checkout_gid(checkout), points=200, key="k").data

    assert payload["loyaltyRedeemPoints"]["cardTransaction"] is None


def test_redeem_is_clamped_to_the_programs_share_of_the_checkout(
    program, customer, member, make_checkout, cards
):
    # given at most 10 % of a ₪175 checkout (₪17.50 = 350 points), in steps of 100
    program.redeem_max_share_percent = Decimal("10")
    program.redeem_step_points = 100
    program.save()
    checkout = make_checkout(user=customer)

    # when she asks for 500, then for 100 more
    first = run(REDEEM, member, cards, channel="il", checkoutId=checkout_gid(checkout), points=500, key="a")
    second = run(REDEEM, member, cards, channel="il", checkoutId=checkout_gid(checkout), points=100, key="b")

    # then 300 (the cap rounded down to the step) is applied and the checkout takes no more
    first = first.data["loyaltyRedeemPoints"]
    assert (first["requestedPoints"], first["appliedPoints"], first["clampedBy"]) == (500, 300, "max_share")
    assert second.data["loyaltyRedeemPoints"]["errors"][0]["code"] == "BELOW_MINIMUM"
    assert LoyaltyAccount.objects.get(user=customer).balance == 700


def test_redeem_with_the_same_request_key_redeems_once(program, customer, member, make_checkout, cards):
    checkout = make_checkout(user=customer)

    results = [
        run(REDEEM, member, cards, channel="il", checkoutId=checkout_gid(checkout), points=100, key="k")
        for _ in range(3)
    ]

    assert {r.data["loyaltyRedeemPoints"]["appliedPoints"] for r in results} == {100}
    assert LedgerEntry.objects.filter(kind=EntryKind.REDEMPTION).count() == 1
    assert cards.balance(StoreCreditCard.objects.get().gift_card_id) == Decimal("5.00")


def test_the_same_request_key_for_other_points_is_a_conflict(program, customer, member, make_checkout, cards):
    # given a redemption of 100 points under key "k"
    checkout = make_checkout(user=customer)
    run(REDEEM, member, cards, channel="il", checkoutId=checkout_gid(checkout), points=100, key="k")

    # when the storefront sends 200 points under the same key
    result = run(REDEEM, member, cards, channel="il", checkoutId=checkout_gid(checkout), points=200, key="k")

    # then it is refused, not answered with the earlier redemption, and nothing more is redeemed
    assert result.data["loyaltyRedeemPoints"]["errors"][0]["code"] == "IDEMPOTENCY_CONFLICT"
    assert LedgerEntry.objects.filter(kind=EntryKind.REDEMPTION).count() == 1


@pytest.mark.parametrize(
    ("case", "points", "code", "field"),
    [
        ("more than available", 1050, "INSUFFICIENT_POINTS", "points"),
        ("below minimum", 50, "BELOW_MINIMUM", "points"),
        ("not in steps", 135, "NOT_IN_STEPS", "points"),
        ("zero", 0, "OUT_OF_RANGE", "points"),
        ("someone else's checkout", 100, "NOT_YOUR_CHECKOUT", "checkoutId"),
        ("guest checkout", 100, "NOT_YOUR_CHECKOUT", "checkoutId"),
        ("completed or unknown checkout", 100, "CHECKOUT_NOT_FOUND", "checkoutId"),
        ("not a checkout id", 100, "CHECKOUT_NOT_FOUND", "checkoutId"),
        ("currency mismatch", 100, "CURRENCY_MISMATCH", "checkoutId"),
        ("unknown channel", 100, "CHANNEL_NOT_FOUND", "channel"),
    ],
)
def test_bad_redemptions_are_typed_errors_and_write_nothing(
    program, customer, member, make_checkout, cards, django_user_model, case, points, code, field
):
    # given a program with a 100-point minimum in steps of 10
    program.redeem_min_points, program.redeem_step_points = 100, 10
    program.save()
    checkout_id, channel = checkout_gid(make_checkout(user=customer)), "il"
    if case == "someone else's checkout":
        other = django_user_model.objects.create(username="noa", email="noa@example.co.il")
        checkout_id = checkout_gid(make_checkout(user=other))
    elif case == "guest checkout":
        checkout_id = checkout_gid(make_checkout(user=None))
    elif case == "completed or unknown checkout":
        checkout = make_checkout(user=customer)
        del cards.checkouts[checkout.token]
        checkout_id = checkout_gid(checkout)
    elif case == "not a checkout id":
        checkout_id = graphene.Node.to_global_id("Order", "1")
    elif case == "currency mismatch":
        checkout_id = checkout_gid(make_checkout(user=customer, currency="USD"))
    elif case == "unknown channel":
        channel = "nowhere"

    result = run(REDEEM, member, cards, channel=channel, checkoutId=checkout_id, points=points, key="k")

    error = result.data["loyaltyRedeemPoints"]["errors"][0]
    assert (error["code"], error["field"]) == (code, field)
    assert nothing_written(customer)


def test_pending_points_cannot_be_redeemed(program, customer, make_order, make_checkout, cards):
    # given 150 points still pending from an order paid just now
    ledger.sync_order(dataclasses.replace(make_order(user=customer), paid_at=timezone.now()))
    checkout = make_checkout(user=customer)

    result = run(
        REDEEM,
        Requestor(user_id=customer.pk),
        cards,
        channel="il",
        checkoutId=checkout_gid(checkout),
        points=100,
        key="k",
    )

    assert result.data["loyaltyRedeemPoints"]["errors"][0]["code"] == "INSUFFICIENT_POINTS"


@pytest.mark.parametrize(
    "requestor", [Requestor(), Requestor(app_id=3, app_name="crm", permissions=frozenset({"MANAGE_USERS"}))]
)
def test_redeem_points_requires_permission_of_a_signed_in_customer(
    program, customer, member, make_checkout, cards, requestor
):
    checkout = make_checkout(user=customer)

    result = run(
        REDEEM, requestor, cards, channel="il", checkoutId=checkout_gid(checkout), points=100, key="k"
    )

    assert result.data["loyaltyRedeemPoints"]["errors"][0]["code"] == "UNAUTHENTICATED"
    assert nothing_written(customer)


@pytest.mark.django_db(transaction=True)
def test_two_tabs_redeeming_at_once_never_overspend(program, customer, make_checkout, cards):
    # given 100 spendable points and two tabs each asking for 80, over several rounds
    program.pending_days = 0
    program.save()
    account = ledger.account_for(program, customer.pk, customer.email)
    for round_number in range(5):
        account.refresh_from_db()
        ledger.adjust_points(
            account, 100 - account.balance, "top up to 100", ledger.SYSTEM, f"round-{round_number}"
        )
        checkout = make_checkout(user=customer)
        barrier, outcomes = threading.Barrier(2), []

        def tab(key, checkout=checkout, barrier=barrier, outcomes=outcomes):
            try:
                barrier.wait()
                outcomes.append(
                    redemption.redeem(program, customer.pk, checkout.token, 80, key, cards).applied
                )
            except Exception as error:  # the loser's typed error is the expected outcome
                outcomes.append(type(error).__name__)
            finally:
                connection.close()

        threads = [threading.Thread(target=tab, args=(f"tab-{i}",)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        # then exactly one tab redeemed and the balance never went below zero
        assert sorted(map(str, outcomes)) == ["80", "InsufficientPoints"]
        account.refresh_from_db()
        assert account.balance == 20
    assert ledger.reconcile_account(account) == 0


def test_cancelled_legacy_order_gives_card_money_back_and_refunds_add_up(
    program, customer, member, make_checkout, make_order, cards
):
    # given ₪10 redeemed onto the card and taken by Saleor's legacy flow for a ₪165 cash order
    checkout = make_checkout(user=customer)
    redemption.redeem(program, customer.pk, checkout.token, 200, "k", cards)
    card = StoreCreditCard.objects.get()
    order = make_order(user=customer, shipping="15.00")
    order = dataclasses.replace(order, total_gross=Decimal("155.00"), legacy_gift_card_paid=Decimal("10"))
    cards.spend_on_order(card.gift_card_id, order.order_id, "10")

    # when a third of the cash is refunded, twice delivered, then the order is cancelled
    for facts in (dataclasses.replace(order, refunded_amount=Decimal("51.67")),) * 2:
        redemption.sync_order_card_return(facts, program, cards)
    third = cards.balance(card.gift_card_id)
    redemption.sync_order_card_return(dataclasses.replace(order, is_cancelled=True), program, cards)

    # then the card got its share back, then the rest, never more than Saleor took
    assert third == Decimal("3.33")
    assert cards.balance(card.gift_card_id) == Decimal("10.00")
    assert CreditEntry.objects.filter(kind=CreditKind.CARD_RETURN).count() == 2


def test_transaction_flow_refund_is_left_to_saleor(
    program, customer, member, make_checkout, make_order, cards
):
    # given the card paid ₪10 as a Saleor transaction (Saleor refunds the gift-card transaction itself)
    checkout = make_checkout(user=customer)
    redemption.redeem(program, customer.pk, checkout.token, 200, "k", cards)
    card = StoreCreditCard.objects.get()
    cards.adjust(card.gift_card_id, Decimal("-10"), "charged by a gift-card transaction")
    order = dataclasses.replace(make_order(user=customer, cancelled=True), gift_card_paid=Decimal("10"))

    assert redemption.sync_order_card_return(order, program, cards) is None
    assert cards.balance(card.gift_card_id) == 0


def test_order_with_a_promo_code_card_and_a_card_transaction_returns_only_the_promo_code_money(
    program, customer, member, make_checkout, make_order, cards
):
    # given ₪10 redeemed and taken off the card at order creation (promo code), and another ₪20 of
    # gift-card money charged as a transaction, on a ₪175 order whose Saleor total is ₪165
    checkout = make_checkout(user=customer)
    redemption.redeem(program, customer.pk, checkout.token, 200, "k", cards)
    card = StoreCreditCard.objects.get()
    order = dataclasses.replace(
        make_order(user=customer),
        total_gross=Decimal("165.00"),
        legacy_gift_card_paid=Decimal("10"),
        gift_card_paid=Decimal("20"),
    )
    cards.spend_on_order(card.gift_card_id, order.order_id, "10")

    # when the order is cancelled, twice delivered
    for _ in range(2):
        redemption.sync_order_card_return(dataclasses.replace(order, is_cancelled=True), program, cards)

    # then the club returned the promo-code money once; the transaction is Saleor's to refund
    assert cards.balance(card.gift_card_id) == Decimal("10.00")
    assert CreditEntry.objects.filter(kind=CreditKind.CARD_RETURN).count() == 1


@pytest.mark.parametrize(
    ("authorized", "owed", "refit"),
    [
        (Decimal(30), Decimal(20), Decimal(20)),  # the cart shrank below the card's authorization
        (Decimal(20), Decimal(20), None),
        (Decimal(10), Decimal(25), None),  # the cart grew: the rest is paid otherwise
        (Decimal(30), Decimal(0), None),  # other payments cover it all: Saleor's own rules apply
    ],
)
def test_a_card_authorization_only_ever_shrinks_to_what_is_owed(authorized, owed, refit):
    assert redemption.card_authorization_refit(authorized, owed) == refit
