"""SMS double opt-in: a code sent to the number, confirmed, is the consent's evidence; guesses go nowhere."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.messages import consent, sms_opt_in
from saleor_loyalty.models import (
    ConsentEvent,
    ConsentSource,
    Medium,
    MessageLog,
    MessageStatus,
    SmsOptInChallenge,
)
from tests.engine.api import run

WORDING = "אני מסכים/ה לקבל הודעות SMS שיווקיות מחנות דנה / I agree to marketing SMS from Dana's shop"
NUMBER = "+972 50-123-4567"
START = """mutation($phone: String!, $locale: String) {
  loyaltyConsentSmsStart(channel: "il", phone: $phone, wording: "WORDING", locale: $locale) {
    errors { field code message } expiresAt } }""".replace("WORDING", WORDING)
CONFIRM = """mutation($phone: String!, $code: String!) {
  loyaltyConsentSmsConfirm(channel: "il", phone: $phone, code: $code) {
    errors { field code message } consent { medium granted } } }"""
STRANGER = Requestor()


def start(phone=NUMBER, caller=STRANGER, locale="he"):
    return run(START, caller, phone=phone, locale=locale).data["loyaltyConsentSmsStart"]


def confirm(code, phone=NUMBER, caller=STRANGER):
    return run(CONFIRM, caller, phone=phone, code=code).data["loyaltyConsentSmsConfirm"]


def sent_code(provider) -> str:
    return re.search(r"\b(\d{6})\b", provider.requests[-1]["body"]["text"]).group(1)


def granted() -> bool:
    return consent.current_state("il", Medium.SMS, NUMBER).may_market


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


REFUSED = [
    {
        "field": "code",
        "code": "SMS_CODE_INVALID",
        "message": "The code is wrong or has expired; ask for a new one.",
    }
]


def test_the_code_sent_to_the_number_grants_consent_with_its_evidence(channel, sms_provider):
    # when a visitor asks for a code for a number, and enters the code the number received
    answer = start()
    code = sent_code(sms_provider)
    result = confirm(code)

    # then SMS consent is granted, with the wording shown and the double opt-in as its source
    assert answer["errors"] == []
    assert result == {"errors": [], "consent": {"medium": "SMS", "granted": True}}
    event = ConsentEvent.objects.get(medium=Medium.SMS)
    assert (event.source, event.wording) == (ConsentSource.DOUBLE_OPT_IN, WORDING)
    # the SMS went through the provider as a transactional message, in Hebrew, logged SENT
    request = sms_provider.requests[-1]
    assert request["body"]["to"] == "+972501234567"
    assert "קוד האישור" in request["body"]["text"]
    log = MessageLog.objects.get(category="sms_opt_in")
    assert (log.status, log.is_marketing, log.provider_message_id) == (MessageStatus.SENT, False, "prov-1")
    assert request["headers"]["Idempotency-Key"].startswith(f"loyalty-{log.pk}-")
    # and neither the code nor the number is stored in the challenge
    challenge = SmsOptInChallenge.objects.get()
    assert code not in challenge.code_hash
    assert challenge.subject_hash == consent.subject_hash(Medium.SMS, NUMBER)
    assert challenge.confirmed_at is not None


def test_a_wrong_code_is_refused_and_the_attempt_is_counted(channel, sms_provider):
    start()
    code = sent_code(sms_provider)

    result = confirm(wrong(code))

    assert result == {"errors": REFUSED, "consent": None}
    assert not granted()
    assert SmsOptInChallenge.objects.get().attempts == 1  # committed despite the error


def test_an_expired_code_is_refused(channel, sms_provider):
    sms_opt_in.start("il", NUMBER, wording=WORDING, sender="shop", now=timezone.now() - timedelta(minutes=11))
    code = sent_code(sms_provider)

    assert confirm(code) == {"errors": REFUSED, "consent": None}
    assert not granted()


def test_after_five_wrong_attempts_even_the_right_code_is_refused(channel, sms_provider):
    start()
    code = sent_code(sms_provider)
    for _ in range(sms_opt_in.MAX_ATTEMPTS):
        assert confirm(wrong(code))["errors"] == REFUSED

    assert confirm(code) == {"errors": REFUSED, "consent": None}
    assert not granted()
    assert ConsentEvent.objects.count() == 0


def test_a_confirmed_code_cannot_be_replayed(channel, sms_provider):
    start()
    code = sent_code(sms_provider)
    assert confirm(code)["errors"] == []

    assert confirm(code) == {"errors": REFUSED, "consent": None}
    assert ConsentEvent.objects.count() == 1


def test_only_the_latest_code_counts(channel, sms_provider):
    start()
    first = sent_code(sms_provider)
    start()
    second = sent_code(sms_provider)

    if first != second:
        assert confirm(first)["errors"] == REFUSED
    assert confirm(second)["errors"] == []


def test_codes_for_one_number_are_rate_limited(channel, sms_provider):
    for _ in range(sms_opt_in.PER_NUMBER_PER_HOUR):
        assert start()["errors"] == []

    result = start()

    assert [error["code"] for error in result["errors"]] == ["RATE_LIMITED"]
    assert len(sms_provider.requests) == sms_opt_in.PER_NUMBER_PER_HOUR
    assert SmsOptInChallenge.objects.count() == sms_opt_in.PER_NUMBER_PER_HOUR


def test_codes_from_one_origin_are_rate_limited_across_numbers(channel, sms_provider):
    for i in range(sms_opt_in.PER_ORIGIN_PER_HOUR):
        assert start(phone=f"+97250100{i:04d}")["errors"] == []

    assert [e["code"] for e in start(phone="+972509998877")["errors"]] == ["RATE_LIMITED"]


def test_nothing_about_a_number_leaks(channel, sms_provider):
    # given one number that consented already and one never seen
    consent.record("il", Medium.SMS, "+972509999999", "grant", "checkout_checkbox", wording=WORDING)

    # then asking for codes answers alike, and confirming a number nobody asked a code for is the
    # same refusal as a wrong code
    known, unknown = start(phone="+972509999999"), start(phone="+972508888888")
    assert known["errors"] == unknown["errors"] == []
    assert confirm("123456", phone="+972507777777") == {"errors": REFUSED, "consent": None}


def test_a_provider_failure_is_a_typed_error_and_the_log_says_failed(channel, sms_provider):
    sms_provider.replies = [400]

    result = start()

    assert [error["code"] for error in result["errors"]] == ["SMS_NOT_SENT"]
    assert MessageLog.objects.get(category="sms_opt_in").status == MessageStatus.FAILED


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"phone": "12345"}, "phone"),  # too short to be a number
        ({"phone": "+9725012345678901"}, "phone"),  # longer than E.164
        ({"phone": "972+501234567"}, "phone"),
        ({"phone": "   "}, "phone"),
    ],
)
def test_bad_numbers_are_typed_errors_and_send_nothing(channel, sms_provider, variables, field):
    result = run(START, STRANGER, **variables).data["loyaltyConsentSmsStart"]

    assert [error["field"] for error in result["errors"]] == [field]
    assert sms_provider.requests == []
    assert not SmsOptInChallenge.objects.exists()


def test_an_unknown_channel_sends_nothing(channel, sms_provider):
    result = run(START.replace('"il"', '"nowhere"'), STRANGER, phone=NUMBER)

    assert [e["code"] for e in result.data["loyaltyConsentSmsStart"]["errors"]] == ["CHANNEL_NOT_FOUND"]
    assert sms_provider.requests == []


def test_english_speakers_get_the_code_in_english(channel, sms_provider):
    start(locale="en")

    assert sms_provider.requests[-1]["body"]["text"].startswith("Your code: ")
