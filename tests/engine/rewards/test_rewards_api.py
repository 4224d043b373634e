"""The club API for rewards: program limits, `me` store credit, `checkoutPreview`."""

import dataclasses
from decimal import Decimal

import graphene
import pytest
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.models import LoyaltyProgram
from saleor_loyalty.rewards import cashback, redemption
from saleor_loyalty.tiers import ladder as tiers
from tests.engine.api import run

PROGRAM_UPDATE = """mutation($input: LoyaltyProgramInput!) {
  loyaltyProgramUpdate(channel: "il", input: $input) {
    errors { field message code }
    program { cashbackPercent redeemMinPoints redeemStepPoints redeemMaxSharePercent } } }"""
ME = """{ me(channel: "il") { storeCredit { amount currency } pendingCashback { amount currency }
  creditDebt { amount } storeCreditCode } }"""
MEMBER = (
    """query($id: ID!) { member(channel: "il", userId: $id) { storeCredit { amount } storeCreditCode } }"""
)
PREVIEW = """query($id: ID!) { checkoutPreview(checkoutId: $id) {
  points cashback { amount currency } maxRedeemablePoints maxRedeemableValue { amount currency } tier { name } } }"""
SETTINGS = Requestor(user_id=1, is_staff=True, permissions=frozenset({"MANAGE_SETTINGS"}))


def gid(checkout):
    return graphene.Node.to_global_id("Checkout", str(checkout.token))


def test_program_update_sets_cashback_and_redemption_limits(program):
    result = run(
        PROGRAM_UPDATE,
        SETTINGS,
        input={
            "cashbackPercent": "2.5",
            "redeemMinPoints": 100,
            "redeemStepPoints": 50,
            "redeemMaxSharePercent": "30",
        },
    )

    payload = result.data["loyaltyProgramUpdate"]
    assert payload["errors"] == []
    assert payload["program"] == {
        "cashbackPercent": 2.5,
        "redeemMinPoints": 100,
        "redeemStepPoints": 50,
        "redeemMaxSharePercent": 30.0,
    }


@pytest.mark.parametrize(
    ("program_input", "field"),
    [
        ({"cashbackPercent": "-1"}, "cashbackPercent"),
        ({"cashbackPercent": "101"}, "cashbackPercent"),
        ({"cashbackPercent": "1.005"}, "cashbackPercent"),
        ({"redeemStepPoints": 0}, "redeemStepPoints"),
        ({"redeemMinPoints": -1}, "redeemMinPoints"),
        ({"redeemMaxSharePercent": "0"}, "redeemMaxSharePercent"),
        ({"redeemMaxSharePercent": "150"}, "redeemMaxSharePercent"),
    ],
)
def test_bad_reward_settings_are_typed_errors_and_write_nothing(program, program_input, field):
    # given a valid change beside the bad one
    result = run(PROGRAM_UPDATE, SETTINGS, input={"redeemMinPoints": 7, **program_input})

    error = result.data["loyaltyProgramUpdate"]["errors"][0]
    assert (error["code"], error["field"]) == ("INVALID", field)
    program.refresh_from_db()
    assert (program.cashback_percent, program.redeem_min_points, program.redeem_step_points) == (0, 0, 1)


def test_me_shows_store_credit_and_pending_cashback(program, customer, make_order, cards, after_pending):
    # given 2 % cashback: one order credited (₪3), one still pending (₪3), and 100 points redeemed (₪5)
    program.cashback_percent, program.pending_days = Decimal("2"), 0
    program.save()
    cashback.sync_order_cashback(make_order(user=customer), cards)
    cashback.credit_due_cashback(cards, now=after_pending)
    program.pending_days = 10_000
    program.save()
    cashback.sync_order_cashback(make_order(user=customer), cards)

    me = run(ME, Requestor(user_id=customer.pk, email=customer.email), cards).data["me"]

    assert me["storeCredit"] == {"amount": 3.0, "currency": "ILS"}
    assert me["pendingCashback"] == {"amount": 3.0, "currency": "ILS"}
    assert me["creditDebt"] == {"amount": 0.0}
    assert me["storeCreditCode"] == "LOYALTY-0001"

    # and staff see the credit but not the card's code
    staff = Requestor(user_id=999, is_staff=True, permissions=frozenset({"MANAGE_USERS"}))
    member = run(MEMBER, staff, cards, id=graphene.Node.to_global_id("User", customer.pk)).data["member"]
    assert member == {"storeCredit": {"amount": 3.0}, "storeCreditCode": None}


