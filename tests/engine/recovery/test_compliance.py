from pathlib import Path

from django.core import mail

from saleor_loyalty.messages import consent, pipeline
from saleor_loyalty.messages.sms import LoggingSmsBackend
from saleor_loyalty.models import Medium, MessageLog, MessageStatus

from .shop import T0

CART = {
    "lines": [{"name": "חולצה", "quantity": 1, "total": "120.00"}],
    "total": "120",
    "currency": "ILS",
    "restore_url": "https://shop.example.co.il/cart/restore/abc",
    "step": 0,
    "points_to_earn": 120,
}


def reminder(language="he", medium=Medium.EMAIL, address="dana@example.co.il", category="cart_reminder"):
    return pipeline.Outgoing(
        category=category,
        medium=medium,
        channel_slug="il",
        address=address,
        language_code=language,
        context=CART,
    )


def test_marketing_email_passes_gate_with_label_sender_and_one_click(channel, opted_in):
    # given a customer who opted in
    opted_in()

    # when a Hebrew cart reminder is delivered
    log = pipeline.deliver(reminder(), now=T0)

    # then it went out labelled, signed, with RFC 8058 headers, in right-to-left HTML
    assert log.status == MessageStatus.SENT, log.reason
    email = mail.outbox[0]
    assert email.subject.startswith("פרסומת")
    assert email.from_email == "חנות דנה <shop@example.co.il>"
    assert email.reply_to == ["remove@example.co.il"]
    unsubscribe = email.extra_headers["List-Unsubscribe"].strip("<>")
    assert "/plugins/global/saleor.loyalty/unsubscribe/" in unsubscribe
    assert unsubscribe in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = email.alternatives[0][0]
    assert 'dir="rtl"' in html
    assert unsubscribe in html
    assert "רחוב הרצל 1" in email.body
    assert "120 נקודות" in email.body
    assert log.content_sha256
    assert log.recipient == "dana@example.co.il"


def test_english_speaker_gets_english_template(channel, opted_in):
    opted_in()
    pipeline.deliver(reminder(language="en-US"), now=T0)
    assert mail.outbox[0].subject.startswith("פרסומת: Did you forget")
    assert 'dir="ltr"' in mail.outbox[0].alternatives[0][0]


def test_message_without_advertising_label_is_blocked(channel, opted_in, settings, tmp_path):
    # given a merchant template override that drops "פרסומת" from the subject
    override = Path(tmp_path, "loyalty/messages/he")
    override.mkdir(parents=True)
    Path(override, "cart_reminder.txt").write_text(
        "העגלה שלך מחכה\n{{ sender_name }} {{ contact_address }} {{ unsubscribe_url }}\n", encoding="utf-8"
    )
    settings.LOYALTY_TEMPLATE_DIRS = [str(tmp_path)]
    opted_in()

    # when
    log = pipeline.deliver(reminder(), now=T0)

    # then nothing is sent and the log says why
    assert log.status == MessageStatus.BLOCKED
    assert "פרסומת" in log.reason
    assert mail.outbox == []


def test_marketing_email_without_consent_is_blocked(channel):
    log = pipeline.deliver(reminder(), now=T0)
    assert log.status == MessageStatus.BLOCKED
    assert "no recorded opt-in" in log.reason
    assert mail.outbox == []


def test_missing_sender_contact_blocks(channel, opted_in):
    opted_in()
    channel.contact_address = ""
    channel.save()
    log = pipeline.deliver(reminder(), now=T0)
    assert log.status == MessageStatus.BLOCKED
    assert "contact address missing" in log.reason


def test_service_message_needs_marketing_consent_by_default(channel, settings):
    # given no consent: the strict reading treats club news as advertising
    outgoing = pipeline.Outgoing(
        category="points_earned",
        medium=Medium.EMAIL,
        channel_slug="il",
        address="dana@example.co.il",
        context={"points": 12, "balance": 40, "order_number": "7"},
    )
    assert pipeline.deliver(outgoing, now=T0).status == MessageStatus.BLOCKED

    # when the merchant declares points-earned a pure service message
    settings.LOYALTY_SERVICE_CATEGORIES_WITHOUT_CONSENT = ("points_earned",)

    # then it goes out without consent and without the advertising headers
    log = pipeline.deliver(outgoing, now=T0)
    assert log.status == MessageStatus.SENT
    assert not log.is_marketing
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers


def test_service_message_never_goes_to_a_suppressed_person(channel, opted_in, settings):
    # given a category the merchant sends without marketing consent, and a person who unsubscribed
    settings.LOYALTY_SERVICE_CATEGORIES_WITHOUT_CONSENT = ("tier_upgrade",)
    opted_in()
    consent.suppress(Medium.EMAIL, "dana@example.co.il")
    outgoing = pipeline.Outgoing(
        category="tier_upgrade",
        medium=Medium.EMAIL,
        channel_slug="il",
        address="dana@example.co.il",
        context={"tier": "Gold"},
    )

    # then it is still blocked
    assert pipeline.deliver(outgoing, now=T0).status == MessageStatus.BLOCKED
    assert MessageLog.objects.get().reason == "unsubscribed"
    assert mail.outbox == []


def test_sms_through_the_logging_backend_is_logged_labelled_not_sent(channel, opted_in):
    LoggingSmsBackend.outbox.clear()
    opted_in("+972 50-123-4567", medium=Medium.SMS)

    log = pipeline.deliver(reminder(medium=Medium.SMS, address="+972501234567"), now=T0)

    # the logging backend reaches nobody: the log says LOGGED, never SENT
    assert log.status == MessageStatus.LOGGED, log.reason
    assert log.sent_at is None
    to, text = LoggingSmsBackend.outbox[-1]
    assert to == "+972501234567"
    assert text.startswith("פרסומת")
    assert "חנות דנה" in text
    assert "/unsubscribe/" in text
