"""The recovery screen's preview: each reminder step in Hebrew and English, through the real §30A gate."""

from django.core import mail

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.models import MessageLog
from saleor_loyalty.recovery import preview
from tests.engine.api import run

from .shop import T0

PREVIEW = 'query { recoveryPreview(channel: "il") { step medium language subject text allowed problems } }'
SETTINGS_STAFF = Requestor(
    user_id=1, email="staff@example.co.il", is_staff=True, permissions=frozenset({"MANAGE_SETTINGS"})
)


def _two_steps(channel, discount=10):
    channel.steps = [
        {"after_minutes": 60, "medium": "email"},
        {"after_minutes": 1440, "medium": "sms"},
        {"after_minutes": 4320, "medium": "email"},
    ]
    channel.last_step_discount_percent = discount
    channel.save()


def test_every_step_is_shown_in_hebrew_and_english_and_passes_the_gate(channel):
    _two_steps(channel)

    shown = preview.preview_steps("il", "ILS", T0)

    assert [(p.step, p.medium, p.language) for p in shown] == [
        (0, "email", "he"),
        (0, "email", "en"),
        (1, "sms", "he"),
        (1, "sms", "en"),
        (2, "email", "he"),
        (2, "email", "en"),
    ]
    assert all(p.allowed for p in shown), [p.problems for p in shown]
    hebrew_email, english_email, hebrew_sms, english_sms, _, english_last = shown
    assert hebrew_email.subject.startswith("פרסומת")
    assert english_email.subject.startswith("פרסומת")  # an Israeli channel labels every language
    assert "עוגת גבינה" in hebrew_email.text
    assert "Cheesecake" in english_email.text
    assert "182 ILS" in english_email.text
    assert "PREVIEW-CODE" not in english_email.text
    assert hebrew_sms.text.startswith("פרסומת")
    assert "/unsubscribe/" in english_sms.text
    assert "10% off with code PREVIEW-CODE" in english_last.text  # the last step's incentive


def test_a_message_the_law_would_block_shows_why_and_nothing_is_sent(channel):
    _two_steps(channel, discount=0)
    channel.contact_address = ""
    channel.sender_name = ""
    channel.save()

    shown = preview.preview_steps("il", "ILS", T0)

    emails = [p for p in shown if p.medium == "email"]
    assert emails
    assert all("contact address missing" in p.problems for p in emails)
    assert all(not p.allowed and "sender name missing" in p.problems for p in shown)
    assert not MessageLog.objects.exists()
    assert mail.outbox == []


def test_the_preview_query_answers_staff_with_the_gates_verdict(channel):
    channel.country = "US"
    channel.save()

    result = run(PREVIEW, SETTINGS_STAFF)

    assert result.errors is None
    rows = result.data["recoveryPreview"]
    assert len(rows) == 6  # the three default steps, twice
    english = next(r for r in rows if r["language"] == "en" and r["step"] == 0)
    hebrew = next(r for r in rows if r["language"] == "he" and r["step"] == 0)
    assert english["allowed"]
    assert not english["subject"].startswith("פרסומת")
    assert hebrew["allowed"]  # Hebrew mail is labelled anywhere
    assert hebrew["subject"].startswith("פרסומת")
    assert english["problems"] == []
    assert english["medium"] == "EMAIL"
