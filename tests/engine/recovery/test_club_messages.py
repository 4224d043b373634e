from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.core import mail

from saleor_loyalty.messages import club, pipeline
from saleor_loyalty.models import Medium, MessageLog, MessageStatus

from .flows import tick
from .shop import T0, hours


def news(category="tier_upgrade", context=None):
    return pipeline.Outgoing(category=category, medium=Medium.EMAIL, channel_slug="il",
                             address="dana@example.co.il", language_code="en", context=context or {"tier": "Gold"})


def test_club_news_shares_the_email_gap_with_cart_reminders(channel, shop, opted_in):
    # given a cart reminder went out
    opted_in()
    shop.add_checkout()
    assert tick(shop, T0 + hours(1.1)) == 1

    # when club news comes two hours later
    log = club.send(news(), T0 + hours(3))

    # then it is deferred (stored with what it renders from), and the beat sends it 16 h after the reminder
    assert log.status == MessageStatus.DEFERRED and log.retry_at == T0 + hours(1.1) + hours(16)
    assert club.retry_due(T0 + hours(10)) == 0
    assert club.retry_due(T0 + hours(17.2)) == 1
    assert len(mail.outbox) == 2 and "Gold" in mail.outbox[1].subject
    assert MessageLog.objects.get(pk=log.pk).status == MessageStatus.SENT


def test_club_news_on_shabbat_waits_for_saturday_night(channel, opted_in):
    opted_in()
    friday_evening = datetime(2026, 11, 20, 16, 0, tzinfo=dt_timezone.utc)

    log = club.send(news("points_expiring", {"points": 40, "expiring_on": "2026-12-01"}), friday_evening)

    assert log.status == MessageStatus.DEFERRED and mail.outbox == []
    assert club.retry_due(friday_evening + hours(26)) == 0
    assert club.retry_due(datetime(2026, 11, 21, 19, 5, tzinfo=dt_timezone.utc)) == 1
    assert mail.outbox[0].subject.startswith("פרסומת: 40 points expire soon")


def test_deferred_club_news_is_sent_by_one_worker_only(channel, opted_in):
    opted_in()
    club.send(news(), datetime(2026, 11, 20, 16, 0, tzinfo=dt_timezone.utc))
    later = datetime(2026, 11, 22, 8, 0, tzinfo=dt_timezone.utc)
    assert club.retry_due(later) + club.retry_due(later) == 1
    assert len(mail.outbox) == 1


def test_club_news_without_consent_is_blocked_not_deferred(channel):
    log = club.send(news(), T0 + timedelta(hours=1))
    assert log.status == MessageStatus.BLOCKED and mail.outbox == []
