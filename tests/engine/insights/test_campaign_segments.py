"""A campaign to a named or saved segment: checked at save, re-checked at send time like tiers."""

from datetime import timedelta

import graphene
import pytest
from django.core import mail
from django.utils import timezone

from saleor_loyalty.insights import audiences, campaign_sending, campaigns, saved_segments
from saleor_loyalty.insights.audiences import InvalidAudience
from saleor_loyalty.models import (
    AudienceKind,
    Campaign,
    CampaignRecipient,
    LoyaltyProgram,
    Membership,
    MembershipPlan,
    MembershipStatus,
    NamedSegment,
    SegmentMembership,
)
from tests.engine.api import run

from .conftest import T0, content
from .test_campaign_api import CREATE, variant


def in_segment(account, segment=NamedSegment.AT_RISK):
    SegmentMembership.objects.create(account=account, program=account.program, segment=segment, since=T0)


def paying(club, *accounts):
    plan = MembershipPlan.objects.create(
        program=club, variant_id=501, name="Gold club", term="monthly", tier=club.tiers.get(name="Gold")
    )
    now = timezone.now()
    for account in accounts:
        Membership.objects.create(
            program=club,
            account=account,
            plan=plan,
            started_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=29),
            plan_ends_at=now + timedelta(days=29),
        )


def test_a_named_segment_campaign_reaches_its_members_and_rechecks_at_send_time(
    channel, member, make_campaign
):
    stays, leaver = member("stays@example.co.il"), member("leaver@example.co.il")
    member("outside@example.co.il")
    in_segment(stays)
    in_segment(leaver)
    campaign = make_campaign(audience_kind=AudienceKind.SEGMENT, audience_named_segment=NamedSegment.AT_RISK)
    campaign_sending.start_due(T0)
    campaign_sending.enrol(campaign.pk, T0)

    SegmentMembership.objects.filter(account=leaver).delete()  # the nightly run moved them on
    campaign_sending.run(T0 + timedelta(minutes=1))

    assert [m.to[0] for m in mail.outbox] == ["stays@example.co.il"]
    assert CampaignRecipient.objects.get(account=leaver).reason == "left the audience"
    assert not CampaignRecipient.objects.filter(account__email="outside@example.co.il").exists()


def test_a_saved_segment_campaign_evaluates_its_filters_at_send_time(channel, club, member, make_campaign):
    stays, leaver = member("stays@example.co.il"), member("leaver@example.co.il")
    member("never@example.co.il")
    paying(club, stays, leaver)
    saved = saved_segments.create(club, "Paying members", {"paid_membership": ["active"]})
    campaign = make_campaign(audience_kind=AudienceKind.SEGMENT, audience_segment_id=saved.pk)
    campaign_sending.start_due(T0)
    campaign_sending.enrol(campaign.pk, T0)
    assert CampaignRecipient.objects.count() == 2

    Membership.objects.filter(account=leaver).update(status=MembershipStatus.ENDED)  # refunded
    campaign_sending.run(T0 + timedelta(minutes=1))

    assert [m.to[0] for m in mail.outbox] == ["stays@example.co.il"]
    assert CampaignRecipient.objects.get(account=leaver).reason == "left the audience"


def test_a_deleted_saved_segment_leaves_the_campaign_with_nobody(channel, club, member, make_campaign):
    member("a@example.co.il")
    saved = saved_segments.create(club, "Never paid", {"paid_membership": ["none"]})
    campaign = make_campaign(
        audience_kind=AudienceKind.SEGMENT, audience_segment_id=saved.pk, schedule_at=None
    )
    assert audiences.accounts(campaign).count() == 1
    saved_segments.delete(club, saved.pk)
    assert audiences.accounts(campaign).count() == 0


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({}, "audience_segment"),
        ({"audience_named_segment": "whales"}, "audience_segment"),
        ({"audience_named_segment": "loyal", "audience_segment_id": "saved"}, "audience_segment"),
        ({"audience_segment_id": 999_999}, "audience_saved_segment_id"),
        ({"audience_segment_id": "foreign"}, "audience_saved_segment_id"),
    ],
)
def test_a_segment_audience_names_exactly_one_segment_of_the_channel(club, us_channel, given, field):
    mine = saved_segments.create(club, "Mine", {"orders_min": 1})
    theirs = saved_segments.create(LoyaltyProgram.objects.get(channel_slug="us"), "Theirs", {"orders_min": 1})
    ids = {"saved": mine.pk, "foreign": theirs.pk}
    given = {name: ids.get(value, value) for name, value in given.items()}
    spec = campaigns.CampaignSpec(
        name="Sale",
        variants=[campaigns.VariantSpec("A", content())],
        audience_kind=AudienceKind.SEGMENT,
        **given,
    )
    with pytest.raises(InvalidAudience) as refused:
        campaigns.create(club, spec)
    assert refused.value.field == field
    assert not Campaign.objects.exists()


def test_changing_the_kind_away_from_segment_forgets_the_segment(club, make_campaign):
    campaign = make_campaign(
        audience_kind=AudienceKind.SEGMENT, audience_named_segment=NamedSegment.LOYAL, schedule_at=None
    )
    spec = campaigns.spec_of(campaign)
    changed = campaigns.update(
        campaign, club, campaigns.CampaignSpec(**{**spec.__dict__, "audience_kind": "all"})
    )
    assert (changed.audience_named_segment, changed.audience_segment_id) == ("", None)


READ = """query($id: ID!) { campaign(channel: "il", id: $id) { audienceKind audienceSegment audienceSavedSegmentId } }"""


def test_staff_target_a_named_or_saved_segment_through_the_api(channel, club, staff):
    saved = saved_segments.create(club, "VIP", {"orders_min": 4})
    saved_id = graphene.Node.to_global_id("LoyaltySavedSegment", saved.pk)
    named = run(
        CREATE,
        staff,
        input={
            "name": "Win back",
            "audienceKind": "SEGMENT",
            "audienceSegment": "AT_RISK",
            "variants": [variant("A", "היי")],
        },
    ).data["loyaltyCampaignCreate"]
    assert named["errors"] == []
    found = run(READ, staff, id=named["campaign"]["id"]).data["campaign"]
    assert found == {"audienceKind": "SEGMENT", "audienceSegment": "AT_RISK", "audienceSavedSegmentId": None}
    by_saved = run(
        CREATE,
        staff,
        input={
            "name": "VIP",
            "audienceKind": "SEGMENT",
            "audienceSavedSegmentId": saved_id,
            "variants": [variant("A", "היי")],
        },
    ).data["loyaltyCampaignCreate"]
    found = run(READ, staff, id=by_saved["campaign"]["id"]).data["campaign"]
    assert found == {"audienceKind": "SEGMENT", "audienceSegment": None, "audienceSavedSegmentId": saved_id}
    both = run(
        CREATE,
        staff,
        input={
            "name": "Both",
            "audienceKind": "SEGMENT",
            "audienceSegment": "LOYAL",
            "audienceSavedSegmentId": saved_id,
            "variants": [variant("A", "היי")],
        },
    ).data["loyaltyCampaignCreate"]
    assert [error["field"] for error in both["errors"]] == ["audienceSegment"]
    assert Campaign.objects.count() == 2
