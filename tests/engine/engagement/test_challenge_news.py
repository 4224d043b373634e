"""'Badge earned' club news: told once, in the channel's language, only with consent (§30A pipeline)."""

from datetime import UTC, datetime, timedelta

from django.core import mail

from saleor_loyalty.engagement import challenge_settings
from saleor_loyalty.messages import club_news
from saleor_loyalty.models import Badge, MessageLog
from tests.engine.engagement.challenge_shop import day, local, pay
from tests.engine.recovery.conftest import channel, empty_outbox, opted_in  # noqa: F401  (fixtures)

TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def earn_badge(program, customer, make_order):
    badge = Badge.objects.create(program=program, name="Explorer", name_he="מגלה")
    challenge_settings.create_challenge(
        program, name="First", metric="paid_orders", target=1, starts_on=day("2026-11-01"), badge_id=badge.pk
    )
    pay(make_order, customer, local(2026, 11, 24, 11))


def test_badge_earned_is_told_once_in_hebrew(channel, opted_in, program, customer, make_order):  # noqa: F811
    channel.club_messages_enabled = True
    channel.save()
    opted_in(address=customer.email)
    club_news.send_club_news(now=TUESDAY)  # the job's first run starts from now on

    earn_badge(program, customer, make_order)
    runs = [club_news.send_club_news(now=TUESDAY + timedelta(hours=h)) for h in (1, 2)]

    assert [run.written for run in runs] == [1, 0]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "פרסומת: זכית בתג מגלה"
    assert MessageLog.objects.get().category == "badge_earned"


def test_badge_news_needs_consent(channel, program, customer, make_order):  # noqa: F811
    channel.club_messages_enabled = True
    channel.save()
    club_news.send_club_news(now=TUESDAY)

    earn_badge(program, customer, make_order)
    club_news.send_club_news(now=TUESDAY + timedelta(hours=1))

    assert mail.outbox == []
