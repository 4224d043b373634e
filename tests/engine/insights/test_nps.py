import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import RequestFactory

from saleor_loyalty.engagement import catalogue
from saleor_loyalty.insights import nps, nps_report
from saleor_loyalty.messages import club
from saleor_loyalty.models import (
    BuiltinAction,
    ClubAction,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    MessageStatus,
    NamedSegment,
    NpsSettings,
    NpsStatus,
    NpsSurvey,
    SegmentMembership,
)
from tests.engine.api import run

from .conftest import T0

PLUGIN = "/plugins/global/saleor.loyalty"


@pytest.fixture
def surveyed(channel, member, make_order, opted_in):
    """NPS on (7 days), a Gold member's paid order surveyed and its message sent."""
    nps.update_settings("il", enabled=True, days_after_order=7)
    account = member("a@example.co.il", tier="Gold")
    facts = make_order(user=account.user, email=account.email)
    survey = nps.schedule_for_order(facts, T0)
    assert nps.send_due(survey.due_at) == 1
    return survey, account


def hit(url, method="get", at=T0 + timedelta(days=8), **data):
    local = url.split(PLUGIN, 1)[1]
    request = getattr(RequestFactory(), method)(local, data)
    return nps.handle(request, local, now=at)


def score_links(message):
    return {int(score): url for score, url in re.findall(r"^(\d+): (\S+)$", message.body, re.M)}


def test_the_survey_goes_out_n_days_after_payment_once_per_order(surveyed, make_order):
    survey, account = surveyed
    assert survey.due_at.date().isoformat() == "2026-03-17"  # paid 10 March + 7 days
    assert len(mail.outbox) == 1
    assert sorted(score_links(mail.outbox[0])) == list(range(11))
    again = nps.schedule_for_order(make_order(user=account.user, order_id=survey.order_id), T0)
    assert again.pk == survey.pk
    assert nps.send_due(T0 + timedelta(days=30)) == 0


