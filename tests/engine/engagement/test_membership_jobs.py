"""The membership's beat jobs: monthly gifts keyed per membership and month, "ending soon" and "ended"
club news in Hebrew and English through the consent pipeline, and the program switch (isActive off)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail

from saleor_loyalty.engagement import membership, membership_jobs
from saleor_loyalty.ledger import programs
from saleor_loyalty.messages import consent
from saleor_loyalty.models import (
    ConsentAction,
    ConsentSource,
    CreditEntry,
    CreditKind,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    Medium,
    Membership,
    MessagingSettings,
    StoreCreditCard,
)
from tests.concurrency import run_concurrently

from .conftest import PAID, PLATINUM_YEAR_VARIANT

WORDING = "אני מסכים/ה לקבל דיוור שיווקי במייל / I agree to receive marketing email"
ENDS = datetime(2026, 4, 10, 21, 0, tzinfo=UTC)  # midnight closing 10 April in Jerusalem
# Club news is checked on weekday noons after Passover, so Shabbat, holidays and quiet hours do not defer it.
MAY = datetime(2026, 5, 10, 9, 30, tzinfo=UTC)
JUNE_ENDS = datetime(2026, 6, 10, 21, 0, tzinfo=UTC)


def noon(month, day):
    return datetime(2026, month, day, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def empty_outbox():
    mail.outbox = []


@pytest.fixture
def club_news(club, customer):
    """The `il` channel sends club news, and Dana opted in to marketing email before she paid."""
    MessagingSettings.objects.create(
        channel_slug="il",
        club_messages_enabled=True,
        country="IL",
        timezone="Asia/Jerusalem",
        sender_name="חנות דנה",
        sender_email="shop@example.co.il",
        contact_address="רחוב הרצל 1, תל אביב",
        reply_to="remove@example.co.il",
    )
    consent.record(
        "il",
        Medium.EMAIL,
        customer.email,
        ConsentAction.GRANT,
        ConsentSource.CHECKOUT_CHECKBOX,
        wording=WORDING,
        locale="he",
        ip="203.0.113.7",
        occurred_at=PAID - timedelta(days=1),
    )


def gifts(user):
    return list(LedgerEntry.objects.filter(account__user=user, kind=EntryKind.MEMBERSHIP_GIFT).order_by("id"))


def test_the_monthly_gift_is_given_once_per_membership_and_month(
    club, customer, gold_plan, membership_order, cards
):
    membership.sync_membership_order(membership_order(customer, quantity=2), now=PAID)
    member = Membership.objects.get()

    # when the job runs twice in March (Jerusalem time) and once in April
    membership_jobs.give_all_monthly_gifts(PAID + timedelta(hours=1), cards=cards)
    membership_jobs.give_all_monthly_gifts(PAID + timedelta(days=2), cards=cards)
    membership_jobs.give_all_monthly_gifts(
        datetime(2026, 3, 31, 21, 30, tzinfo=UTC), cards=cards
    )  # 1 April local

    # then there are two gifts of 100 points, keyed by membership and local month
    assert [(g.points, g.source_key) for g in gifts(customer)] == [
        (100, f"membership_gift:{member.pk}:2026-03"),
        (100, f"membership_gift:{member.pk}:2026-04"),
    ]
    assert ledger_balance(customer) == 200


def ledger_balance(user):
    return LoyaltyAccount.objects.get(user=user).balance


@pytest.mark.django_db(transaction=True)
def test_two_workers_giving_gifts_at_once_give_each_once(club, customer, gold_plan, membership_order, cards):
    membership.sync_membership_order(membership_order(customer), now=PAID)
    run_concurrently(
        lambda _: membership_jobs.give_monthly_gifts(club, PAID + timedelta(hours=1), cards=cards), workers=3
    )
    assert len(gifts(customer)) == 1
    assert ledger_balance(customer) == 100


def test_the_monthly_credit_goes_on_the_members_card(club, customer, platinum_plan, membership_order, cards):
    membership.sync_membership_order(
        membership_order(customer, variant=PLATINUM_YEAR_VARIANT, price="990"), now=PAID
    )
    membership_jobs.give_all_monthly_gifts(PAID + timedelta(hours=1), cards=cards)
    membership_jobs.give_all_monthly_gifts(PAID + timedelta(hours=2), cards=cards)

    credit = CreditEntry.objects.get(kind=CreditKind.MEMBERSHIP_GIFT)
    assert credit.amount == Decimal("20.0000")
    card = StoreCreditCard.objects.get(user_id=customer.pk)
    assert cards.balance(card.gift_card_id) == Decimal("20")


def test_no_gift_after_the_membership_ended(club, customer, gold_plan, membership_order, cards):
    membership.sync_membership_order(membership_order(customer), now=PAID)
    membership_jobs.expire_due(ENDS)
    membership_jobs.give_all_monthly_gifts(ENDS + timedelta(hours=1), cards=cards)
    assert gifts(customer) == []


def test_ending_soon_is_told_once_per_end_in_hebrew(club, customer, gold_plan, membership_order, club_news):
    membership.sync_membership_order(membership_order(customer, paid_at=MAY), now=MAY)

    # eight days before the end nothing is due; within seven days the reminder goes, once
    assert membership_jobs.send_reminders(noon(6, 2)) == 0
    assert membership_jobs.send_reminders(noon(6, 4)) == 1
    assert membership_jobs.send_reminders(noon(6, 7)) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "פרסומת: המנוי Gold club שלך מסתיים ב-2026-06-10"
    assert "זהב" in mail.outbox[0].body

    # an extension moves the end, and earns a new reminder before the new end
    membership.sync_membership_order(membership_order(customer, paid_at=noon(6, 8)), now=noon(6, 8))
    assert membership_jobs.send_reminders(noon(6, 9)) == 0
    assert membership_jobs.send_reminders(noon(7, 6)) == 1
    assert mail.outbox[1].subject == "פרסומת: המנוי Gold club שלך מסתיים ב-2026-07-10"


def test_ended_is_told_once_in_english_where_the_channel_speaks_english(
    club, customer, gold_plan, membership_order, club_news
):
    MessagingSettings.objects.filter(channel_slug="il").update(default_language="en")
    membership.sync_membership_order(membership_order(customer, paid_at=MAY), now=MAY)
    membership_jobs.expire_due(JUNE_ENDS)
    assert membership_jobs.send_ended_notices(noon(6, 11)) == 1
    assert membership_jobs.send_ended_notices(noon(6, 14)) == 0
    assert [m.subject for m in mail.outbox] == ["פרסומת: Your Gold club membership has ended"]


def test_no_news_without_marketing_consent(club, customer, gold_plan, membership_order, club_news):
    consent.record(
        "il",
        Medium.EMAIL,
        customer.email,
        ConsentAction.WITHDRAW,
        ConsentSource.ACCOUNT_PAGE,
        occurred_at=PAID,
    )
    membership.sync_membership_order(membership_order(customer, paid_at=MAY), now=MAY)
    assert membership_jobs.send_reminders(noon(6, 4)) == 1  # handed to the pipeline, which refuses it
    assert mail.outbox == []


def test_a_switched_off_program_gives_no_gift_and_sends_no_reminder_but_keeps_the_paid_term(
    club, customer, gold_plan, membership_order, cards, club_news
):
    # given the club is switched off (isActive false)
    programs.update_program(club, is_active=False)
    club.refresh_from_db()

    # when Dana's paid membership order arrives, then the gift and reminder jobs run
    membership.sync_membership_order(membership_order(customer, paid_at=MAY), now=MAY)
    membership_jobs.give_all_monthly_gifts(MAY + timedelta(hours=1), cards=cards)
    reminded = membership_jobs.send_reminders(noon(6, 4))

    # then her paid term is recorded (she paid for it) but nothing of value is given or sent
    assert Membership.objects.get().ends_at == JUNE_ENDS
    assert gifts(customer) == []
    assert reminded == 0
    assert mail.outbox == []

    # and once the club is switched back on, the reminder still due goes out
    programs.update_program(club, is_active=True)
    assert membership_jobs.send_reminders(noon(6, 7)) == 1
    assert len(mail.outbox) == 1


def test_an_order_refunded_before_it_was_seen_starts_nothing_and_tells_nothing(
    club, customer, gold_plan, membership_order, club_news
):
    # given the plan's order was paid and refunded in full before the club first saw it
    order = membership_order(customer, paid_at=MAY, refunded="147.90")
    membership.sync_membership_order(order, now=MAY + timedelta(hours=1))

    # then the term is recorded as taken back, the member never became Gold, and no "ended" news goes out
    assert Membership.objects.get().status == "ended"
    assert LoyaltyAccount.objects.get(user=customer).tier is None
    assert membership_jobs.send_ended_notices(noon(5, 11)) == 0
