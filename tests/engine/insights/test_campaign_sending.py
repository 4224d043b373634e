from datetime import timedelta

import pytest
from django.core import mail

from saleor_loyalty.insights import campaign_sending, campaigns
from saleor_loyalty.insights.merge_fields import UnknownMergeField
from saleor_loyalty.messages import club, consent
from saleor_loyalty.models import (
    AudienceKind,
    CampaignRecipient,
    CampaignStatus,
    Medium,
    MessageLog,
    MessageStatus,
    RecipientStatus,
)

from .conftest import T0, content


def tiers(club, *names):
    return [club.tiers.get(name=name).pk for name in names]


def test_a_campaign_to_a_tier_reaches_exactly_its_consenting_members(channel, club, member, make_campaign):
    # given two consenting Gold members, one Gold member without consent and a consenting Regular member
    member("a@example.co.il", tier="Gold", first_name="Avi", balance=240)
    member("b@example.co.il", tier="Gold", first_name="Bat")
    member("c@example.co.il", tier="Gold", consent=False)
    member("r@example.co.il")
    campaign = make_campaign(audience_kind=AudienceKind.TIERS, audience_tier_ids=tiers(club, "Gold"))

    # when the job runs
    campaign_sending.run(T0)

    # then exactly the two consenting Gold members got it, merged, labelled, with tracked links and a pixel
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.co.il", "b@example.co.il"]
    avi = next(m for m in mail.outbox if m.to == ["a@example.co.il"])
    assert avi.subject == "פרסומת: מבצע לחברי זהב"  # the tier in the message's language
    assert "שלום Avi, יש לך 240 נקודות." in avi.body
    assert "https://shop.example.co.il/sale" not in avi.body
    assert "/plugins/global/saleor.loyalty/t/c/" in avi.body
    html = avi.alternatives[0][0]
    assert "/plugins/global/saleor.loyalty/t/o/" in html
    skipped = CampaignRecipient.objects.get(account__email="c@example.co.il")
    assert (skipped.status, skipped.reason) == (RecipientStatus.SKIPPED, "no recorded opt-in")
    assert not CampaignRecipient.objects.filter(account__email="r@example.co.il").exists()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_a_member_who_unsubscribes_mid_campaign_gets_nothing_more(channel, member, make_campaign):
    # given a campaign sending one message per batch to two members
    member("a@example.co.il")
    member("b@example.co.il")
    campaign = make_campaign()
    campaign_sending.start_due(T0)
    campaign_sending.enrol(campaign.pk, T0)
    assert campaign_sending.send_batch(campaign.pk, T0, limit=1).sent == 1
    first = mail.outbox[0].to[0]
    other = "b@example.co.il" if first == "a@example.co.il" else "a@example.co.il"

    # when the other one unsubscribes before their turn
    consent.suppress(Medium.EMAIL, other)
    report = campaign_sending.send_batch(campaign.pk, T0 + timedelta(seconds=5), limit=1)

    # then they get nothing, and the reason is on their row
    assert (report.sent, report.skipped) == (0, 1)
    assert len(mail.outbox) == 1
    row = CampaignRecipient.objects.get(account__email=other)
    assert (row.status, row.reason, row.message_id) == (RecipientStatus.SKIPPED, "unsubscribed", None)


def test_the_split_is_the_same_when_enrolment_is_resumed(channel, member, make_campaign):
    # given 60 members and a campaign with two variants and a 20 % holdout
    for i in range(60):
        member(f"m{i}@example.co.il")
    variants = [campaigns.VariantSpec("A", content()), campaigns.VariantSpec("B", content("אחר"))]
    campaign = make_campaign(variants=variants, holdout_percent=20)

    # when enrolment stops after two small batches (a worker died) and another worker resumes it
    campaign_sending.start_due(T0)
    assert campaign_sending.enrol(campaign.pk, T0, batch=7, max_batches=2) == 14
    first_part = dict(CampaignRecipient.objects.values_list("account_id", "variant_id"))
    assert campaign_sending.enrol(campaign.pk, T0 + timedelta(minutes=3), batch=25) == 46
    campaign_sending.enrol(campaign.pk, T0 + timedelta(minutes=4))  # a late duplicate run adds nothing

    # then the resumed part kept its draws, every member is enrolled once, and the draw is the pure function
    split = dict(CampaignRecipient.objects.values_list("account_id", "variant_id"))
    assert len(split) == CampaignRecipient.objects.count() == 60
    assert {k: split[k] for k in first_part} == first_part
    pairs = list(campaign.variants.order_by("key").values_list("pk", "weight"))
    assert all(split[a] == campaign_sending.assign(campaign.seed, a, pairs, 20) for a in split)
    groups = list(split.values())
    assert groups.count(None) > 0
    assert len(set(groups)) == 3  # holdout, A and B all drawn


