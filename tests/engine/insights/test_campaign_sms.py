"""SMS campaigns: only to verified consent for the member's own number, §30A in every text, SMS hours and caps,
at least once through a real HTTP provider, and results per variant."""

import re
from datetime import timedelta

import pytest
from django.test import RequestFactory

from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.insights import (
    campaign_results,
    campaign_sending,
    campaign_sms,
    campaign_sms_content,
    campaigns,
    tracking,
)
from saleor_loyalty.messages import consent, leases, unsubscribe
from saleor_loyalty.messages.config import CAMPAIGN_SMS
from saleor_loyalty.models import (
    Campaign,
    CampaignRecipient,
    ConsentAction,
    ConsentSource,
    Medium,
    MessageLog,
    MessageStatus,
    RecipientStatus,
    WinnerMetric,
)
from tests.engine.api import run
from tests.engine.messages.sms_provider import FakeSmsProvider
from tests.engine.recovery.shop import FakeShop

from .conftest import T0

BODY = "שלום {first_name}, 20% הנחה היום: https://shop.example.co.il/sale {opt_out}"
WORDING = "אני מסכים/ה לקבל SMS שיווקי מחנות דנה"
AFTER_LEASE = T0 + timedelta(minutes=11)


def sms_variant(key="A", body=BODY, **kwargs):
    return campaigns.VariantSpec(key, {"he": {"body": body}}, **kwargs)


@pytest.fixture
def shop():
    return FakeShop()


@pytest.fixture
def person(member, shop):
    """A member with `phone` on their Saleor addresses; `consent`: how the number's SMS consent was given."""

    def build(email, phone, consent_by="self", source=ConsentSource.DOUBLE_OPT_IN, first_name=""):
        account = member(email, consent=False, first_name=first_name)
        shop.phones.setdefault(account.user_id, set()).add(phone)
        if consent_by is not None:
            user_id = account.user_id if consent_by == "self" else consent_by
            consent.record(
                "il",
                Medium.SMS,
                phone,
                ConsentAction.GRANT,
                source,
                wording=WORDING,
                user_id=user_id,
                occurred_at=T0 - timedelta(days=1),
            )
        return account

    return build


@pytest.fixture
def sms_campaign(channel, make_campaign):
    def build(**fields):
        variants = fields.pop("variants", None) or [sms_variant()]
        return make_campaign(variants=variants, medium=Medium.SMS, **fields)

    return build


@pytest.fixture
def provider(settings):
    running = FakeSmsProvider(slow_seconds=1.0).start()
    settings.LOYALTY_SMS_URL = running.url
    settings.LOYALTY_SMS_API_KEY = "test-api-key"
    settings.LOYALTY_SMS_SENDER = "DanaShop"
    settings.LOYALTY_SMS_TIMEOUT = 0.5
    yield running
    running.stop()


def reasons():
    return {
        r.account.email: (r.status, r.reason) for r in CampaignRecipient.objects.select_related("account")
    }


def test_only_members_with_verified_consent_for_their_own_number_get_the_text(
    person, sms_campaign, shop, provider, django_user_model
):
    person("verified@example.co.il", "+972501111111", first_name="Avi")
    person("none@example.co.il", "+972502222222", consent_by=None)
    person("ticked@example.co.il", "+972503333333", source=ConsentSource.CHECKOUT_CHECKBOX)
    person("withdrawn@example.co.il", "+972504444444")
    consent.record("il", Medium.SMS, "+972504444444", ConsentAction.WITHDRAW, ConsentSource.ACCOUNT_PAGE)
    stranger = django_user_model.objects.create(username="stranger", email="stranger@example.co.il")
    person("borrowed@example.co.il", "+972505555555", consent_by=stranger.pk)
    person("stopped@example.co.il", "+972506666666")
    consent.suppress(Medium.SMS, "+972506666666")
    sms_campaign()

    report = campaign_sms.run(shop, T0)

    assert [request["body"]["to"] for request in provider.requests] == ["+972501111111"]
    assert (report.claimed, report.sent, report.skipped) == (1, 1, 5)
    found = reasons()
    assert found["verified@example.co.il"] == (RecipientStatus.CLAIMED, "")
    no_consent = "no verified SMS consent for their own number"
    for email in ("none", "ticked", "withdrawn", "borrowed", "stopped"):
        assert found[f"{email}@example.co.il"] == (RecipientStatus.SKIPPED, no_consent), email
    assert Campaign.objects.get().status == "sent"


