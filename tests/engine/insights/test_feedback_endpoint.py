"""The providers' feedback endpoint: authenticated, strict, idempotent, and it writes nothing it refused."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from django.core import mail
from django.test import RequestFactory

from saleor_loyalty.insights import campaign_results, campaign_sending, campaigns, feedback_endpoint
from saleor_loyalty.messages import consent, pipeline
from saleor_loyalty.models import (
    CampaignRecipient,
    FeedbackNotice,
    Medium,
    RecipientStatus,
    Suppression,
    TrackingEvent,
)

from .conftest import T0, content

SECRET = "whsec-test-0123456789"
NOW = T0 + timedelta(hours=1)
TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-feedback"
CERT_URL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem"


@pytest.fixture
def sent(channel, member, make_campaign, settings):
    """One campaign email sent to Avi; the webhook's secret configured."""
    settings.LOYALTY_FEEDBACK_WEBHOOK_SECRET = SECRET
    account = member("avi@example.co.il", first_name="Avi")
    campaign = make_campaign(variants=[campaigns.VariantSpec("A", content())])
    campaign_sending.run(T0)
    log = CampaignRecipient.objects.get().message
    return campaign, account, log, pipeline.message_id(log, channel.sender_email)


def webhook(payload, *, secret=SECRET, stamp=None, body=None, content_type="application/json", method="post"):
    body = body if body is not None else json.dumps(payload).encode()
    stamp = int(NOW.timestamp()) if stamp is None else stamp
    request = RequestFactory().generic(
        method.upper(),
        "/plugins/global/saleor.loyalty/feedback/webhook/",
        data=body,
        content_type=content_type,
        HTTP_X_LOYALTY_TIMESTAMP=str(stamp),
        HTTP_X_LOYALTY_SIGNATURE=feedback_endpoint.sign(secret, stamp, body),
    )
    response = feedback_endpoint.handle(request, "/feedback/webhook/", now=NOW)
    return response.status_code, json.loads(response.content)


def nothing_written():
    return not (
        FeedbackNotice.objects.exists() or TrackingEvent.objects.exists() or Suppression.objects.exists()
    )


def test_a_signed_complaint_suppresses_the_person_and_counts_once(sent):
    campaign, account, _, message_id = sent
    complaint = {"event": "complaint", "message_id": message_id, "email": "Avi@Example.co.il"}

    assert webhook(complaint) == (200, {"recorded": True})
    assert webhook(complaint) == (200, {"recorded": False})  # the provider posted it again

    assert consent.current_state("il", Medium.EMAIL, account.email).suppressed
    assert Suppression.objects.get().reason == "complaint"
    [group] = campaign_results.results(campaign).variants
    assert (group.complaints, group.bounces, group.soft_bounces, group.unsubscribed) == (1, 0, 0, 1)
    assert TrackingEvent.objects.count() == 1


def test_a_hard_bounce_suppresses_and_later_campaigns_skip_the_address(sent, make_campaign):
    campaign, account, _, message_id = sent
    assert webhook({"event": "bounce", "message_id": message_id}) == (200, {"recorded": True})
    assert Suppression.objects.get().reason == "bounce"
    assert campaign_results.results(campaign).variants[0].bounces == 1

    # when the next campaign goes out, the bounced address gets nothing
    mail.outbox.clear()
    later = make_campaign(name="Later", schedule_at=T0 + timedelta(days=2))
    campaign_sending.run(T0 + timedelta(days=2))
    recipient = CampaignRecipient.objects.get(campaign=later)
    assert (recipient.status, recipient.reason, mail.outbox) == (RecipientStatus.SKIPPED, "unsubscribed", [])


def test_a_soft_bounce_is_only_counted(sent):
    campaign, account, _, message_id = sent
    assert webhook({"event": "bounce", "bounce_type": "soft", "message_id": message_id})[0] == 200
    assert not Suppression.objects.exists()
    [group] = campaign_results.results(campaign).variants
    assert (group.bounces, group.soft_bounces) == (0, 1)


def test_an_unsubscribe_event_suppresses_with_its_reason(sent):
    _, account, _, message_id = sent
    assert webhook({"event": "unsubscribe", "message_id": message_id})[0] == 200
    assert Suppression.objects.get().reason == "unsubscribed"