def test_one_click_records_the_score_the_tier_and_awards_the_answer_once(
    surveyed, django_capture_on_commit_callbacks
):
    survey, account = surveyed
    catalogue.ensure_builtin_actions(account.program)
    ClubAction.objects.filter(program=account.program, key=BuiltinAction.NPS_ANSWER).update(
        is_enabled=True, points=30
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = hit(score_links(mail.outbox[0])[3])
    with django_capture_on_commit_callbacks(execute=True):
        hit(score_links(mail.outbox[0])[9], at=T0 + timedelta(days=9))  # changed their mind
    with django_capture_on_commit_callbacks(execute=True):  # a direct replay of the first answer
        nps.record_answer(survey.pk, 9, T0 + timedelta(days=9))
    assert response.status_code == 200
    survey.refresh_from_db()
    # answered three times: the latest stays, the first moment and the count keep the trail
    assert (survey.score, survey.answer_count, survey.tier_name) == (9, 3, "Gold")
    assert survey.first_answered_at == T0 + timedelta(days=8)
    awards = LedgerEntry.objects.filter(account=account, kind=EntryKind.ACTION)
    assert [(entry.points, entry.detail) for entry in awards] == [
        (30, {"action": "nps_answer", "object": str(survey.order_id)})
    ]


def test_answering_gives_no_points_while_the_kind_is_off(surveyed, django_capture_on_commit_callbacks):
    survey, account = surveyed  # the built-in kind exists, off by default
    with django_capture_on_commit_callbacks(execute=True):
        nps.record_answer(survey.pk, 10, T0 + timedelta(days=8))
    assert not LedgerEntry.objects.filter(account=account, kind=EntryKind.ACTION).exists()
    catalogue.ensure_builtin_actions(account.program)
    assert not ClubAction.objects.get(program=account.program, key=BuiltinAction.NPS_ANSWER).is_enabled


def test_two_surveyed_orders_award_twice(surveyed, make_order, django_capture_on_commit_callbacks):
    survey, account = surveyed
    catalogue.ensure_builtin_actions(account.program)
    ClubAction.objects.filter(program=account.program, key=BuiltinAction.NPS_ANSWER).update(is_enabled=True)
    second = nps.schedule_for_order(make_order(user=account.user, email=account.email), T0)
    with django_capture_on_commit_callbacks(execute=True):
        nps.record_answer(survey.pk, 7, T0 + timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        nps.record_answer(second.pk, 8, T0 + timedelta(days=8))
    objects = sorted(
        entry.detail["object"] for entry in LedgerEntry.objects.filter(account=account, kind=EntryKind.ACTION)
    )
    assert objects == sorted([str(survey.order_id), str(second.order_id)])


def test_a_link_for_someone_elses_order_or_an_edited_score_is_refused(surveyed, member, make_order):
    survey, _ = surveyed
    other = member("b@example.co.il")
    theirs = nps.schedule_for_order(make_order(user=other.user, email=other.email), T0)
    mine = score_links(mail.outbox[0])[3]
    survey_id, score, tag = mine.rstrip("/").rsplit("/", 1)[1].split(".")
    for forged in (
        mine.replace(f"/{survey_id}.3.", f"/{theirs.pk}.3."),  # my signature on their survey
        mine.replace(f"/{survey_id}.3.", f"/{survey_id}.10."),  # a score I did not click
        mine.replace(tag, "0" * 32),
    ):
        assert hit(forged).status_code == 404
    assert NpsSurvey.objects.filter(answered_at__isnull=False).count() == 0


def test_a_customer_cannot_answer_for_someone_elses_order(surveyed, member, make_order):
    survey, account = surveyed
    other = member("b@example.co.il")
    with pytest.raises(nps.NpsSurveyNotFound):
        nps.answer_for_customer("il", survey.order_id, other.user_id, 10, None, T0)
    with pytest.raises(nps.NpsInvalidAnswer):
        nps.answer_for_customer("il", survey.order_id, account.user_id, 11, None, T0)
    answered = nps.answer_for_customer("il", survey.order_id, account.user_id, 2, "Late delivery", T0)
    assert (answered.score, answered.comment) == (2, "Late delivery")


def test_the_comment_page_takes_a_comment_after_a_score(surveyed):
    survey, _ = surveyed
    comment = nps.comment_url(survey)
    assert hit(comment, method="post", comment="x").status_code == 409  # no score yet
    hit(score_links(mail.outbox[0])[5])
    assert hit(comment, method="post", comment="  The box was crushed  ").status_code == 200
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (5, "The box was crushed")


def test_a_survey_due_on_shabbat_is_deferred_and_sent_by_the_messaging_beat(channel, member, make_order):
    from datetime import UTC, datetime

    nps.update_settings("il", enabled=True, days_after_order=0)
    account = member("a@example.co.il")
    survey = nps.schedule_for_order(make_order(user=account.user), T0)
    friday = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
    nps.send_due(friday)
    survey.refresh_from_db()
    assert survey.message.status == MessageStatus.DEFERRED
    assert survey.status == NpsStatus.CLAIMED
    assert club.retry_due(datetime(2026, 11, 21, 19, 30, tzinfo=UTC)) == 1
    assert len(mail.outbox) == 1


def test_nps_by_tier_and_month_and_the_detractors(channel, member, make_order):
    nps.update_settings("il", enabled=True)
    scores = [("p1", "Gold", 10), ("p2", "Gold", 9), ("d1", "Gold", 3), ("x1", None, 7), ("d2", None, 0)]
    for name, tier, score in scores:
        account = member(f"{name}@example.co.il", tier=tier)
        survey = nps.schedule_for_order(make_order(user=account.user), T0)
        nps.record_answer(survey.pk, score, T0 + timedelta(days=len(name)))
    result = nps_report.report("il", T0 - timedelta(days=1), T0 + timedelta(days=30))
    # 2 promoters, 2 detractors of 5: NPS 0; Gold: 2 of 3 promoters, 1 detractor → 33.3
    assert (result.overall.responses, result.overall.nps) == (5, 0.0)
    by_tier = {row.key: row for row in result.by_tier}
    assert by_tier["Gold"].nps == 33.3
    assert (by_tier["Regular"].passives, by_tier["Regular"].nps) == (1, -50.0)
    assert [row.key for row in result.by_month] == ["2026-11"]
    assert result.by_segment == []  # nobody is in a named segment yet
    sorted_out = {"p1": NamedSegment.LOYAL, "d1": NamedSegment.LOYAL, "d2": NamedSegment.AT_RISK}
    for name, segment in sorted_out.items():
        account = LoyaltyAccount.objects.get(email=f"{name}@example.co.il")
        SegmentMembership.objects.create(account=account, program=account.program, segment=segment, since=T0)
    result = nps_report.report("il", T0 - timedelta(days=1), T0 + timedelta(days=30))
    # loyal: one promoter, one detractor → 0; at risk: one detractor → -100
    assert [(row.key, row.responses, row.nps) for row in result.by_segment] == [
        ("loyal", 2, 0.0),
        ("at_risk", 1, -100.0),
    ]
    assert sorted(s.email for s in nps_report.detractors("il")) == ["d1@example.co.il", "d2@example.co.il"]


def test_a_forgotten_customer_keeps_the_score_but_not_who_or_what(surveyed):
    survey, account = surveyed
    nps.record_answer(survey.pk, 4, T0, "Rude courier")
    assert nps.forget_person(account.user_id, account.email) == 1
    survey.refresh_from_db()
    assert (survey.score, survey.email, survey.user_id, survey.comment) == (4, "", None, "")


NPS_SETTINGS = "query($channel: String!) { npsSettings(channel: $channel) { enabled daysAfterOrder } }"
NPS_SETTINGS_UPDATE = """mutation($channel: String!, $days: Int) {
  loyaltyNpsSettingsUpdate(channel: $channel, daysAfterOrder: $days) { errors { field code } settings { daysAfterOrder } } }"""


def test_staff_read_the_nps_settings_they_saved_and_a_bad_day_changes_nothing(channel, staff):
    """The Dashboard's NPS form starts from what is saved: the defaults before any save, and reading writes nothing."""
    first = run(NPS_SETTINGS, staff, channel="il")
    assert first.errors is None
    assert first.data["npsSettings"] == {"enabled": False, "daysAfterOrder": 7}
    assert not NpsSettings.objects.exists()

    refused = run(NPS_SETTINGS_UPDATE, staff, channel="il", days=120).data["loyaltyNpsSettingsUpdate"]
    assert refused["errors"][0]["field"] == "daysAfterOrder"
    run(NPS_SETTINGS_UPDATE, staff, channel="il", days=10)
    nps.update_settings("il", enabled=True)

    assert run(NPS_SETTINGS, staff, channel="il").data["npsSettings"] == {
        "enabled": True,
        "daysAfterOrder": 10,
    }
