"""Birthdays through the API: set once a year, impossible dates refused, the gift on the local day."""

from datetime import UTC, datetime, timedelta

import pytest

from saleor_loyalty import ledger
from saleor_loyalty.benefits import birthdays
from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount
from tests.engine.api import run

BIRTHDAY_SET = """mutation($channel: String!, $month: Int!, $day: Int!) {
  loyaltyBirthdaySet(channel: $channel, month: $month, day: $day) {
    errors { field code } member { birthday { month day changeableFrom } } } }"""


def test_birthday_set_once_then_limited_for_a_year(club, customer):
    me = Requestor(user_id=customer.pk, email=customer.email)

    first = run(BIRTHDAY_SET, me, channel="il", month=2, day=29).data["loyaltyBirthdaySet"]
    second = run(BIRTHDAY_SET, me, channel="il", month=3, day=1).data["loyaltyBirthdaySet"]

    assert first["errors"] == []
    assert first["member"]["birthday"]["month"] == 2
    assert second["errors"] == [{"field": "month", "code": "CHANGE_LIMITED"}]
    account = LoyaltyAccount.objects.get(user=customer)
    assert (account.birthday_month, account.birthday_day) == (2, 29)


@pytest.mark.parametrize(("month", "day"), [(2, 30), (13, 1), (4, 31), (0, 5)])
def test_birthday_set_impossible_date_writes_nothing(club, customer, month, day):
    result = run(
        BIRTHDAY_SET, Requestor(user_id=customer.pk, email=customer.email), channel="il", month=month, day=day
    )

    assert result.data["loyaltyBirthdaySet"]["errors"][0]["code"] == "INVALID"
    assert not LoyaltyAccount.objects.exists()


def test_birthday_set_requires_a_signed_in_customer(club):
    result = run(BIRTHDAY_SET, Requestor(), channel="il", month=5, day=5)

    assert result.data["loyaltyBirthdaySet"]["errors"][0]["code"] == "UNAUTHENTICATED"


def test_birthday_can_change_again_after_a_year(club, customer):
    account = ledger.account_for(club, customer.pk, customer.email)
    set_at = datetime(2025, 1, 10, tzinfo=UTC)
    birthdays.set_birthday(account, 5, 5, now=set_at)

    changed = birthdays.set_birthday(account, 6, 6, now=set_at + timedelta(days=366))

    assert (changed.birthday_month, changed.birthday_day) == (6, 6)


def test_birthday_gift_once_on_the_local_day_with_the_tiers_points(club, customer, cards):
    # given a member born on 14 May
    account = ledger.account_for(club, customer.pk, customer.email)
    birthdays.set_birthday(account, 5, 14, now=datetime(2025, 1, 1, tzinfo=UTC))

    # when the job runs at 22:30 UTC on 13 May (already 14 May in Jerusalem), and again later that day
    first = birthdays.give_birthday_gifts(club, datetime(2026, 5, 13, 22, 30, tzinfo=UTC), cards=cards)
    again = birthdays.give_birthday_gifts(club, datetime(2026, 5, 14, 12, 0, tzinfo=UTC), cards=cards)
    day_before = birthdays.give_birthday_gifts(club, datetime(2026, 5, 13, 20, 0, tzinfo=UTC), cards=cards)

    # then the Regular tier's 50 points were given exactly once
    assert (first.gifted, again.gifted, again.already_gifted, day_before.gifted) == (1, 0, 1, 0)
    gifts = LedgerEntry.objects.filter(kind=EntryKind.BIRTHDAY)
    assert [(g.points, g.source_key) for g in gifts] == [(50, f"birthday:{account.pk}:2026")]
    assert ledger.reconcile_account(account) == 0


@pytest.mark.parametrize(
    ("today", "gifted"),
    [
        (datetime(2027, 2, 28, 10, tzinfo=UTC), 1),  # common year: celebrated on 28 Feb
        (datetime(2028, 2, 28, 10, tzinfo=UTC), 0),  # leap year: wait for the 29th
        (datetime(2028, 2, 29, 10, tzinfo=UTC), 1),
    ],
)
def test_leap_day_birthday_is_celebrated_on_28_february_in_common_years(club, customer, cards, today, gifted):
    account = ledger.account_for(club, customer.pk, customer.email)
    birthdays.set_birthday(account, 2, 29, now=datetime(2025, 1, 1, tzinfo=UTC))

    assert birthdays.give_birthday_gifts(club, today, cards=cards).gifted == gifted
