"""At-least-once, never twice: reminders whose worker died are retried after their lease."""

import time
from datetime import UTC, datetime

import pytest
from django.core import mail

from saleor_loyalty.messages import consent, leases, pipeline
from saleor_loyalty.models import Medium, MessageLog, MessageStatus
from saleor_loyalty.recovery import abandonment, attribution, sequences
from tests.concurrency import run_concurrently

from .flows import tick
from .shop import T0, hours


class WorkerDied(BaseException):
    """A worker killed mid-job (not an Exception: nothing in the code under test may catch it)."""


def die_before_sending(monkeypatch):
    def die(*args):
        raise WorkerDied

    monkeypatch.setattr(sequences, "_send", die)


def claim_and_die(shop, at, monkeypatch) -> MessageLog:
    """The first step is claimed (committed) by a worker that dies before it sends."""
    abandonment.sweep(shop, at)
    die_before_sending(monkeypatch)
    with pytest.raises(WorkerDied):
        sequences.process_due(shop, at)
    monkeypatch.undo()
    return MessageLog.objects.get(status=MessageStatus.CLAIMED)


def test_reminder_claimed_by_a_worker_that_died_is_sent_once_after_the_lease(
    channel, shop, opted_in, monkeypatch
):
    # given a due reminder claimed by a worker that died before sending it
    opted_in()
    shop.add_checkout()
    claimed = claim_and_die(shop, T0 + hours(1.1), monkeypatch)
    assert mail.outbox == []

    # when the beat runs inside the lease, after it, and again later
    sent = [tick(shop, at) for at in (T0 + hours(1.2), T0 + hours(1.3), T0 + hours(2))]

    # then the reminder went out exactly once, from the claimed row, with that row's Message-ID
    assert sent == [0, 1, 1]
    claimed.refresh_from_db()
    assert (claimed.status, claimed.attempts) == (MessageStatus.SENT, 2)
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<{leases.idempotency_key(claimed)}@example.co.il>"
    assert mail.outbox[0].subject.startswith("פרסומת")
    assert MessageLog.objects.filter(status=MessageStatus.SENT).count() == 1


def test_retry_rechecks_consent_and_sends_nothing_to_someone_who_unsubscribed(
    channel, shop, opted_in, monkeypatch
):
    opted_in()
    shop.add_checkout()
    claimed = claim_and_die(shop, T0 + hours(1.1), monkeypatch)

    # the person unsubscribes while the claim waits
    consent.suppress(Medium.EMAIL, "dana@example.co.il")
    tick(shop, T0 + hours(1.3))

    claimed.refresh_from_db()
    assert claimed.status == MessageStatus.CANCELLED
    assert mail.outbox == []


def test_retry_rechecks_purchase(channel, shop, opted_in, monkeypatch):
    opted_in()
    cart = shop.add_checkout()
    claimed = claim_and_die(shop, T0 + hours(1.1), monkeypatch)

    shop.place_order(email="dana@example.co.il", at=T0 + hours(1.15), checkout_token=cart.token)
    tick(shop, T0 + hours(1.3))

    claimed.refresh_from_db()
    assert claimed.status == MessageStatus.CANCELLED
    assert mail.outbox == []


def test_retry_that_falls_on_shabbat_waits_for_saturday_night(channel, shop, opted_in, monkeypatch):
    # given a reminder claimed at 13:55 on Friday (Israel) by a worker that died
    opted_in()
    friday = datetime(2026, 11, 20, 11, 55, tzinfo=UTC)
    shop.add_checkout(changed_at=friday - hours(1))
    claimed = claim_and_die(shop, friday, monkeypatch)

    # when its lease runs out after Shabbat began, nothing goes; after Shabbat it does, once
    assert tick(shop, friday + hours(0.25)) == 0
    claimed.refresh_from_db()
    assert "Shabbat" in claimed.reason
    assert tick(shop, datetime(2026, 11, 21, 18, 55, tzinfo=UTC)) == 0
    assert tick(shop, datetime(2026, 11, 21, 19, 1, tzinfo=UTC)) == 1
    assert tick(shop, datetime(2026, 11, 21, 20, 0, tzinfo=UTC)) == 1
    # and the next step, due by then too, keeps the 16 h gap from that late send, not from the claim
    assert MessageLog.objects.filter(
        status=MessageStatus.DEFERRED, step=1, reason__startswith="one marketing email per 16 h"
    ).exists()


def test_last_step_retry_offers_the_same_voucher(channel, shop, opted_in, monkeypatch):
    # given a one-step plan with an incentive, and a provider that fails the first attempt
    channel.steps = [{"after_minutes": 60, "medium": "email"}]
    channel.last_step_discount_percent = 10
    channel.save()
    opted_in()
    shop.add_checkout()
    sent = pipeline._accepted

    def provider_down(log, *args, **kwargs):
        return pipeline._provider_failed(log, ConnectionError("SMTP down"), False, "", "", T0)

    monkeypatch.setattr(pipeline, "_accepted", provider_down)
    tick(shop, T0 + hours(1.1))
    monkeypatch.setattr(pipeline, "_accepted", sent)

    # when the retry sends it
    tick(shop, T0 + hours(1.4))

    # then one voucher exists and both attempts carried it
    assert len(shop.vouchers) == 1
    assert [shop.vouchers[0][0] in m.body for m in mail.outbox] == [True, True]
    assert MessageLog.objects.get().status == MessageStatus.SENT


def test_a_logged_sms_reminder_is_not_counted_as_sent_nor_credited_with_the_order(channel, shop, opted_in):
    # given an SMS plan, no SMS provider configured (the logging backend), and an order after the reminder
    channel.steps = [{"after_minutes": 60, "medium": "sms"}]
    channel.save()
    opted_in("+972501234567", medium=Medium.SMS)
    cart = shop.add_checkout(phone="+972501234567")
    tick(shop, T0 + hours(1.1))
    order = shop.place_order(email="dana@example.co.il", at=T0 + hours(3), checkout_token=cart.token)
    attribution.record_order(order, T0 + hours(3))

    # then the log says LOGGED, and the dashboard neither counts it as sent nor credits it a recovery
    assert MessageLog.objects.get().status == MessageStatus.LOGGED
    stats = attribution.stats("il", T0, T0 + hours(24))
    assert (stats.reminders_sent, stats.recovered_count) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_two_workers_retrying_the_same_stale_claim_send_it_once(channel, shop, opted_in, monkeypatch):
    # given a claim left by a dead worker, and a slow Saleor lookup before each send
    # (widening the window in which two workers that both took the claim would both send)
    opted_in()
    shop.add_checkout()
    claim_and_die(shop, T0 + hours(1.1), monkeypatch)
    shop.before_order_lookup = lambda: time.sleep(0.3)

    # when four workers run the beat at once after the lease
    run_concurrently(lambda _: sequences.process_due(shop, T0 + hours(1.3)), 4)

    # then one email, one SENT row
    assert len(mail.outbox) == 1
    assert MessageLog.objects.get().status == MessageStatus.SENT