def forged(message_id: str) -> str:
    local, _, domain = message_id.strip("<>").partition("@")
    return f"<{local[:-1]}{'0' if local[-1] != '0' else '1'}@{domain}>"


BAD = [
    ("wrong secret", {"secret": "not-it"}, 401, "bad_signature"),
    ("stale timestamp", {"stamp": int((NOW - timedelta(minutes=6)).timestamp())}, 401, "stale"),
    ("future timestamp", {"stamp": int((NOW + timedelta(minutes=6)).timestamp())}, 401, "stale"),
    ("not json", {"body": b"event=complaint"}, 400, "bad_json"),
    ("a list", {"body": b"[]"}, 400, "bad_json"),
    ("form encoded", {"content_type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
    ("too large", {"body": b'{"event": "' + b"x" * 70000 + b'"}'}, 413, "too_large"),
    ("GET", {"method": "get"}, 405, "method_not_allowed"),
]
BAD_PAYLOADS = [
    ("unknown event", {"event": "delivered"}, 400, "invalid_event"),
    ("unknown field", {"extra": 1}, 400, "invalid_field"),
    ("event not a string", {"event": 7}, 400, "invalid_field"),
    ("no message id", {"message_id": None}, 400, "invalid_field"),
    ("foreign message id", {"message_id": "<abc123@mail.example.com>"}, 404, "unknown_message"),
    ("bounce type on a complaint", {"bounce_type": "soft"}, 400, "invalid_field"),
    ("someone else's address", {"email": "eve@example.com"}, 422, "recipient_mismatch"),
]


@pytest.mark.parametrize(("name", "change", "status", "code"), BAD, ids=[case[0] for case in BAD])
def test_a_bad_request_is_refused_and_writes_nothing(sent, name, change, status, code):
    _, _, _, message_id = sent
    answer = webhook({"event": "complaint", "message_id": message_id}, **change)
    assert (answer[0], answer[1]["error"]["code"]) == (status, code)
    assert nothing_written()


@pytest.mark.parametrize(
    ("name", "change", "status", "code"), BAD_PAYLOADS, ids=[case[0] for case in BAD_PAYLOADS]
)
def test_a_bad_notice_is_refused_and_writes_nothing(sent, name, change, status, code):
    _, _, _, message_id = sent
    payload = {"event": "complaint", "message_id": message_id, **change}
    payload = {key: value for key, value in payload.items() if value is not None}
    answer = webhook(payload)
    assert (answer[0], answer[1]["error"]["code"]) == (status, code)
    assert nothing_written()


def test_a_tampered_message_id_tag_is_unknown(sent):
    _, _, _, message_id = sent
    answer = webhook({"event": "complaint", "message_id": forged(message_id)})
    assert (answer[0], answer[1]["error"]["code"]) == (404, "unknown_message")
    assert nothing_written()


def test_without_a_secret_the_webhook_does_not_exist(sent, settings):
    settings.LOYALTY_FEEDBACK_WEBHOOK_SECRET = ""
    _, _, _, message_id = sent
    assert webhook({"event": "complaint", "message_id": message_id})[0] == 404
    assert nothing_written()


# Amazon SES through SNS: a certificate of our own stands in for Amazon's; the signature is real RSA.


@pytest.fixture
def sns(settings, monkeypatch):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2040, 1, 1, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    fetched, confirmed = [], []
    monkeypatch.setattr(feedback_endpoint, "fetch_pem", lambda url: fetched.append(url) or pem)
    monkeypatch.setattr(feedback_endpoint, "confirm_subscription", confirmed.append)
    feedback_endpoint._public_key.cache_clear()
    settings.LOYALTY_FEEDBACK_SNS_TOPIC_ARNS = [TOPIC]
    yield key, fetched, confirmed
    feedback_endpoint._public_key.cache_clear()


def sns_message(
    key, kind="Notification", message="", *, topic=TOPIC, at=NOW, cert_url=CERT_URL, version="2", **extra
):
    data = {
        "Type": kind,
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": topic,
        "Message": message,
        "Timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "SignatureVersion": version,
        "SigningCertURL": cert_url,
        **extra,
    }
    fields = feedback_endpoint._SNS_FIELDS[kind]
    canonical = "".join(f"{name}\n{data[name]}\n" for name in fields if name in data)
    data["Signature"] = base64.b64encode(
        key.sign(canonical.encode(), padding.PKCS1v15(), hashes.SHA256() if version == "2" else hashes.SHA1())
    ).decode()
    return data


def ses_notice(message_id, kind="Bounce", bounce_type="Permanent", email="avi@example.co.il"):
    mail_part = {"messageId": "0100018c-ses-id", "commonHeaders": {"messageId": message_id}}
    if kind == "Bounce":
        detail = {"bounce": {"bounceType": bounce_type, "bouncedRecipients": [{"emailAddress": email}]}}
    else:
        detail = {"complaint": {"complainedRecipients": [{"emailAddress": email}]}}
    return json.dumps({"notificationType": kind, "mail": mail_part, **detail})


def post_ses(data, tamper=None):
    body = json.dumps(data).encode()
    if tamper:
        body = tamper(body)
    request = RequestFactory().post(
        "/plugins/global/saleor.loyalty/feedback/ses/", data=body, content_type="text/plain; charset=UTF-8"
    )
    response = feedback_endpoint.handle(request, "/feedback/ses/", now=NOW)
    return response.status_code, json.loads(response.content)


def test_ses_bounces_and_complaints_are_recorded_once(sent, sns):
    key, fetched, _ = sns
    campaign, _, _, message_id = sent
    bounce = sns_message(key, message=ses_notice(message_id, bounce_type="Transient"))
    assert post_ses(bounce) == (200, {"recorded": True})
    assert post_ses(bounce) == (200, {"recorded": False})
    complaint = sns_message(key, message=ses_notice(message_id, kind="Complaint"))
    assert post_ses(complaint) == (200, {"recorded": True})
    [group] = campaign_results.results(campaign).variants
    assert (group.complaints, group.bounces, group.soft_bounces) == (1, 0, 1)
    assert Suppression.objects.get().reason == "complaint"
    assert fetched == [CERT_URL]  # fetched once, then cached


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_permanent_ses_bounce_suppresses(sent, sns, version):
    key, _, _ = sns
    _, _, _, message_id = sent
    assert post_ses(sns_message(key, message=ses_notice(message_id), version=version))[0] == 200
    assert Suppression.objects.get().reason == "bounce"


def test_a_subscription_is_confirmed_only_when_signed(sent, sns):
    key, _, confirmed = sns
    url = "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=abc"
    data = sns_message(key, "SubscriptionConfirmation", "confirm", SubscribeURL=url, Token="abc")
    assert post_ses(data) == (200, {"confirmed": True})
    assert confirmed == [url]
    data["SubscribeURL"] = "https://evil.example.com/"
    assert post_ses(data)[0] == 401
    assert confirmed == [url]


SES_BAD = [
    ("other topic", {"topic": "arn:aws:sns:eu-west-1:999999999999:theirs"}, 403, "unknown_topic"),
    ("certificate elsewhere", {"cert_url": "https://sns.evil.example.com/x.pem"}, 401, "bad_signature"),
    ("certificate over http", {"cert_url": CERT_URL.replace("https", "http")}, 401, "bad_signature"),
    ("too old", {"at": NOW - timedelta(hours=2)}, 401, "stale"),
    ("unknown signature version", {"version": "3"}, 401, "bad_signature"),
]


@pytest.mark.parametrize(("name", "change", "status", "code"), SES_BAD, ids=[case[0] for case in SES_BAD])
def test_a_bad_sns_message_is_refused_and_writes_nothing(sent, sns, name, change, status, code):
    key, _, _ = sns
    _, _, _, message_id = sent
    answer = post_ses(sns_message(key, message=ses_notice(message_id), **change))
    assert (answer[0], answer[1]["error"]["code"]) == (status, code)
    assert nothing_written()


def test_a_tampered_sns_message_fails_its_signature(sent, sns):
    key, _, _ = sns
    _, _, _, message_id = sent
    data = sns_message(key, message=ses_notice(message_id))
    data["Message"] = ses_notice(message_id, kind="Complaint")
    answer = post_ses(data)
    assert (answer[0], answer[1]["error"]["code"]) == (401, "bad_signature")
    assert nothing_written()


def test_an_ses_notice_for_someone_else_writes_nothing(sent, sns):
    key, _, _ = sns
    _, _, _, message_id = sent
    answer = post_ses(sns_message(key, message=ses_notice(message_id, email="eve@example.com")))
    assert (answer[0], answer[1]["error"]["code"]) == (422, "recipient_mismatch")
    assert nothing_written()
