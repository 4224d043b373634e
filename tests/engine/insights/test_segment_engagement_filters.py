"""Saved-segment filters over the engagement rows: badges earned, referrals, paid membership (strict input)."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import graphene
import pytest
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.insights import saved_segments
from saleor_loyalty.models import (
    Badge,
    BadgeAward,
    LoyaltyProgram,
    Membership,
    MembershipPlan,
    MembershipStatus,
    Referral,
    ReferralStatus,
    SavedSegment,
)
from tests.engine.api import run

EARNED = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def cast(club, members):
    """Five members: a badge holder, a rewarded referrer, the friend they brought, a paying member and one
    whose membership ended, plus a referrer whose friend's order was refunded (reversed)."""
    users = members(6)
    ann, ben, cat, dan, eve, fay = (ledger.account_for(club, user.pk, user.email) for user in users)
    badge, other_badge = (Badge.objects.create(program=club, name=name) for name in ("Explorer", "Critic"))
    BadgeAward.objects.create(badge=badge, account=ann, earned_at=EARNED)
    BadgeAward.objects.create(badge=other_badge, account=dan, earned_at=EARNED)

    def referral(referrer, friend, status):
        return Referral.objects.create(
            program=club, referrer=referrer, code="CODE", checkout_token=uuid.uuid4(), status=status,
            friend_user_id=friend.user_id if friend else None, friend_email=friend.email if friend else "x@y.co",
        )  # fmt: skip

    referral(ben, cat, ReferralStatus.REWARDED)
    referral(fay, None, ReferralStatus.REVERSED)
    plan = MembershipPlan.objects.create(
        program=club, variant_id=501, name="Gold club", term="monthly", tier=club.tiers.get(name="Gold")
    )
    now = timezone.now()
    Membership.objects.create(
        program=club,
        account=dan,
        plan=plan,
        started_at=now - timedelta(days=5),
        ends_at=now + timedelta(days=25),
        plan_ends_at=now + timedelta(days=25),
    )
    Membership.objects.create(
        program=club, account=eve, plan=plan, status=MembershipStatus.ENDED,
        started_at=now - timedelta(days=60), ends_at=now - timedelta(days=30),
        plan_ends_at=now - timedelta(days=30),
    )  # fmt: skip
    return {
        "ann": ann,
        "ben": ben,
        "cat": cat,
        "dan": dan,
        "eve": eve,
        "fay": fay,
        "badges": (badge, other_badge),
    }


def names(club, cast, filters):
    by_pk = {account.pk: name for name, account in cast.items() if name != "badges"}
    return sorted(by_pk[pk] for pk in saved_segments.members(club, filters).values_list("pk", flat=True))


def test_badge_filter_matches_any_of_the_badges(club, cast):
    badge, other = cast["badges"]
    assert names(club, cast, {"badge_ids": [badge.pk]}) == ["ann"]
    assert names(club, cast, {"badge_ids": [badge.pk, other.pk]}) == ["ann", "dan"]


def test_referral_filters(club, cast):
    assert names(club, cast, {"referred_a_friend": True}) == ["ben"]  # fay's friend was refunded
    assert names(club, cast, {"referred_a_friend": False}) == ["ann", "cat", "dan", "eve", "fay"]
    assert names(club, cast, {"was_referred": True}) == ["cat"]
    assert "cat" not in names(club, cast, {"was_referred": False})


def test_paid_membership_filter(club, cast):
    assert names(club, cast, {"paid_membership": ["active"]}) == ["dan"]
    assert names(club, cast, {"paid_membership": ["ended"]}) == ["eve"]
    assert names(club, cast, {"paid_membership": ["none"]}) == ["ann", "ben", "cat", "fay"]
    assert names(club, cast, {"paid_membership": ["active", "ended"]}) == ["dan", "eve"]
    # the expiry job has not run yet, but the term is over: ended, not active
    over = timezone.now() - timedelta(minutes=1)
    Membership.objects.filter(account=cast["dan"]).update(ends_at=over, plan_ends_at=over)
    assert names(club, cast, {"paid_membership": ["active"]}) == []
    assert names(club, cast, {"paid_membership": ["ended"]}) == ["dan", "eve"]


def test_filters_combine(club, cast):
    assert names(
        club, cast, {"paid_membership": ["none"], "was_referred": False, "referred_a_friend": False}
    ) == [
        "ann",
        "fay",
    ]


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"badge_ids": []}, "badge_ids"),
        ({"badge_ids": ["1"]}, "badge_ids"),
        ({"badge_ids": list(range(1, 22))}, "badge_ids"),
        ({"badge_ids": [999_999]}, "badge_ids"),
        ({"referred_a_friend": "yes"}, "referred_a_friend"),
        ({"was_referred": 1}, "was_referred"),
        ({"paid_membership": "active"}, "paid_membership"),
        ({"paid_membership": ["paused"]}, "paid_membership"),
        ({"paid_membership": []}, "paid_membership"),
    ],
)
def test_bad_filters_are_refused_on_their_field(club, cast, filters, field):
    with pytest.raises(LoyaltyError) as refused:
        saved_segments.create(club, "Bad", filters)
    assert refused.value.field == field
    assert not SavedSegment.objects.exists()


def test_a_badge_of_another_channel_is_refused(club, cast, us_channel):
    foreign = Badge.objects.create(program=LoyaltyProgram.objects.get(channel_slug="us"), name="Elsewhere")
    with pytest.raises(LoyaltyError) as refused:
        saved_segments.create(club, "Foreign", {"badge_ids": [foreign.pk]})
    assert refused.value.field == "badge_ids"


CREATE = """mutation($input: LoyaltySavedSegmentInput!) { loyaltySavedSegmentCreate(channel: "il", input: $input) {
  errors { field code } savedSegment { name filters } } }"""


def test_staff_save_an_engagement_segment_through_the_api(club, cast, staff):
    badge, _ = cast["badges"]
    result = run(
        CREATE,
        staff,
        input={
            "name": "Badge holders never paid",
            "filters": {
                "badgeIds": [graphene.Node.to_global_id("LoyaltyBadge", badge.pk)],
                "paidMembership": ["NONE"],
                "wasReferred": False,
            },
        },
    ).data["loyaltySavedSegmentCreate"]
    assert result["errors"] == []
    saved = json.loads(result["savedSegment"]["filters"])
    assert saved == {"badge_ids": [badge.pk], "paid_membership": ["none"], "was_referred": False}
    assert names(club, cast, saved) == ["ann"]
    wrong = run(
        CREATE,
        staff,
        input={"name": "Wrong", "filters": {"badgeIds": [graphene.Node.to_global_id("User", 1)]}},
    ).data["loyaltySavedSegmentCreate"]
    assert wrong["errors"][0]["field"] == "badgeIds"