def test_every_text_opens_with_the_label_and_names_the_sender_and_the_way_out(
    person, sms_campaign, shop, provider
):
    person("a@example.co.il", "+972501111111", first_name="Avi")
    sms_campaign()
    campaign_sms.run(shop, T0)

    [request] = provider.requests
    text = request["body"]["text"]
    assert text.startswith("פרסומת: שלום Avi, 20% הנחה היום: ")
    assert "חנות דנה: להסרה השיבו הסר או " in text
    assert "https://shop.example.co.il/sale" not in text  # the link is a short tracked one
    unsubscribe_url = re.search(r"\S+/unsubscribe/\S+/", text).group(0)
    token = unsubscribe_url.rstrip("/").rsplit("/", 1)[-1]
    assert unsubscribe.read_token(token) == (Medium.SMS, consent.subject_hash(Medium.SMS, "+972501111111"))
    assert unsubscribe.read_token(token[:-1] + ("0" if token[-1] != "0" else "1")) is None
    log = MessageLog.objects.get(category=CAMPAIGN_SMS)
    assert request["headers"]["Idempotency-Key"] == leases.idempotency_key(log)
    assert (log.status, log.recipient, log.is_marketing) == (MessageStatus.SENT, "+972501111111", True)


def test_a_short_click_link_redirects_to_the_variants_link_and_counts(person, sms_campaign, shop, provider):
    person("a@example.co.il", "+972501111111")
    campaign = sms_campaign()
    campaign_sms.run(shop, T0)
    text = provider.requests[0]["body"]["text"]
    link = re.search(r"\S+/t/s/\S+", text).group(0)
    local = link.split("/plugins/global/saleor.loyalty", 1)[1]

    response = tracking.handle(RequestFactory().get(local), local, now=T0 + timedelta(hours=1))
    assert (response.status_code, response["Location"]) == (302, "https://shop.example.co.il/sale")
    tampered = local[:-1] + ("0" if local[-1] != "0" else "1")
    assert tracking.handle(RequestFactory().get(tampered), tampered).status_code == 404
    other_index = local.replace(".he.0.", ".he.1.")  # a link the content does not have, or a forged tag
    assert other_index != local
    assert tracking.handle(RequestFactory().get(other_index), other_index).status_code == 404
    log = MessageLog.objects.get(category=CAMPAIGN_SMS)
    beyond = tracking.sms_click_url(
        log.pk, campaign.pk, campaign.variants.get().pk, "he", 1
    )  # signed, no link 1
    beyond_local = beyond.split("/plugins/global/saleor.loyalty", 1)[1]
    assert tracking.handle(RequestFactory().get(beyond_local), beyond_local).status_code == 404

    [group] = campaign_results.results(campaign).variants
    assert (group.sent, group.clicked, group.opened) == (1, 1, None)
    assert (group.open_rate.value, group.click_rate.value) == (None, 1.0)


def test_sms_hours_and_shabbat_hold_the_whole_campaign(person, sms_campaign, shop, provider):
    person("a@example.co.il", "+972501111111")
    evening = T0 + timedelta(hours=11)  # Tuesday 21:00 in Israel: after SMS hours
    sms_campaign(schedule_at=evening)
    assert campaign_sms.run(shop, evening).claimed == 0
    assert provider.requests == []
    assert CampaignRecipient.objects.get().status == RecipientStatus.PENDING

    friday_afternoon = T0 + timedelta(days=3, hours=5)  # Friday 15:00: Shabbat is coming
    assert campaign_sms.run(shop, friday_afternoon).claimed == 0
    sunday_morning = T0 + timedelta(days=5)  # Sunday 10:00
    assert campaign_sms.run(shop, sunday_morning).sent == 1


def test_one_marketing_text_a_day_holds_the_member(person, sms_campaign, shop, provider):
    person("a@example.co.il", "+972501111111")
    sms_campaign(name="First")
    campaign_sms.run(shop, T0)
    sms_campaign(name="Second", schedule_at=T0 + timedelta(hours=2))
    report = campaign_sms.run(shop, T0 + timedelta(hours=2))
    assert (report.claimed, report.held) == (0, 1)
    held = CampaignRecipient.objects.get(campaign__name="Second")
    assert held.not_before == T0 + timedelta(hours=24)
    assert campaign_sms.run(shop, T0 + timedelta(hours=25)).sent == 1
    assert len(provider.requests) == 2


def test_a_failed_provider_call_is_retried_on_the_same_row_and_sent_once(
    person, sms_campaign, shop, provider
):
    person("a@example.co.il", "+972501111111")
    sms_campaign()
    provider.replies = ["slow"]  # the provider accepts it, but the answer comes after our timeout
    campaign_sms.run(shop, T0)
    log = MessageLog.objects.get(category=CAMPAIGN_SMS)
    assert log.status == MessageStatus.CLAIMED
    assert "unreachable" in log.reason

    assert campaign_sms.retry_due(T0 + timedelta(minutes=5)) == 0  # inside the lease
    assert campaign_sms.retry_due(AFTER_LEASE) == 1
    log.refresh_from_db()
    assert (log.status, log.attempts) == (MessageStatus.SENT, 2)
    keys = {request["headers"]["Idempotency-Key"] for request in provider.requests}
    assert keys == {leases.idempotency_key(log)}
    assert len(provider.requests) == 2
    assert len(provider.delivered) == 1  # the provider sent one text for the one key


