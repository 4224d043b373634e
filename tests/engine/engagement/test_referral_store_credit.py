"""A referrer rewarded in store credit: on their club gift card once after the pending period, taken back when
the friend's order is refunded or cancelled (debt for what they already spent, as for cashback), snapshotted
when the order counts, strict settings, and nothing half given where the card cannot be reached."""

# ruff: noqa: F811  (the referral fixtures are imported from referral_shop, then named as test arguments)

from datetime import timedelta
from decimal import Decimal

import pytest

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.engagement import referral_orders, referrals
from saleor_loyalty.engagement.referrals import InvalidReferralSetting
from saleor_loyalty.exceptions import StoreCreditUnavailable
from saleor_loyalty.models import (
    CreditEntry,
    CreditKind,
    EntryKind,
    LedgerEntry,
    Referral,
    ReferralSettings,
    ReferralStatus,
    StoreCreditCard,
)
from saleor_loyalty.rewards import store_credit
from tests.engine.api import run

from .referral_shop import PAID, dana, noa, referral_rules, referral_shop  # noqa: F401  (fixtures)

GUEST = Requestor()
DUE = PAID + timedelta(days=30, minutes=1)
SETTINGS_STAFF = Requestor(user_id=1, is_staff=True, permissions=frozenset({"MANAGE_SETTINGS"}))
UPDATE = """mutation($input: LoyaltyReferralSettingsInput!) {
  loyaltyReferralSettingsUpdate(channel: "il", input: $input) {
    errors { field code } settings { referrerReward referrerPoints referrerCredit { amount currency } } } }"""


@pytest.fixture
def in_credit(club, referral_rules):
    """Dana's club gives referrers ₪30 store credit instead of points."""
    return referrals.update_settings(club, referrer_reward="store_credit", referrer_credit="30")


def counted_order(club, dana, shop):
    checkout = shop.add_checkout(email="noa@example.co.il")
    referrals.apply_code(club, checkout.token, dana.code, GUEST, shop)
    order = shop.place_order(shop.checkouts[checkout.token])
    referral_orders.sync_referral_order(order, shop)
    return order


def card_balance(cards, user) -> Decimal:
    return cards.balance(StoreCreditCard.objects.get(user_id=user.pk).gift_card_id)


def test_the_referrer_gets_store_credit_once_after_the_pending_period(
    club, in_credit, dana, referral_shop, cards
):
    counted_order(club, dana, referral_shop)
    referral = Referral.objects.get()
    assert (referral.referrer_points, referral.referrer_credit) == (0, Decimal("30"))

    assert referral_orders.reward_due(referral_shop, now=DUE - timedelta(days=1), cards=cards).written == 0
    runs = [referral_orders.reward_due(referral_shop, now=DUE, cards=cards) for _ in range(2)]

    assert [run.written for run in runs] == [1, 0]
    assert card_balance(cards, dana) == Decimal("30")
    row = CreditEntry.objects.get(kind=CreditKind.REFERRAL_REWARD)
    assert (row.source_key, row.amount, row.card_amount) == (f"referral:{referral.pk}", 30, 30)
    assert not LedgerEntry.objects.filter(kind=EntryKind.REFERRAL_REWARD).exists()  # no points as well
    assert Referral.objects.get().status == ReferralStatus.REWARDED


def test_a_refund_after_the_reward_takes_the_credit_back_once(club, in_credit, dana, referral_shop, cards):
    order = counted_order(club, dana, referral_shop)
    referral_orders.reward_due(referral_shop, now=DUE, cards=cards)

    refunded = referral_shop.refund(order)
    for _ in range(2):  # the event arrives twice
        referral_orders.sync_referral_order(refunded, referral_shop, now=DUE + timedelta(days=1), cards=cards)

    reversal = CreditEntry.objects.get(kind=CreditKind.REFERRAL_REVERSAL)
    assert (reversal.amount, reversal.card_amount, reversal.debt_amount) == (-30, -30, 0)
    assert card_balance(cards, dana) == 0
    assert Referral.objects.get().status == ReferralStatus.REVERSED


def test_credit_already_spent_becomes_debt_like_a_cashback_reversal(
    club, in_credit, dana, referral_shop, cards
):
    order = counted_order(club, dana, referral_shop)
    referral_orders.reward_due(referral_shop, now=DUE, cards=cards)
    cards.adjust(
        StoreCreditCard.objects.get(user_id=dana.pk).gift_card_id, Decimal("-20"), "spent at checkout"
    )

    referral_orders.sync_referral_order(
        referral_shop.refund(order, cancel=True), referral_shop, now=DUE + timedelta(days=1), cards=cards
    )

    reversal = CreditEntry.objects.get(kind=CreditKind.REFERRAL_REVERSAL)
    assert (reversal.card_amount, reversal.debt_amount) == (-10, 20)
    assert card_balance(cards, dana) == 0
    assert store_credit.outstanding_debt(dana.account) == Decimal("20")