def test_checkout_preview_shows_what_the_checkout_earns_and_can_redeem(
    program, customer, make_checkout, cards
):
    # given 2 % cashback, 40 % max share, 300 spendable points and a ₪175 checkout (₪150 goods)
    LoyaltyProgram.objects.filter(pk=program.pk).update(
        cashback_percent=Decimal("2"), redeem_max_share_percent=Decimal("40"), pending_days=0
    )
    program.refresh_from_db()
    ledger.adjust_points(ledger.account_for(program, customer.pk, customer.email), 300, "gift", ledger.SYSTEM)
    checkout = make_checkout(user=customer)

    preview = run(PREVIEW, Requestor(user_id=customer.pk), cards, id=gid(checkout))

    assert preview.errors is None
    assert preview.data["checkoutPreview"] == {
        "points": 150,
        "cashback": {"amount": 3.0, "currency": "ILS"},
        "maxRedeemablePoints": 300,
        "maxRedeemableValue": {"amount": 15.0, "currency": "ILS"},
        "tier": None,
    }

    # when 300 points are redeemed, then the share cap (₪70 = 1,400 points) is not the limit but the balance is
    redemption.redeem(program, customer.pk, checkout.token, 300, "k", cards)
    after = run(PREVIEW, Requestor(user_id=customer.pk), cards, id=gid(checkout)).data["checkoutPreview"]
    assert after["maxRedeemablePoints"] == 0


def test_checkout_preview_caps_redeemable_at_the_programs_share(program, customer, make_checkout, cards):
    LoyaltyProgram.objects.filter(pk=program.pk).update(
        redeem_max_share_percent=Decimal("10"), pending_days=0
    )
    program.refresh_from_db()
    ledger.adjust_points(
        ledger.account_for(program, customer.pk, customer.email), 5000, "gift", ledger.SYSTEM
    )

    preview = run(PREVIEW, Requestor(user_id=customer.pk), cards, id=gid(make_checkout(user=customer)))

    assert preview.data["checkoutPreview"]["maxRedeemablePoints"] == 350


@pytest.mark.parametrize(
    ("case", "code"),
    [("anonymous", "UNAUTHENTICATED"), ("other", "NOT_YOUR_CHECKOUT"), ("unknown", "CHECKOUT_NOT_FOUND")],
)
def test_checkout_preview_is_for_the_checkout_owner_only(
    program, customer, make_checkout, cards, django_user_model, case, code
):
    checkout = make_checkout(user=customer)
    requestor = Requestor(user_id=customer.pk)
    if case == "anonymous":
        requestor = Requestor()
    elif case == "other":
        requestor = Requestor(user_id=django_user_model.objects.create(username="noa", email="n@x.co.il").pk)
    elif case == "unknown":
        del cards.checkouts[checkout.token]

    result = run(PREVIEW, requestor, cards, id=gid(checkout))

    assert result.data["checkoutPreview"] is None
    assert result.errors[0].extensions["exception"]["code"] == code


def test_checkout_preview_says_when_the_checkout_makes_the_member_gold(
    program, customer, make_order, make_checkout, cards
):
    # given the default ladder (Gold from ₪2,000 spent this year) and ₪1,900 already spent
    tiers.ensure_default_tiers(program)
    ledger.sync_order(
        dataclasses.replace(
            make_order(lines=(("Sofa", "1900.00"),), shipping="0", user=customer), paid_at=timezone.now()
        )
    )

    # when the member previews a ₪150 checkout, then it is the one that makes them Gold
    preview = run(PREVIEW, Requestor(user_id=customer.pk), cards, id=gid(make_checkout(user=customer)))

    assert preview.data["checkoutPreview"]["tier"] == {"name": "Gold"}
    small = run(
        PREVIEW.replace("tier { name }", "tier { name reached }"),
        Requestor(user_id=customer.pk),
        cards,
        id=gid(make_checkout(user=customer, lines=(("Socks", "30.00"),))),
    )
    assert small.data["checkoutPreview"]["tier"] == {"name": "Regular", "reached": False}
