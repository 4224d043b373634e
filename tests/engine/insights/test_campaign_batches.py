"""Campaign batches: the same number of queries whatever the batch's size, consent read again at send time,
and a worker that dies after sending but before writing the results leaves claims the retry finishes under
the same Message-ID."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from saleor_loyalty.insights import campaign_sending
from saleor_loyalty.messages import club, consent
from saleor_loyalty.models import AudienceKind, Medium, MessageLog, MessageStatus

from .conftest import T0


def _send_one_batch(campaign) -> tuple[campaign_sending.SendReport, int]:
    campaign_sending.start_due(T0)
    campaign_sending.enrol(campaign.pk, T0)
    with CaptureQueriesContext(connection) as queries:
        report = campaign_sending.send_batch(campaign.pk, T0, limit=100)
    return report, len(queries)


def test_a_batch_costs_the_same_queries_whatever_its_size(channel, club, member, make_campaign):
    # given three Gold members and twelve Platinum members (first name, points and tier merged in)
    for i in range(3):
        member(f"g{i}@example.co.il", tier="Gold", first_name=f"G{i}", balance=10 * i)
    for i in range(12):
        member(f"p{i}@example.co.il", tier="Platinum", first_name=f"P{i}", balance=10 * i)

    # when a campaign goes to each tier in one batch
    def to(tier):
        ids = [club.tiers.get(name=tier).pk]
        return make_campaign(audience_kind=AudienceKind.TIERS, audience_tier_ids=ids, name=tier)

    small, small_queries = _send_one_batch(to("Gold"))
    large, large_queries = _send_one_batch(to("Platinum"))

    # then each batch sent all it claimed, in the same number of statements
    assert (small.sent, large.sent) == (3, 12)
    assert small_queries == large_queries, (small_queries, large_queries)


def test_an_unsubscribe_between_claim_and_send_blocks_the_message(channel, member, make_campaign):
    # given two members claimed in one batch
    member("a@example.co.il")
    member("b@example.co.il")
    campaign = make_campaign()
    campaign_sending.start_due(T0)
    campaign_sending.enrol(campaign.pk, T0)
    with transaction.atomic():
        config, claims = campaign_sending._claim(campaign.pk, T0, 10, campaign_sending.SendReport())
    assert len(claims) == 2

    # when one unsubscribes before the batch goes out
    consent.suppress(Medium.EMAIL, "b@example.co.il")
    with mock.patch.object(campaign_sending, "_claim", return_value=(config, claims)):
        report = campaign_sending.send_batch(campaign.pk, T0)

    # then only the other gets it, and the blocked row says why
    assert report.sent == 1
    assert [m.to for m in mail.outbox] == [["a@example.co.il"]]
    blocked = MessageLog.objects.get(recipient="b@example.co.il")
    assert (blocked.status, blocked.reason, blocked.lease_until) == (
        MessageStatus.BLOCKED,
        "unsubscribed",
        None,
    )


def test_a_worker_dying_before_writing_results_is_retried_under_the_same_message_id(
    channel, member, make_campaign
):
    # given a batch whose messages the server accepted, but whose worker died before writing that down
    member("a@example.co.il", first_name="Avi", balance=100)
    member("b@example.co.il", first_name="Bat", balance=50)
    make_campaign()
    died = mock.Mock(**{"update_rows.side_effect": RuntimeError("worker died")})
    with mock.patch("saleor_loyalty.messages.batch.bulk", died), pytest.raises(RuntimeError):
        campaign_sending.run(T0)
    first = {m.to[0]: m.extra_headers["Message-ID"] for m in mail.outbox}
    assert len(first) == 2
    assert set(MessageLog.objects.values_list("status", flat=True)) == {MessageStatus.CLAIMED}

    # when the campaign job runs again before the lease ends, nothing is sent twice
    campaign_sending.run(T0 + timedelta(minutes=1))
    assert len(mail.outbox) == 2

    # and when the lease runs out, the messaging beat sends each again under the same Message-ID
    assert club.retry_due(T0 + timedelta(minutes=11)) == 2
    again = {m.to[0]: m.extra_headers["Message-ID"] for m in mail.outbox[2:]}
    assert again == first
    assert set(MessageLog.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
