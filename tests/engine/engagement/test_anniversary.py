"""The membership-anniversary gift: once a year on the local date the member joined, points and credit."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from saleor_loyalty import ledger
from saleor_loyalty.engagement import anniversary, club_page
from saleor_loyalty.ledger import programs
from saleor_loyalty.models import CreditEntry, CreditKind, EntryKind, LedgerEntry, LoyaltyAccount

JOINED = datetime(2025, 3, 9, 22, 30, tzinfo=UTC)  # 10 March 2025, 00:30 in Jerusalem
ANNIVERSARY = datetime(2026, 3, 9, 22, 45, tzinfo=UTC)  # 10 March 2026, 00:45 in Jerusalem


@pytest.fixture
def gift(club):
    return club_page.update_settings(club, anniversary_points=300, anniversary_credit=(Decimal("20"), "ILS"))


@pytest.fixture
def member(club, customer):
    account = ledger.account_for(club, customer.pk, customer.email)
    LoyaltyAccount.objects.filter(pk=account.pk).update(created_at=JOINED)
    return account


def gifts():
    return LedgerEntry.objects.filter(kind=EntryKind.ANNIVERSARY)


def test_a_year_in_the_club_gives_points_and_credit_once(club, gift, member, cards):
    before = anniversary.give_anniversary_gifts(club, gift, cards, now=datetime(2026, 3, 9, 12, tzinfo=UTC))
    first = anniversary.give_anniversary_gifts(club, gift, cards, now=ANNIVERSARY)
    again = anniversary.give_anniversary_gifts(club, gift, cards, now=ANNIVERSARY.replace(hour=23))

    assert (before.written, first.written, again.written) == (0, 1, 0)
    row = gifts().get()
    assert (row.points, row.source_key, row.detail) == (300, f"anniversary:{member.pk}:2026", {"year": 2026})
    credit = CreditEntry.objects.get(kind=CreditKind.ANNIVERSARY_GIFT)
    assert credit.card_amount == Decimal("20")
    assert ledger.reconcile_account(member) == 0


def test_the_cursor_resumes_within_the_day(club, gift, member, cards, django_user_model):
    other_user = django_user_model.objects.create(username="noa", email="noa@example.co.il")
    other = ledger.account_for(club, other_user.pk, other_user.email)
    LoyaltyAccount.objects.filter(pk=other.pk).update(created_at=JOINED)

    first = anniversary.give_anniversary_gifts(
        club, gift, cards, now=ANNIVERSARY, max_batches=1, batch_size=1
    )
    rest = anniversary.give_anniversary_gifts(club, gift, cards, now=ANNIVERSARY, batch_size=1)

    assert (first.seen, rest.seen) == (1, 1)
    assert gifts().count() == 2


def test_no_gift_in_the_year_one_joined(club, gift, member, cards):
    anniversary.give_anniversary_gifts(club, gift, cards, now=JOINED.replace(hour=23))
    assert not gifts().exists()


def test_leap_day_joiners_celebrate_on_28_february(club, gift, member, cards):
    LoyaltyAccount.objects.filter(pk=member.pk).update(created_at=datetime(2024, 2, 29, 10, tzinfo=UTC))

    anniversary.give_anniversary_gifts(club, gift, cards, now=datetime(2025, 2, 28, 10, tzinfo=UTC))

    assert gifts().get().detail == {"year": 2025}


def test_a_switched_off_program_gives_no_anniversary_gift(club, gift, member, cards):
    programs.update_program(club, is_active=False)
    club.refresh_from_db()

    assert anniversary.give_all_anniversary_gifts(cards, now=ANNIVERSARY)["il"].written == 0
    assert not gifts().exists()
