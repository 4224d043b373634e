"""Club messages (news, expiry reminders) are retried after a dead worker, by one worker only."""

import time
from datetime import timedelta

import pytest
from django.core import mail

from saleor_loyalty import ledger
from saleor_loyalty.ledger import expiry
from saleor_loyalty.messages import club, pipeline
from saleor_loyalty.models import ExpiryReminder, Medium, MessageLog, MessageStatus
from tests.concurrency import run_concurrently
from tests.engine.recovery.shop import T0


class WorkerDied(BaseException):
    """A worker killed mid-job (not an Exception: nothing in the code under test may catch it)."""


def die(*args, **kwargs):
    raise WorkerDied


def tier_news():
    return pipeline.Outgoing(
        category="tier_upgrade",
        medium=Medium.EMAIL,
        channel_slug="il",
        address="dana@example.co.il",
        language_code="en",
        context={"tier": "Gold"},
    )


def test_expiry_reminder_whose_worker_died_after_the_claim_is_sent_once_by_the_beat(
    channel, opted_in, program, make_order, django_user_model, monkeypatch
):
    # given a queued expiry reminder, club messages on, and a worker that dies right after the claim
    channel.club_messages_enabled = True
    channel.save()
    opted_in()
    member = django_user_model.objects.create(username="dana", email="dana@example.co.il")
    lot = ledger.sync_order(make_order(user=member)).earned
    notice = lot.expires_at - timedelta(days=10, hours=12)
    expiry.queue_expiry_reminders(now=notice)
    monkeypatch.setattr(club, "deliver", die)
    with pytest.raises(WorkerDied):
        expiry.send_expiry_reminders(now=notice)
    monkeypatch.undo()

    # then the reminder is handed over and its message claimed, both committed; nothing was sent
    assert not ExpiryReminder.objects.filter(sent_at__isnull=True).exists()
    assert MessageLog.objects.get().status == MessageStatus.CLAIMED

    # when the reminder job runs again and the messaging beat runs inside and after the lease
    assert expiry.send_expiry_reminders(now=notice + timedelta(minutes=1)) == 0
    runs = [club.retry_due(notice + timedelta(minutes=m)) for m in (5, 11, 20)]

    # then exactly one email
    assert runs == [0, 1, 0]
    assert len(mail.outbox) == 1
    assert "150" in mail.outbox[0].subject


def test_smtp_failure_is_retried_and_a_refusal_is_failed(channel, opted_in, monkeypatch):
    import smtplib

    from django.core.mail.backends.locmem import EmailBackend

    opted_in()
    send = EmailBackend.send_messages
    failures = [
        smtplib.SMTPServerDisconnected("connection lost"),
        smtplib.SMTPRecipientsRefused({"dana@example.co.il": (550, b"no such user")}),
    ]

    def flaky(self, messages):
        raise failures.pop(0)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    first = club.send(tier_news(), T0)
    assert (first.status, first.attempts) == (MessageStatus.CLAIMED, 1)
    club.retry_due(T0 + timedelta(minutes=11))
    monkeypatch.setattr(EmailBackend, "send_messages", send)

    first.refresh_from_db()
    assert (first.status, first.attempts) == (MessageStatus.FAILED, 2)
    assert first.reason.startswith("SMTPRecipientsRefused")
    assert club.retry_due(T0 + timedelta(minutes=30)) == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_retrying_a_stale_club_claim_send_it_once(channel, opted_in, monkeypatch):
    # given a club message whose worker died after claiming it, and a slow pipeline
    # (widening the window in which two workers that both took the claim would both send)
    opted_in()
    monkeypatch.setattr(club, "deliver", die)
    with pytest.raises(WorkerDied):
        club.send(tier_news(), T0)
    monkeypatch.undo()
    deliver = pipeline.deliver

    def slow_deliver(*args, **kwargs):
        time.sleep(0.3)
        return deliver(*args, **kwargs)

    monkeypatch.setattr(pipeline, "deliver", slow_deliver)

    # when four workers run the retry at once after the lease
    run_concurrently(lambda _: club.retry_due(T0 + timedelta(minutes=11)), 4)

    # then one email and one SENT row, attempt 2
    assert len(mail.outbox) == 1
    log = MessageLog.objects.get()
    assert (log.status, log.attempts) == (MessageStatus.SENT, 2)