def test_a_withdrawal_between_claim_and_retry_stops_the_text(person, sms_campaign, shop, provider):
    person("a@example.co.il", "+972501111111")
    sms_campaign()
    provider.replies = [503]
    campaign_sms.run(shop, T0)
    consent.record("il", Medium.SMS, "+972501111111", ConsentAction.WITHDRAW, ConsentSource.ACCOUNT_PAGE)
    assert campaign_sms.retry_due(AFTER_LEASE) == 0
    log = MessageLog.objects.get(category=CAMPAIGN_SMS)
    assert log.status == MessageStatus.BLOCKED
    assert len(provider.requests) == 1


def test_a_refused_text_fails_for_good(person, sms_campaign, shop, provider):
    person("a@example.co.il", "+972501111111")
    sms_campaign()
    provider.replies = [400]
    campaign_sms.run(shop, T0)
    assert MessageLog.objects.get(category=CAMPAIGN_SMS).status == MessageStatus.FAILED
    assert campaign_sms.retry_due(AFTER_LEASE) == 0


def test_results_per_variant_count_texts_clicks_and_unsubscribes(person, sms_campaign, shop, provider):
    for i in range(6):
        person(f"m{i}@example.co.il", f"+97250000000{i}")
    campaign = sms_campaign(variants=[sms_variant("A"), sms_variant("B", "היי {opt_out}")])
    campaign_sms.run(shop, T0)
    consent.suppress(Medium.SMS, "+972500000000")
    found = campaign_results.results(campaign)
    assert sum(group.sent for group in found.variants) == 6
    assert sum(group.unsubscribed for group in found.variants) == 1
    assert all(group.opened is None for group in found.variants)


def test_an_email_campaign_is_not_sent_by_the_sms_job(person, make_campaign, shop, provider):
    person("a@example.co.il", "+972501111111")
    make_campaign()
    campaign_sms.run(shop, T0)
    assert provider.requests == []
    assert not CampaignRecipient.objects.exists()
    campaign_sending.run(T0)  # the email job handles it (no email consent here: skipped by email's rule)
    assert CampaignRecipient.objects.get().reason == "no recorded opt-in"


# Saving an SMS campaign: the opt-out part, no subject, the length, no opens.


@pytest.mark.parametrize(
    ("body", "variant_kwargs", "fields", "code"),
    [
        ("שלום {first_name}", {}, {}, "sms_opt_out_required"),
        ("{opt_out} ושוב {opt_out}", {}, {}, "sms_opt_out_required"),
        ("א" * 400 + " {opt_out}", {}, {}, "out_of_range"),
        ("שלום {nick} {opt_out}", {}, {}, "invalid"),
        (BODY, {}, {"winner_metric": WinnerMetric.OPEN}, "invalid"),
    ],
)
def test_bad_sms_content_is_refused_at_save(channel, club, body, variant_kwargs, fields, code):
    spec = campaigns.CampaignSpec(
        name="Text", variants=[sms_variant(body=body, **variant_kwargs)], medium=Medium.SMS, **fields
    )
    with pytest.raises(LoyaltyError) as refused:
        campaigns.create(club, spec)
    assert refused.value.code.value == code
    assert not Campaign.objects.exists()


def test_an_sms_has_no_subject(channel, club):
    spec = campaigns.CampaignSpec(
        name="Text",
        variants=[campaigns.VariantSpec("A", {"he": {"subject": "מבצע", "body": BODY}})],
        medium=Medium.SMS,
    )
    with pytest.raises(LoyaltyError, match="no subject"):
        campaigns.create(club, spec)


CREATE = """mutation($input: LoyaltyCampaignInput!) {
  loyaltyCampaignCreate(channel: "il", input: $input) {
    campaign { medium variants { contents { language subject body smsSegments { encoding segments units } } } }
    errors { field code message }
  }
}"""


def test_the_api_creates_an_sms_campaign_and_shows_its_segments(channel, staff):
    body = "Hi {first_name}! https://shop.example.co.il/sale {opt_out}"
    contents = [{"language": "HE", "body": BODY}, {"language": "EN", "body": body}]
    result = run(
        CREATE, staff, input={"name": "T", "medium": "SMS", "variants": [{"key": "A", "contents": contents}]}
    )
    created = result.data["loyaltyCampaignCreate"]
    assert created["errors"] == []
    assert created["campaign"]["medium"] == "SMS"
    en, he = created["campaign"]["variants"][0]["contents"]
    assert (he["language"], he["subject"], he["smsSegments"]["encoding"]) == ("HE", "", "UCS2")
    expected = campaign_sms_content.preview(BODY, "he", "IL", "חנות דנה")
    assert he["smsSegments"]["segments"] == expected.segments >= 2
    assert en["smsSegments"]["encoding"] == "UCS2"  # the Hebrew advertising label opens every text in Israel


def test_the_api_refuses_an_sms_without_its_opt_out_and_writes_nothing(channel, staff):
    variants = [{"key": "A", "contents": [{"language": "HE", "body": "שלום"}]}]
    result = run(CREATE, staff, input={"name": "T", "medium": "SMS", "variants": variants})
    errors = result.data["loyaltyCampaignCreate"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("variants.0.he.body", "SMS_OPT_OUT_REQUIRED")]
    assert not Campaign.objects.exists()
