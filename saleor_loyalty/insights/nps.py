"""NPS: a survey message N days after a paid order, one-click signed score links, one answer per order.

The survey row is created once per order (`order_id` unique) when the order is synced paid, and sent
by the beat through club messaging (consent, §30A gate, email gap, quiet hours and Shabbat: a survey
that may not go now is deferred, never dropped). A score link is signed over (survey, order, the
recipient's address hash, score): a link for someone else's order, or an edited score or survey id,
is refused; signed-in customers answer through `loyaltyNpsAnswer`, which refuses an order not theirs.
Answering again replaces the score (the latest stays): a mail scanner that fetched a link before the
person is overwritten by the person's own click; `answer_count` and `first_answered_at` keep the trail.
Points for answering: after the first answer commits, the built-in action `nps_answer` (off until staff
switch it on) is recorded with the surveyed order as its object, so a survey awards once however often
it is answered; a failure there is logged and never undoes the answer.
"""

import hmac
import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse, HttpResponseNotFound
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.html import escape

from saleor_loyalty.core.facts import OrderFacts
from saleor_loyalty.engagement import actions
from saleor_loyalty.error_codes import LoyaltyErrorCode
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.ledger.accounts import normalize_email
from saleor_loyalty.messages import club, consent, pipeline
from saleor_loyalty.messages.config import NPS_SURVEY, public_url
from saleor_loyalty.models import BuiltinAction, LoyaltyAccount, Medium, NpsSettings, NpsStatus, NpsSurvey
from saleor_loyalty.tiers.ladder import current_tier, ladder

logger = logging.getLogger(__name__)

PATH_PREFIX = "/nps/"
URL_PREFIX = "/plugins/global/saleor.loyalty/nps/"
MAX_COMMENT = 2000
SCORES = range(11)


class NpsSurveyNotFound(LoyaltyError):
    code = LoyaltyErrorCode.NOT_FOUND
    field = "order_id"


class NpsInvalidAnswer(LoyaltyError):
    code = LoyaltyErrorCode.OUT_OF_RANGE


def schedule_for_order(facts: OrderFacts, now: datetime) -> NpsSurvey | None:
    """The order's survey, due `days_after_order` after payment, where the channel has NPS on."""
    if not facts.is_paid or facts.is_cancelled or not facts.email:
        return None
    settings = NpsSettings.objects.filter(channel_slug=facts.channel_slug, enabled=True).first()
    if settings is None:
        return None
    NpsSurvey.objects.bulk_create(
        [
            NpsSurvey(
                order_id=facts.order_id,
                order_number=facts.number or "",
                channel_slug=facts.channel_slug,
                user_id=facts.user_id,
                email=normalize_email(facts.email),
                language_code=facts.language_code or "",
                due_at=(facts.paid_at or now) + timedelta(days=settings.days_after_order),
            )
        ],
        ignore_conflicts=True,
    )
    return NpsSurvey.objects.get(order_id=facts.order_id)


def _tag(survey: NpsSurvey, what: str) -> str:
    subject = consent.subject_hash(Medium.EMAIL, survey.email) if survey.email else ""
    payload = f"{survey.pk}.{survey.order_id}.{subject}.{what}"
    return salted_hmac("saleor_loyalty.nps", payload, algorithm="sha256").hexdigest()[:32]


def score_url(survey: NpsSurvey, score: int) -> str:
    return f"{public_url()}{URL_PREFIX}{survey.pk}.{score}.{_tag(survey, str(score))}/"


def comment_url(survey: NpsSurvey) -> str:
    return f"{public_url()}{URL_PREFIX}{survey.pk}.c.{_tag(survey, 'comment')}/"


def _message(survey: NpsSurvey) -> pipeline.Outgoing:
    return pipeline.Outgoing(
        category=NPS_SURVEY,
        medium=Medium.EMAIL,
        channel_slug=survey.channel_slug,
        address=survey.email,
        language_code=survey.language_code,
        context={
            "order_number": survey.order_number,
            "score_links": [{"score": score, "url": score_url(survey, score)} for score in SCORES],
            "comment_url": comment_url(survey),
        },
    )


def send_due(now: datetime | None = None, limit: int = 200) -> int:
    """The beat: claim each due survey once (SKIP LOCKED) and hand it to club messaging; returns claims."""
    now = now or timezone.now()
    claimed = 0
    for _ in range(limit):
        with transaction.atomic():
            survey = (
                NpsSurvey.objects.select_for_update(skip_locked=True)
                .filter(status=NpsStatus.PENDING, due_at__lte=now)
                .order_by("due_at", "id")
                .first()
            )
            if survey is None:
                break
            if not survey.email or survey.answered_at is not None:
                survey.status = NpsStatus.SKIPPED if survey.answered_at is None else NpsStatus.ANSWERED
                survey.save(update_fields=["status"])
                continue
            message = _message(survey)
            log = club.claim(message, now)
            survey.message, survey.status = log, NpsStatus.CLAIMED
            survey.save(update_fields=["message", "status"])
        club.deliver(message, log, now)
        claimed += 1
    return claimed


def _tier_name(survey: NpsSurvey) -> str:
    accounts = LoyaltyAccount.objects.filter(
        program__channel_slug=survey.channel_slug, merged_into__isnull=True
    ).select_related("program")
    account = (
        accounts.filter(user_id=survey.user_id).first()
        if survey.user_id
        else accounts.filter(email=survey.email).first()
    )
    if account is None:
        return ""
    tier = current_tier(account, ladder(account.program))
    return tier.name if tier else ""