def test_a_tier_that_changes_while_sending_is_rechecked_at_send_time(channel, club, member, make_campaign):
    # given a Gold campaign enrolled with two Gold members
    leaver = member("leaver@example.co.il", tier="Gold")
    member("stays@example.co.il", tier="Gold")
    campaign = make_campaign(audience_kind=AudienceKind.TIERS, audience_tier_ids=tiers(club, "Gold"))
    campaign_sending.start_due(T0)
    campaign_sending.enrol(campaign.pk, T0)

    # when one drops to Regular and a new Gold member appears before sending
    leaver.tier = club.tiers.get(name="Regular")
    leaver.save()
    member("newcomer@example.co.il", tier="Gold")
    campaign_sending.run(T0 + timedelta(minutes=1))

    # then the leaver is skipped and the newcomer, who joined after enrolment, is not added
    assert [m.to[0] for m in mail.outbox] == ["stays@example.co.il"]
    assert CampaignRecipient.objects.get(account=leaver).reason == "left the audience"
    assert not CampaignRecipient.objects.filter(account__email="newcomer@example.co.il").exists()


def test_the_marketing_email_gap_holds_a_member_until_it_passes(channel, member, make_campaign):
    member("a@example.co.il")
    first = make_campaign(name="first")
    campaign_sending.run(T0)
    second = make_campaign(name="second", schedule_at=T0 + timedelta(hours=1))

    report = campaign_sending.run(T0 + timedelta(hours=1))

    assert report.held == 1
    assert len(mail.outbox) == 1
    row = CampaignRecipient.objects.get(campaign=second)
    assert row.not_before == T0 + timedelta(hours=16)
    campaign_sending.run(T0 + timedelta(hours=16, minutes=1))
    assert len(mail.outbox) == 2
    assert first.pk != second.pk


def test_nothing_goes_out_on_shabbat_and_the_campaign_resumes_after_it(channel, member, make_campaign):
    from datetime import UTC, datetime

    member("a@example.co.il")
    friday = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)  # 16:00 in Israel
    make_campaign(schedule_at=friday)
    campaign_sending.run(friday)
    assert mail.outbox == []
    campaign_sending.run(datetime(2026, 11, 21, 19, 30, tzinfo=UTC))
    assert len(mail.outbox) == 1


def test_sending_is_throttled_per_minute_across_runs(channel, member, make_campaign):
    for i in range(5):
        member(f"m{i}@example.co.il")
    make_campaign(send_rate_per_minute=2)
    campaign_sending.run(T0)
    assert len(mail.outbox) == 2
    campaign_sending.run(T0 + timedelta(seconds=30))
    assert len(mail.outbox) == 2
    campaign_sending.run(T0 + timedelta(seconds=61))
    assert len(mail.outbox) == 4


def test_a_claim_whose_worker_died_is_delivered_once_by_the_messaging_retry(channel, member, make_campaign):
    # given a member's message claimed by a worker that died before the provider was asked
    member("a@example.co.il", first_name="Avi", balance=100)
    campaign = make_campaign()
    campaign_sending.start_due(T0)
    campaign_sending.enrol(campaign.pk, T0)
    from django.db import transaction

    with transaction.atomic():
        _, claims = campaign_sending._claim(campaign.pk, T0, 10, campaign_sending.SendReport())
    assert len(claims) == 1
    assert mail.outbox == []

    # when the lease runs out: the messaging beat retries the same row, and a second run sends nothing new
    assert club.retry_due(T0 + timedelta(minutes=11)) == 1
    campaign_sending.run(T0 + timedelta(minutes=12))

    assert len(mail.outbox) == 1
    assert "שלום Avi, יש לך 100 נקודות." in mail.outbox[0].body
    assert MessageLog.objects.get(pk=claims[0].pk).status == MessageStatus.SENT


def test_unknown_merge_fields_are_refused_at_save(club):
    spec = campaigns.CampaignSpec(
        name="x", variants=[campaigns.VariantSpec("A", content(body="Hi {nickname}"))]
    )
    with pytest.raises(UnknownMergeField) as refused:
        campaigns.create(club, spec)
    assert refused.value.field == "variants.0.he.body"


def test_a_scheduled_campaign_cannot_be_changed(club, make_campaign):
    campaign = make_campaign()
    with pytest.raises(campaigns.CampaignNotEditable):
        campaigns.update(campaign, club, campaigns.spec_of(campaign))


def test_cancelling_skips_everyone_not_yet_claimed(channel, member, make_campaign):
    member("a@example.co.il")
    campaign = make_campaign()
    campaign_sending.start_due(T0)
    campaign_sending.enrol(campaign.pk, T0)
    campaigns.cancel(campaign, T0)
    campaign_sending.run(T0 + timedelta(minutes=1))
    assert mail.outbox == []
    assert CampaignRecipient.objects.get().reason == "campaign cancelled"
