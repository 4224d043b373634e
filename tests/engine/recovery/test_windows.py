from datetime import date, datetime
from zoneinfo import ZoneInfo

from saleor_loyalty.messages.windows import next_allowed
from saleor_loyalty.models import Medium

IL = ZoneInfo("Asia/Jerusalem")


def local(*args):
    return datetime(*args, tzinfo=IL)


def test_sms_at_night_is_deferred_to_nine_next_morning():
    assert next_allowed(local(2026, 11, 17, 22, 30), Medium.SMS, "Asia/Jerusalem", True, set()) == local(
        2026, 11, 18, 9
    )


def test_sms_early_morning_waits_for_nine():
    assert next_allowed(local(2026, 11, 17, 7, 0), Medium.SMS, "Asia/Jerusalem", True, set()) == local(
        2026, 11, 17, 9
    )


def test_email_at_night_is_allowed():
    moment = local(2026, 11, 17, 22, 30)
    assert next_allowed(moment, Medium.EMAIL, "Asia/Jerusalem", True, set()) == moment


def test_friday_afternoon_waits_for_saturday_night():
    # Friday 20 Nov 2026 15:00 → Saturday 21:00 (email); SMS then waits for Sunday 09:00
    assert next_allowed(local(2026, 11, 20, 15), Medium.EMAIL, "Asia/Jerusalem", True, set()) == local(
        2026, 11, 21, 21
    )
    assert next_allowed(local(2026, 11, 20, 15), Medium.SMS, "Asia/Jerusalem", True, set()) == local(
        2026, 11, 22, 9
    )


def test_shabbat_not_observed_when_channel_says_so():
    moment = local(2026, 11, 21, 12)
    assert next_allowed(moment, Medium.EMAIL, "Europe/Berlin", False, set()) == moment


def test_holiday_and_its_eve_are_quiet():
    yom_kippur = date(2026, 9, 21)
    assert next_allowed(local(2026, 9, 20, 16), Medium.EMAIL, "Asia/Jerusalem", True, {yom_kippur}) == local(
        2026, 9, 21, 21
    )
    assert next_allowed(local(2026, 9, 21, 10), Medium.EMAIL, "Asia/Jerusalem", True, {yom_kippur}) == local(
        2026, 9, 21, 21
    )
