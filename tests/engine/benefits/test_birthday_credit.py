"""Birthday gifts as store credit without Saleor: once a year on the member's card, tier settings validated."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from saleor_loyalty import ledger
from saleor_loyalty.benefits import birthdays
from saleor_loyalty.core.facts import ChannelFacts, Requestor
from saleor_loyalty.exceptions import StoreCreditUnavailable
from saleor_loyalty.ledger import programs
from saleor_loyalty.models import CreditEntry, CreditKind, EntryKind, LedgerEntry, StoreCreditCard, Tier
from saleor_loyalty.tiers import settings as tier_settings
from tests.concurrency import run_concurrently
from tests.engine.api import run
from tests.engine.cards import InMemoryCards
from tests.engine.ids import tier_gid

BIRTHDAY_IN_JERUSALEM = datetime(2026, 5, 13, 22, 30, tzinfo=UTC)  # already 14 May in Israel
STAFF = Requestor(user_id=1, is_staff=True, permissions=frozenset({"MANAGE_SETTINGS"}))
TIER_CREATE = """mutation($input: LoyaltyTierInput!) {
  loyaltyTierCreate(channel: "il", input: $input) {
    errors { field message code } tier { name benefits { birthdayCredit { amount currency } } } } }"""
TIER_UPDATE = """mutation($id: ID!, $input: LoyaltyTierInput!) {
  loyaltyTierUpdate(channel: "il", id: $id, input: $input) {
    errors { field message code } tier { benefits { birthdayPoints birthdayCredit { amount currency } } } } }"""
ME = """{ me(channel: "il") { storeCredit { amount currency } tier { benefits { birthdayCredit { amount } } } } }"""


class UnavailableCards(InMemoryCards):
    """Saleor 3.22: the adapter refuses before any card is made or moved."""

    def create_card(self, user_id, email, currency):
        raise StoreCreditUnavailable("Cashback and redemption need Saleor 3.23 or newer.")


@pytest.fixture
def club(club):
    """Regular members get ₪25.50 of store credit on their birthday."""
    club.tiers.filter(name="Regular").update(birthday_credit=Decimal("25.50"))
    return club


@pytest.fixture
def born_14_may(club, customer):
    account = ledger.account_for(club, customer.pk, customer.email)
    birthdays.set_birthday(account, 5, 14, now=datetime(2025, 1, 1, tzinfo=UTC))
    return account


def card_balance(cards, user):
    return cards.balance(StoreCreditCard.objects.get(user_id=user.pk).gift_card_id)


def test_birthday_credit_goes_on_the_members_card_once_a_year(club, customer, born_14_may, cards):
    # when the job runs on her birthday (Jerusalem date), again that day, and on next year's birthday
    first = birthdays.give_birthday_gifts(club, BIRTHDAY_IN_JERUSALEM, cards=cards)
    again = birthdays.give_birthday_gifts(club, datetime(2026, 5, 14, 12, tzinfo=UTC), cards=cards)
    balance_after_first_year = card_balance(cards, customer)
    next_year = birthdays.give_birthday_gifts(club, datetime(2027, 5, 14, 9, tzinfo=UTC), cards=cards)

    # then ₪25.50 reached her own card once per year, beside the tier's 50 points
    assert (first.credited, again.credited, again.already_credited, next_year.credited) == (1, 0, 1, 1)
    assert balance_after_first_year == Decimal("25.50")
    assert card_balance(cards, customer) == Decimal("51.00")
    gifts = CreditEntry.objects.filter(kind=CreditKind.BIRTHDAY_GIFT).order_by("pk")
    assert [(g.amount, g.card_amount, g.source_key) for g in gifts] == [
        (Decimal("25.5"), Decimal("25.5"), f"birthday:{born_14_may.pk}:2026"),
        (Decimal("25.5"), Decimal("25.5"), f"birthday:{born_14_may.pk}:2027"),
    ]
    assert LedgerEntry.objects.filter(kind=EntryKind.BIRTHDAY).count() == 2


def test_member_sees_the_birthday_credit_as_store_credit(club, customer, born_14_may, cards):
    birthdays.give_birthday_gifts(club, BIRTHDAY_IN_JERUSALEM, cards=cards)

    me = run(ME, Requestor(user_id=customer.pk, email=customer.email), cards).data["me"]

    assert me == {
        "storeCredit": {"amount": 25.5, "currency": "ILS"},
        "tier": {"benefits": {"birthdayCredit": {"amount": 25.5}}},
    }


@pytest.mark.parametrize(
    ("now", "credited"),
    [
        (datetime(2027, 2, 28, 10, tzinfo=UTC), 1),  # common year: celebrated on 28 Feb
        (datetime(2028, 2, 28, 10, tzinfo=UTC), 0),  # leap year: wait for the 29th
        (datetime(2028, 2, 29, 10, tzinfo=UTC), 1),
    ],
)
def test_leap_day_birthday_credit_follows_the_same_calendar_as_points(club, customer, cards, now, credited):
    account = ledger.account_for(club, customer.pk, customer.email)
    birthdays.set_birthday(account, 2, 29, now=datetime(2025, 1, 1, tzinfo=UTC))

    report = birthdays.give_birthday_gifts(club, now, cards=cards)

    assert (report.gifted, report.credited) == (credited, credited)


def test_tier_without_birthday_credit_makes_no_card(club, customer, born_14_may, cards):
    club.tiers.filter(name="Regular").update(birthday_credit=0)

    report = birthdays.give_birthday_gifts(club, BIRTHDAY_IN_JERUSALEM, cards=cards)

    assert (report.gifted, report.credited) == (1, 0)
    assert not StoreCreditCard.objects.exists()
    assert not cards.cards


def test_birthday_credit_of_the_members_current_tier(club, customer, born_14_may, cards):
    club.tiers.filter(name="Gold").update(birthday_credit=Decimal("100"))
    tier_settings.set_floor(born_14_may, club.tiers.get(name="Gold"), "VIP", ledger.SYSTEM)

    birthdays.give_birthday_gifts(club, BIRTHDAY_IN_JERUSALEM, cards=cards)

    assert card_balance(cards, customer) == Decimal("100")
    assert CreditEntry.objects.get(kind=CreditKind.BIRTHDAY_GIFT).detail == {"year": 2026, "tier": "Gold"}


def test_where_saleor_cannot_hold_store_credit_points_still_arrive(club, customer, born_14_may):
    cards = UnavailableCards()

    report = birthdays.give_birthday_gifts(club, BIRTHDAY_IN_JERUSALEM, cards=cards)

    assert (report.gifted, report.credited, report.credit_unavailable) == (1, 0, 1)
    assert not CreditEntry.objects.exists()
    assert not StoreCreditCard.objects.exists()
    assert ledger.reconcile_account(born_14_may) == 0


@pytest.mark.django_db(transaction=True)
def test_birthday_job_on_several_workers_at_once_credits_once(club, customer, born_14_may):
    cards = InMemoryCards()

    run_concurrently(lambda _: birthdays.give_birthday_gifts(club, BIRTHDAY_IN_JERUSALEM, cards=cards), 6)

    assert CreditEntry.objects.filter(kind=CreditKind.BIRTHDAY_GIFT).count() == 1
    assert StoreCreditCard.objects.count() == 1
    assert card_balance(cards, customer) == Decimal("25.50")
    assert sum(card["balance"] for card in cards.cards.values()) == Decimal("25.50")


def test_tier_create_with_birthday_credit(club):
    result = run(
        TIER_CREATE,
        STAFF,
        input={
            "name": "Diamond",
            "entryThreshold": "9000",
            "retainThreshold": "8000",
            "birthdayCredit": {"amount": "150", "currency": "ILS"},
        },
    )

    payload = result.data["loyaltyTierCreate"]
    assert payload["errors"] == []
    assert payload["tier"]["benefits"]["birthdayCredit"] == {"amount": 150.0, "currency": "ILS"}
    assert Tier.objects.get(name="Diamond").birthday_credit == Decimal("150")


def test_tier_update_sets_and_clears_birthday_credit(club):
    gold = club.tiers.get(name="Gold")

    set_ = run(
        TIER_UPDATE,
        STAFF,
        id=tier_gid(gold),
        input={"birthdayCredit": {"amount": "40.90", "currency": "ILS"}},
    )
    cleared = run(
        TIER_UPDATE, STAFF, id=tier_gid(gold), input={"birthdayCredit": {"amount": "0", "currency": "ILS"}}
    )

    assert set_.data["loyaltyTierUpdate"]["tier"]["benefits"] == {
        "birthdayPoints": 200,
        "birthdayCredit": {"amount": 40.9, "currency": "ILS"},
    }
    assert cleared.data["loyaltyTierUpdate"]["errors"] == []
    gold.refresh_from_db()
    assert gold.birthday_credit == 0


@pytest.mark.parametrize(
    ("credit", "code"),
    [
        ({"amount": "-1", "currency": "ILS"}, "INVALID"),
        ({"amount": "10.005", "currency": "ILS"}, "INVALID"),  # ₪ has two decimals
        ({"amount": "1000001", "currency": "ILS"}, "INVALID"),
        ({"amount": "NaN", "currency": "ILS"}, "INVALID"),
        ({"amount": "10", "currency": "USD"}, "CURRENCY_MISMATCH"),
    ],
)
def test_bad_birthday_credit_is_a_typed_error_and_writes_nothing(club, credit, code):
    gold = club.tiers.get(name="Gold")

    result = run(TIER_UPDATE, STAFF, id=tier_gid(gold), input={"name": "Gold+", "birthdayCredit": credit})

    errors = result.data["loyaltyTierUpdate"]["errors"]
    assert [(error["field"], error["code"]) for error in errors] == [("birthdayCredit", code)]
    gold.refresh_from_db()
    assert (gold.name, gold.birthday_credit) == ("Gold", 0)


def test_birthday_credit_precision_follows_the_channel_currency(db):
    yen = programs.ensure_program(ChannelFacts("jp", "JPY", "JP"))
    gold = yen.tiers.get(name="Gold")
    update = TIER_UPDATE.replace('channel: "il"', 'channel: "jp"')

    fractional = run(
        update, STAFF, id=tier_gid(gold), input={"birthdayCredit": {"amount": "500.5", "currency": "JPY"}}
    )
    whole = run(
        update, STAFF, id=tier_gid(gold), input={"birthdayCredit": {"amount": "500", "currency": "JPY"}}
    )

    assert fractional.data["loyaltyTierUpdate"]["errors"][0]["field"] == "birthdayCredit"
    assert whole.data["loyaltyTierUpdate"]["tier"]["benefits"]["birthdayCredit"] == {
        "amount": 500.0,
        "currency": "JPY",
    }
