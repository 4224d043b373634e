import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import RequestFactory

from saleor_loyalty.core.facts import OrderRef
from saleor_loyalty.insights import campaign_results, campaign_sending, campaigns, feedback, tracking
from saleor_loyalty.ledger import reconcile_account
from saleor_loyalty.messages import consent, pipeline
from saleor_loyalty.models import (
    CampaignConversion,
    CampaignRecipient,
    EntryKind,
    LedgerEntry,
    Medium,
    TrackingEvent,
    TrackingKind,
)

from .conftest import T0, content

PLUGIN = "/plugins/global/saleor.loyalty"


def get(path, method="get", at=T0 + timedelta(hours=1)):
    """The plugin's webhook path (what follows the plugin id) of a full tracking URL, hit at `at`."""
    local = path.split(PLUGIN, 1)[1]
    return tracking.handle(getattr(RequestFactory(), method)(path), local, now=at)


def links_in(message):
    return re.findall(r"https?://\S+/t/c/\S+/", message.body)


def pixel_in(message):
    return re.search(r'src="([^"]+/t/o/[^"]+)"', message.alternatives[0][0]).group(1)


@pytest.fixture
def sent(channel, member, make_campaign):
    """One member, one message sent with two links in it."""
    account = member("a@example.co.il", first_name="Avi")
    body = "שלום {first_name}: https://shop.example.co.il/sale ועוד https://shop.example.co.il/new."
    campaign = make_campaign(
        variants=[campaigns.VariantSpec("A", content(body=body), incentive_points=50)], attribution_days=5
    )
    campaign_sending.run(T0)
    return campaign, account, mail.outbox[0]


def order(account, *, at, channel="il", total="200.00", email=None):
    return OrderRef(
        order_id=uuid.uuid4(),
        channel_slug=channel,
        checkout_token="",
        user_id=account.user_id,
        email=email or account.email,
        total_gross=Decimal(total),
        created_at=at,
    )


def test_open_pixel_records_an_open_and_answers_a_gif(sent):
    campaign, _, message = sent
    response = get(pixel_in(message))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert TrackingEvent.objects.filter(campaign_id=campaign.pk, kind=TrackingKind.OPEN).count() == 1


def test_a_click_redirects_to_the_contents_own_link_and_is_counted(sent):
    campaign, _, message = sent
    first, second = links_in(message)
    assert get(first)["Location"] == "https://shop.example.co.il/sale"
    response = get(second)
    assert response.status_code == 302
    assert response["Location"] == "https://shop.example.co.il/new"  # the trailing full stop stays text
    assert list(TrackingEvent.objects.values_list("kind", "link_index")) == [("click", 0), ("click", 1)]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda url: url.replace("/t/c/", "/t/c/9"),  # another message id
        lambda url: re.sub(r"\.(\d+)\.([0-9a-f]{32})/$", lambda m: f".7.{m.group(2)}/", url),  # link 7
        lambda url: url[:-3] + ("0" if url[-3] != "0" else "1") + url[-2:],  # the tag itself
        lambda url: url.replace("/t/c/", "/t/c/1.2.3.he.0.").rsplit(".", 1)[0] + ".https://evil.example/",
    ],
)
def test_a_tampered_click_link_is_refused_and_records_nothing(sent, tamper):
    _, _, message = sent
    response = get(tamper(links_in(message)[0]))
    assert response.status_code in (400, 404)
    assert "Location" not in response
    assert not TrackingEvent.objects.exists()


def test_a_link_index_outside_the_content_is_refused_even_when_signed(sent):
    campaign, _, message = sent
    log = CampaignRecipient.objects.get().message
    forged = tracking.click_url(log.pk, campaign.pk, campaign.variants.get().pk, "he", 2)
    assert get(forged).status_code == 404
    assert get(forged.replace("/t/c/", "/t/c/x")).status_code == 404


def test_head_requests_from_link_scanners_record_nothing(sent):
    _, _, message = sent
    assert get(links_in(message)[0], method="head").status_code == 302
    assert not TrackingEvent.objects.exists()


def test_an_order_after_a_click_converts_once_and_earns_the_variants_bonus(sent):
    campaign, account, message = sent
    get(links_in(message)[0])
    placed = order(account, at=T0 + timedelta(days=2))

    first = tracking.attribute_order(placed, T0 + timedelta(days=2))
    again = tracking.attribute_order(placed, T0 + timedelta(days=2, minutes=1))  # Saleor sent it twice

    assert first == again
    assert (first.amount, first.currency, first.variant.key) == (Decimal("200.00"), "ILS", "A")
    bonus = LedgerEntry.objects.get(kind=EntryKind.CAMPAIGN_BONUS)
    assert (bonus.points, bonus.account_id) == (50, account.pk)
    account.refresh_from_db()
    assert reconcile_account(account) == 0
    result = campaign_results.results(campaign)
    assert (result.variants[0].clicked, result.variants[0].converted) == (1, 1)
    assert result.variants[0].revenue == Decimal("200.00")


def test_an_order_after_the_window_or_without_a_click_does_not_convert(sent):
    _, account, message = sent
    assert tracking.attribute_order(order(account, at=T0 + timedelta(days=1)), T0) is None  # no click
    get(links_in(message)[0])
    late = order(account, at=T0 + timedelta(days=6))  # the click was on T0's day, the window is 5 days
    assert tracking.attribute_order(late, T0 + timedelta(days=6)) is None
    assert not CampaignConversion.objects.exists()


def test_an_order_in_another_channel_and_currency_never_converts_here(sent, us_channel, member):
    # given the member also belongs to the USD channel and clicked the ILS campaign's message
    _, account, message = sent
    us_account = member("a@example.co.il", channel="us")
    get(links_in(message)[0])

    # when they order in the USD channel
    converted = tracking.attribute_order(order(us_account, at=T0 + timedelta(days=1), channel="us"), T0)

    # then the ILS campaign counts nothing: revenue stays in one currency
    assert converted is None
    assert not CampaignConversion.objects.exists()
    assert not LedgerEntry.objects.filter(kind=EntryKind.CAMPAIGN_BONUS).exists()


def test_a_member_in_two_channels_gets_one_message_per_channel_campaign(
    channel, us_channel, member, make_campaign
):
    member("a@example.co.il")
    member("a@example.co.il", channel="us")
    make_campaign()  # the il campaign
    campaign_sending.run(T0)
    assert [m.to for m in mail.outbox] == [["a@example.co.il"]]
    assert CampaignRecipient.objects.get().account.program.channel_slug == "il"


def test_a_complaint_is_counted_and_suppresses_the_person(sent):
    campaign, account, _ = sent
    log = CampaignRecipient.objects.get().message
    assert feedback.record(
        pipeline.message_id(log, "shop@example.co.il"), "complaint", "ses", T0 + timedelta(hours=1)
    )
    assert consent.current_state("il", Medium.EMAIL, account.email).suppressed
    result = campaign_results.results(campaign)
    assert (result.variants[0].complaints, result.variants[0].unsubscribed) == (1, 1)
