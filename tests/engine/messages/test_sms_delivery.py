"""The HTTP SMS backend against a fake provider on 127.0.0.1: one message per log row, always."""

from datetime import timedelta

import pytest

from saleor_loyalty.messages import club, leases, pipeline
from saleor_loyalty.models import Medium, MessageLog, MessageStatus
from tests.engine.recovery.shop import T0

PHONE = "+972501234567"
AFTER_LEASE = T0 + timedelta(minutes=11)


def tier_news_by_sms():
    return pipeline.Outgoing(
        category="tier_upgrade",
        medium=Medium.SMS,
        channel_slug="il",
        address=PHONE,
        language_code="en",
        context={"tier": "Gold"},
    )


@pytest.fixture
def sms_consent(opted_in):
    opted_in(PHONE, medium=Medium.SMS)


def test_sms_is_posted_once_with_the_log_rows_idempotency_key(channel, sms_consent, sms_provider):
    # when a club SMS is sent
    log = club.send(tier_news_by_sms(), T0)

    # then the provider got one JSON POST with the deployment's key and sender and the row's key
    assert log.status == MessageStatus.SENT, log.reason
    [request] = sms_provider.requests
    assert request["headers"]["Idempotency-Key"] == leases.idempotency_key(log)
    assert request["headers"]["Authorization"] == "Bearer test-api-key"
    assert request["body"]["to"] == PHONE
    assert request["body"]["sender"] == "DanaShop"
    assert request["body"]["text"].startswith("פרסומת")
    # and the log keeps the provider's id, and says SENT only now
    assert log.provider_message_id == "prov-1"
    assert log.sent_at == T0
    assert log.lease_until is None


def test_provider_5xx_leaves_the_message_claimed_and_the_retry_sends_it_once(
    channel, sms_consent, sms_provider
):
    # given the provider fails the first request with a 503
    sms_provider.replies = [503]
    log = club.send(tier_news_by_sms(), T0)
    assert log.status == MessageStatus.CLAIMED
    assert "HTTP 503" in log.reason

    # when the beat runs inside the lease, and again after it
    assert club.retry_due(T0 + timedelta(minutes=5)) == 0
    assert club.retry_due(AFTER_LEASE) == 1
    assert club.retry_due(AFTER_LEASE + timedelta(minutes=30)) == 0

    # then one SENT row, two requests under the same key, one message delivered
    log.refresh_from_db()
    assert (log.status, log.attempts, log.reason) == (MessageStatus.SENT, 2, "")
    assert [r["headers"]["Idempotency-Key"] for r in sms_provider.requests] == [
        leases.idempotency_key(log)
    ] * 2
    assert len(sms_provider.delivered) == 1
    assert MessageLog.objects.filter(status=MessageStatus.SENT).count() == 1


def test_provider_4xx_fails_the_message_with_the_reason_and_never_retries(channel, sms_consent, sms_provider):
    sms_provider.replies = [422]

    log = club.send(tier_news_by_sms(), T0)

    assert log.status == MessageStatus.FAILED
    assert log.reason.startswith("SmsRejected: HTTP 422")
    assert club.retry_due(AFTER_LEASE) == 0
    assert len(sms_provider.requests) == 1


def test_provider_timeout_is_retryable(channel, sms_consent, sms_provider):
    # given a provider slower than the backend's timeout (0.5 s in this test)
    sms_provider.replies = ["slow"]

    log = club.send(tier_news_by_sms(), T0)

    assert log.status == MessageStatus.CLAIMED
    assert "provider unreachable" in log.reason
    assert club.retry_due(AFTER_LEASE) == 1


def test_a_message_the_provider_keeps_failing_is_failed_after_the_last_attempt(
    channel, sms_consent, sms_provider, settings
):
    settings.LOYALTY_MESSAGE_MAX_ATTEMPTS = 3
    sms_provider.replies = [500, 502, 503, 200]

    log = club.send(tier_news_by_sms(), T0)
    for minutes in (11, 22, 33):
        club.retry_due(T0 + timedelta(minutes=minutes))

    log.refresh_from_db()
    assert log.status == MessageStatus.FAILED
    assert log.reason.startswith("gave up after 3 attempts: SmsUnavailable: HTTP 503")
    assert len(sms_provider.requests) == 3
    assert sms_provider.delivered == {}


class WorkerDied(BaseException):
    """A worker killed mid-job (not an Exception: nothing in the code under test may catch it)."""


def test_worker_dying_after_the_provider_accepted_never_delivers_twice(
    channel, sms_consent, sms_provider, monkeypatch
):
    # given the provider accepts the SMS but the worker dies before the log says SENT
    accepted = pipeline._accepted

    def die(*args, **kwargs):
        raise WorkerDied

    monkeypatch.setattr(pipeline, "_accepted", die)
    with pytest.raises(WorkerDied):
        club.send(tier_news_by_sms(), T0)
    monkeypatch.setattr(pipeline, "_accepted", accepted)
    assert MessageLog.objects.get().status == MessageStatus.CLAIMED

    # when the beat retries it after the lease
    assert club.retry_due(AFTER_LEASE) == 1

    # then the provider saw the same key twice and delivered one message; the row is SENT
    assert len(sms_provider.requests) == 2
    assert len(sms_provider.delivered) == 1
    assert MessageLog.objects.get().status == MessageStatus.SENT


def test_worker_dying_between_claim_and_send_sends_exactly_one_sms_after_the_lease(
    channel, sms_consent, sms_provider, monkeypatch
):
    # given a worker that claimed the SMS and died before calling the provider
    monkeypatch.setattr(club, "deliver", lambda *args: (_ for _ in ()).throw(WorkerDied()))
    with pytest.raises(WorkerDied):
        club.send(tier_news_by_sms(), T0)
    monkeypatch.undo()

    # when the beat runs inside the lease, after it, and again
    runs = [club.retry_due(at) for at in (T0 + timedelta(minutes=9), AFTER_LEASE, AFTER_LEASE)]

    # then exactly one request reached the provider, under the row's key
    assert runs == [0, 1, 0]
    [request] = sms_provider.requests
    log = MessageLog.objects.get()
    assert request["headers"]["Idempotency-Key"] == leases.idempotency_key(log)
    assert (log.status, log.attempts) == (MessageStatus.SENT, 2)
