from datetime import UTC, datetime, timedelta

from django.core import mail

from saleor_loyalty import ledger
from saleor_loyalty.ledger import expiry
from saleor_loyalty.messages import club, club_news, pipeline
from saleor_loyalty.models import ExpiryReminder, Medium, MessageLog, MessageStatus
from saleor_loyalty.rewards import cashback
from saleor_loyalty.tiers import ladder as tiers

from .flows import tick
from .shop import T0, hours


def news(category="tier_upgrade", context=None):
    return pipeline.Outgoing(
        category=category,
        medium=Medium.EMAIL,
        channel_slug="il",
        address="dana@example.co.il",
        language_code="en",
        context=context or {"tier": "Gold"},
    )


def test_club_news_shares_the_email_gap_with_cart_reminders(channel, shop, opted_in):
    # given a cart reminder went out
    opted_in()
    shop.add_checkout()
    assert tick(shop, T0 + hours(1.1)) == 1

    # when club news comes two hours later
    log = club.send(news(), T0 + hours(3))

    # then it is deferred (stored with what it renders from), and the beat sends it 16 h after the reminder
    assert log.status == MessageStatus.DEFERRED
    assert log.retry_at == T0 + hours(1.1) + hours(16)
    assert club.retry_due(T0 + hours(10)) == 0
    assert club.retry_due(T0 + hours(17.2)) == 1
    assert len(mail.outbox) == 2
    assert "Gold" in mail.outbox[1].subject
    assert MessageLog.objects.get(pk=log.pk).status == MessageStatus.SENT


def test_club_news_on_shabbat_waits_for_saturday_night(channel, opted_in):
    opted_in()
    friday_evening = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)

    log = club.send(news("points_expiring", {"points": 40, "expiring_on": "2026-12-01"}), friday_evening)

    assert log.status == MessageStatus.DEFERRED
    assert mail.outbox == []
    assert club.retry_due(friday_evening + hours(26)) == 0
    assert club.retry_due(datetime(2026, 11, 21, 19, 5, tzinfo=UTC)) == 1
    assert mail.outbox[0].subject.startswith("פרסומת: 40 points expire soon")


def test_deferred_club_news_is_sent_by_one_worker_only(channel, opted_in):
    opted_in()
    club.send(news(), datetime(2026, 11, 20, 16, 0, tzinfo=UTC))
    later = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    assert club.retry_due(later) + club.retry_due(later) == 1
    assert len(mail.outbox) == 1


def test_club_news_without_consent_is_blocked_not_deferred(channel):
    log = club.send(news(), T0 + timedelta(hours=1))
    assert log.status == MessageStatus.BLOCKED
    assert mail.outbox == []


def test_queued_expiry_reminder_reaches_the_member_once_through_club_messaging(
    channel, opted_in, program, make_order, django_user_model
):
    # given a member with 150 points expiring, consent, and club messages switched on
    channel.club_messages_enabled = True
    channel.save()
    opted_in()
    member = django_user_model.objects.create(username="dana", email="dana@example.co.il")
    lot = ledger.sync_order(make_order(user=member)).earned
    notice = lot.expires_at - timedelta(days=10, hours=12)
    expiry.queue_expiry_reminders(now=notice)

    # when the reminder job runs twice
    handed = [expiry.send_expiry_reminders(now=notice + timedelta(minutes=1)) for _ in range(2)]

    # then one email went out, with the ad label and the local expiry date
    assert handed == [1, 0]
    assert len(mail.outbox) == 1
    assert (
        mail.outbox[0].subject == "פרסומת: 150 נקודות יפוגו בקרוב"
    )  # no language on file: the channel's Hebrew
    assert "2027-03-10" in mail.outbox[0].body


def test_expiry_reminder_without_club_messages_is_handled_without_a_message(
    channel, opted_in, program, make_order, django_user_model
):
    opted_in()
    member = django_user_model.objects.create(username="dana", email="dana@example.co.il")
    lot = ledger.sync_order(make_order(user=member)).earned
    notice = lot.expires_at - timedelta(days=10, hours=12)
    expiry.queue_expiry_reminders(now=notice)

    assert expiry.send_expiry_reminders(now=notice) == 0
    assert mail.outbox == []
    assert not ExpiryReminder.objects.filter(sent_at__isnull=True).exists()


def test_tier_upgrade_news_is_told_once_and_history_is_never_mailed(
    channel, opted_in, program, make_order, django_user_model
):
    # given club news switched on, and a Gold upgrade that happened before the job first ran
    channel.club_messages_enabled = True
    channel.save()
    opted_in()
    tiers.ensure_default_tiers(program)
    member = django_user_model.objects.create(username="dana", email="dana@example.co.il")
    ledger.sync_order(make_order(lines=(("Sofa", "2100.00"),), shipping="0", user=member))
    tuesday = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert club_news.send_club_news(now=tuesday).written == 0

    # when a later order makes her Platinum and the job runs twice
    ledger.sync_order(make_order(lines=(("Kitchen", "4000.00"),), shipping="0", user=member))
    runs = [club_news.send_club_news(now=tuesday + hours(1)) for _ in range(2)]

    # then one message tells her about Platinum
    assert [run.written for run in runs] == [1, 0]
    assert len(mail.outbox) == 1
    assert "פלטינום" in mail.outbox[0].subject  # the tier's Hebrew name in the channel's language


def test_credited_cashback_news_tells_the_amount(
    channel, opted_in, program, make_order, cards, django_user_model
):
    channel.club_messages_enabled = True
    channel.save()
    opted_in()
    program.cashback_percent, program.pending_days = 2, 0
    program.save()
    member = django_user_model.objects.create(username="dana", email="dana@example.co.il")
    tuesday = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    club_news.send_club_news(now=tuesday)  # the job's first run starts from now on

    cashback.sync_order_cashback(make_order(user=member), cards, now=tuesday)
    run = club_news.send_club_news(now=tuesday + hours(1))

    assert run.written == 1
    assert "3.00 ILS" in mail.outbox[0].subject