def test_a_reversal_without_the_card_changes_nothing_and_is_retried(
    club, in_credit, dana, referral_shop, cards
):
    order = counted_order(club, dana, referral_shop)
    referral_orders.reward_due(referral_shop, now=DUE, cards=cards)
    refunded = referral_shop.refund(order)

    with pytest.raises(StoreCreditUnavailable):
        referral_orders.sync_referral_order(refunded, referral_shop, now=DUE + timedelta(days=1))
    assert Referral.objects.get().status == ReferralStatus.REWARDED
    assert not CreditEntry.objects.filter(kind=CreditKind.REFERRAL_REVERSAL).exists()

    referral_orders.sync_referral_order(refunded, referral_shop, now=DUE + timedelta(days=1), cards=cards)
    assert Referral.objects.get().status == ReferralStatus.REVERSED


def test_the_reward_waits_whole_while_the_card_cannot_be_reached(club, in_credit, dana, referral_shop):
    referrals.update_settings(club, friend_benefit="points", friend_points=200)
    counted_order(club, dana, referral_shop)

    run_ = referral_orders.reward_due(referral_shop, now=DUE)  # no cards: e.g. a Saleor without gift cards

    referral = Referral.objects.get()
    assert run_.written == 0
    assert referral.status == ReferralStatus.ORDERED
    assert referral.reward_due_at > DUE
    assert not LedgerEntry.objects.filter(kind=EntryKind.REFERRAL_WELCOME).exists()  # nothing half given


def test_the_reward_is_the_rule_when_the_order_counted(club, in_credit, dana, referral_shop, cards):
    counted_order(club, dana, referral_shop)
    referrals.update_settings(club, referrer_reward="points", referrer_points=700)

    referral_orders.reward_due(referral_shop, now=DUE, cards=cards)

    assert card_balance(cards, dana) == Decimal("30")
    assert not LedgerEntry.objects.filter(kind=EntryKind.REFERRAL_REWARD).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"referrer_reward": "store_credit"}, "referrer_credit"),  # credit of 0
        ({"referrer_reward": "store_credit", "referrer_credit": "-5"}, "referrer_credit"),
        ({"referrer_reward": "store_credit", "referrer_credit": "10.005"}, "referrer_credit"),
        ({"referrer_reward": "store_credit", "referrer_credit": "1000001"}, "referrer_credit"),
        ({"referrer_reward": "store_credit", "referrer_credit": "NaN"}, "referrer_credit"),
        ({"referrer_reward": "gift"}, "referrer_reward"),
    ],
)
def test_bad_reward_settings_write_nothing(club, referral_rules, changes, field):
    with pytest.raises(InvalidReferralSetting) as refused:
        referrals.update_settings(club, **changes)

    assert refused.value.field == field
    saved = ReferralSettings.objects.get()
    assert (saved.referrer_reward, saved.referrer_credit) == ("points", 0)


def test_staff_choose_store_credit_through_graphql(club, referral_rules):
    saved = run(UPDATE, SETTINGS_STAFF, input={"referrerReward": "STORE_CREDIT", "referrerCredit": "30"})

    assert saved.errors is None
    assert saved.data["loyaltyReferralSettingsUpdate"] == {
        "errors": [],
        "settings": {
            "referrerReward": "STORE_CREDIT",
            "referrerPoints": 500,
            "referrerCredit": {"amount": 30.0, "currency": "ILS"},
        },
    }
    club_page = run("""{ club(channel: "il") { referral { referrerReward referrerCredit { amount } } } }""")
    assert club_page.data["club"]["referral"] == {
        "referrerReward": "STORE_CREDIT",
        "referrerCredit": {"amount": 30.0},
    }


def test_a_store_credit_reward_without_an_amount_is_a_typed_error(club, referral_rules):
    refused = run(UPDATE, SETTINGS_STAFF, input={"referrerReward": "STORE_CREDIT"})

    assert refused.data["loyaltyReferralSettingsUpdate"]["errors"] == [
        {"field": "referrerCredit", "code": "INVALID"}
    ]
    assert ReferralSettings.objects.get().referrer_reward == "points"


def test_an_unknown_reward_kind_is_refused_by_the_schema(club, referral_rules):
    refused = run(UPDATE, SETTINGS_STAFF, input={"referrerReward": "GIFT"})

    assert refused.errors is not None
    assert ReferralSettings.objects.get().referrer_reward == "points"
