"""Over an open SMTP connection a campaign's emails are written by `lean_mime`: for the same recipient, the
same headers and parts, byte for byte, as Django's EmailMultiAlternatives (so the fast path cannot drift)."""

import re
import smtplib
from unittest import mock

import pytest
from django.core.mail.backends.smtp import EmailBackend
from django.core.mail.message import sanitize_address

from saleor_loyalty.insights import campaign_sending, campaigns
from saleor_loyalty.messages import batch, pipeline
from saleor_loyalty.models import MessageStatus

from .conftest import T0, content


class RecordingSmtp(smtplib.SMTP):
    """An SMTP session that keeps what it is handed instead of opening a socket."""

    def __init__(self):
        super().__init__()
        self.sent = []

    def sendmail(self, from_addr, to_addrs, msg, mail_options=(), rcpt_options=()):
        self.sent.append((from_addr, to_addrs, msg))
        return {}


def _normalised(data: bytes) -> bytes:
    """Django's random boundary and the Date's second are the only parts that differ from run to run."""
    boundary = re.search(rb'boundary="([^"]+)"', data).group(1)
    data = data.replace(boundary, b"BOUNDARY")
    return re.sub(rb"\r\nDate: [^\r]+\r\n", b"\r\nDate: -\r\n", data)


def _send_over_smtp(campaign):
    """One batch over a Django SMTP backend whose session records; each email's gate-passed parts kept."""
    backend = EmailBackend(host="127.0.0.1", port=25)
    backend.connection = RecordingSmtp()
    handed = []
    regular_add = batch.Outbox.add

    def recording_add(outbox, message, log, config, rendered, connection):
        handed.append((message, log, config, rendered))
        return regular_add(outbox, message, log, config, rendered, connection)

    campaign_sending.start_due(T0)
    campaign_sending.enrol(campaign.pk, T0)
    with mock.patch.object(batch.Outbox, "add", recording_add):
        report = campaign_sending.send_batch(campaign.pk, T0, smtp=backend)
    return report, handed, backend.connection.sent


@pytest.mark.parametrize(
    "body",
    [
        "שלום {first_name}, יש לך {points} נקודות. https://shop.example.co.il/sale",
        "Hi {first_name}!\n\nA long, plain ASCII paragraph "
        + "that goes on " * 20
        + "(https://shop.example/a).",
        "קו ארוך " + "מאוד " * 250,  # a line over 998 bytes: Django encodes it quoted-printable
    ],
)
def test_the_lean_email_equals_djangos_for_the_same_recipient(channel, member, make_campaign, body):
    # given two members (one with a Hebrew first name) and a campaign with a tracked link
    member("a@example.co.il", first_name="אבי", balance=120)
    member("b@example.co.il", first_name="Bat", balance=5)
    campaign = make_campaign(variants=[campaigns.VariantSpec("A", content(body=body))])

    # when the batch goes out over an open SMTP connection
    report, handed, sent = _send_over_smtp(campaign)

    # then each message's bytes equal what Django makes of the same gate-passed email
    assert (report.sent, len(sent), len(handed)) == (2, 2, 2)
    for (message, log, config, rendered), (from_addr, to_addrs, data) in zip(handed, sent, strict=True):
        email = pipeline.email_message(message, log, config, rendered, None)
        expected = email.message().as_bytes(linesep="\r\n")
        assert _normalised(data).decode() == _normalised(expected).decode()
        assert from_addr == sanitize_address(email.from_email, "utf-8")
        assert to_addrs == [sanitize_address(message.address, "utf-8")]
        assert log.status == MessageStatus.SENT
        assert f"Message-ID: {pipeline.message_id(log, config.sender_email)}".encode() in data
        assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in data


def test_an_smtp_failure_leaves_the_claim_for_the_retry(channel, member, make_campaign):
    # given a member and a server that drops the connection
    member("a@example.co.il", first_name="Avi", balance=100)
    campaign = make_campaign()
    campaign_sending.start_due(T0)
    campaign_sending.enrol(campaign.pk, T0)
    backend = EmailBackend(host="127.0.0.1", port=25)
    backend.connection = RecordingSmtp()

    # when the batch goes out, the failure is the row's business: still CLAIMED, with a new lease and reason
    failing = mock.patch.object(RecordingSmtp, "sendmail", side_effect=smtplib.SMTPServerDisconnected("gone"))
    with failing:
        report = campaign_sending.send_batch(campaign.pk, T0, smtp=backend)
    assert report.sent == 0
    log = campaign.recipients.get().message
    assert log.status == MessageStatus.CLAIMED
    assert "SMTPServerDisconnected" in log.reason


def test_a_refusal_in_the_middle_of_a_batch_fails_only_that_row(channel, member, make_campaign):
    # given three members, the server refusing the second one's address for good
    for address in ("a@example.co.il", "b@example.co.il", "c@example.co.il"):
        member(address, first_name="Avi", balance=100)
    campaign = make_campaign()
    campaign_sending.start_due(T0)
    campaign_sending.enrol(campaign.pk, T0)
    backend = EmailBackend(host="127.0.0.1", port=25)
    backend.connection = RecordingSmtp()
    regular_sendmail = RecordingSmtp.sendmail

    def refusing(smtp, from_addr, to_addrs, msg, *args):
        if to_addrs == ["b@example.co.il"]:
            raise smtplib.SMTPRecipientsRefused({"b@example.co.il": (550, b"no such user")})
        return regular_sendmail(smtp, from_addr, to_addrs, msg, *args)

    # when the batch goes out (all its messages made first, then sent back to back)
    with mock.patch.object(RecordingSmtp, "sendmail", refusing):
        report = campaign_sending.send_batch(campaign.pk, T0, smtp=backend)

    # then the others are sent and the refused row is FAILED with the reason, never marked sent
    assert report.sent == 2
    assert [to for _, to, _ in backend.connection.sent] == [["a@example.co.il"], ["c@example.co.il"]]
    logs = {r.account.email: r.message for r in campaign.recipients.select_related("message", "account")}
    assert logs["a@example.co.il"].status == logs["c@example.co.il"].status == MessageStatus.SENT
    refused = logs["b@example.co.il"]
    assert refused.status == MessageStatus.FAILED
    assert "SMTPRecipientsRefused" in refused.reason
    assert refused.sent_at is None
    assert refused.provider_message_id == ""
    assert refused.lease_until is None