def _award_answer(survey: NpsSurvey) -> None:
    try:
        actions.record_builtin(
            BuiltinAction.NPS_ANSWER, survey.user_id, survey.email, survey.channel_slug, str(survey.order_id)
        )
    except Exception:  # points for answering never undo the answer
        logger.exception("Points for answering NPS survey %s failed", survey.pk)


def record_answer(survey_id: int, score: int, now: datetime, comment: str | None = None) -> NpsSurvey:
    """Store the score (the latest replaces an earlier one) and, when given, the comment."""
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        raise NpsInvalidAnswer("A score is 0 to 10.", "score")
    if comment is not None and len(comment) > MAX_COMMENT:
        raise NpsInvalidAnswer(f"A comment is at most {MAX_COMMENT} characters.", "comment")
    with transaction.atomic():
        survey = NpsSurvey.objects.select_for_update().get(pk=survey_id)
        first = survey.answered_at is None
        survey.score, survey.answered_at, survey.status = score, now, NpsStatus.ANSWERED
        survey.first_answered_at = survey.first_answered_at or now
        survey.answer_count += 1
        survey.tier_name = _tier_name(survey)
        if comment is not None:
            survey.comment = comment.strip()
        survey.save()
        if first and survey.email:
            transaction.on_commit(lambda: _award_answer(survey))
    return survey


def save_comment(survey_id: int, comment: str) -> None:
    """The optional comment of an answered survey (its score stays as it is)."""
    NpsSurvey.objects.filter(pk=survey_id).update(comment=(comment or "").strip()[:MAX_COMMENT])


def answer_for_customer(
    channel_slug: str, order_id, user_id: int, score: int, comment: str | None, now: datetime
) -> NpsSurvey:
    """A signed-in customer's answer: only for a surveyed order of their own in that channel."""
    survey = NpsSurvey.objects.filter(channel_slug=channel_slug, order_id=order_id).first()
    if survey is None or survey.user_id is None or survey.user_id != user_id:
        raise NpsSurveyNotFound("No survey for an order of yours with this id.")
    return record_answer(survey.pk, score, now, comment)


_PAGE = """<!doctype html><html lang="he" dir="rtl"><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family:sans-serif;max-width:36em;margin:3em auto"><p>{body}</p>{form}</body></html>"""
_FORM = """<form method="post" action="{action}"><textarea name="comment" maxlength="2000" rows="5" cols="40">
</textarea><br><button type="submit">שליחה / Send</button></form>"""


def _verified(token: str) -> tuple[NpsSurvey, str] | None:
    pieces = token.split(".")
    if len(pieces) != 3 or not pieces[0].isdigit() or not (pieces[1] == "c" or pieces[1].isdigit()):
        return None
    survey = NpsSurvey.objects.filter(pk=int(pieces[0])).first()
    what = "comment" if pieces[1] == "c" else pieces[1]
    if survey is None or not hmac.compare_digest(_tag(survey, what), pieces[2]):
        return None
    return survey, what


def handle(request, path: str, now: datetime | None = None) -> HttpResponse:
    """/nps/<survey>.<score>.<tag>/ records a score (one click); /nps/<survey>.c.<tag>/ takes a comment."""
    now = now or timezone.now()
    found = _verified(path[len(PATH_PREFIX) :].strip("/"))
    if found is None:
        return HttpResponseNotFound(
            _PAGE.format(title="Invalid link", body="הקישור אינו תקין. / This link is not valid.", form="")
        )
    survey, what = found
    if what == "comment":
        if request.method != "POST":
            return HttpResponse(status=405)
        if survey.score is None:
            return HttpResponse(status=409)
        save_comment(survey.pk, request.POST.get("comment", "")[:MAX_COMMENT])
        return HttpResponse(_PAGE.format(title="Thank you", body="תודה! / Thank you!", form=""))
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    record_answer(survey.pk, int(what), now)
    body = escape(f"תודה על הציון {what}. רוצים להוסיף מילה? / Thanks for your {what}. Anything to add?")
    return HttpResponse(
        _PAGE.format(title="Thank you", body=body, form=_FORM.format(action=comment_url(survey)))
    )


def settings_of(channel_slug: str) -> NpsSettings:
    """A channel's NPS settings, the defaults (off, 7 days) until staff first save them; reading writes nothing."""
    return NpsSettings.objects.filter(channel_slug=channel_slug).first() or NpsSettings(
        channel_slug=channel_slug
    )


def update_settings(channel_slug: str, enabled: bool | None = None, days_after_order: int | None = None):
    """A channel's NPS settings; fields left None stay as they are."""
    settings, _ = NpsSettings.objects.get_or_create(channel_slug=channel_slug)
    if days_after_order is not None:
        if isinstance(days_after_order, bool) or not 0 <= days_after_order <= 90:
            raise NpsInvalidAnswer("Days after the order are 0 to 90.", "days_after_order")
        settings.days_after_order = days_after_order
    if enabled is not None:
        settings.enabled = enabled
    settings.save()
    return settings


def forget_person(user_id: int | None, email: str) -> int:
    """A deleted customer's surveys keep their score (an anonymous statistic) but lose who and what they
    wrote; one not yet sent is never sent."""
    person = Q(email=normalize_email(email)) if email else Q(pk__in=[])
    if user_id is not None:
        person |= Q(user_id=user_id)
    surveys = NpsSurvey.objects.filter(person)
    surveys.filter(status=NpsStatus.PENDING).update(status=NpsStatus.SKIPPED)
    return surveys.update(email="", user_id=None, comment="", follow_up_note="")
