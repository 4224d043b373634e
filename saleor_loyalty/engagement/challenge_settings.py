"""Staff define challenges and badges: validated whole, rules frozen once someone completed, deletion archives.

A challenge's rules (metric, target, window) cannot change after a member completed it: members who
completed and members part-way would have met different rules. Staff archive it and create a new one.
Deleting a challenge whose window has begun, or that anyone completed, archives it: progress and
rewards stop, rewards already given stay, and staff still see it (`archived_at`).
"""

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Max, Sum
from django.utils import timezone

from saleor_loyalty.core.clock import local_date
from saleor_loyalty.exceptions import BadgeNotFound, ChallengeNotFound, InvalidChallenge
from saleor_loyalty.models import (
    Badge,
    BadgeAward,
    Challenge,
    ChallengeCompletion,
    ChallengeMetric,
    ChallengeWindow,
    LoyaltyProgram,
)

MAX_TARGET = 10_000
MAX_TARGET_AMOUNT = Decimal("1000000000")
MAX_WINDOW_DAYS = 3650
ACTION_KIND_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
TEXT_LIMITS = {"name": 100, "name_he": 100, "description": 500, "description_he": 500, "image_url": 500}
RULES = ("metric", "target", "target_amount", "action_kind", "window", "starts_on", "ends_on", "window_days")


def _text(values: dict, required: bool) -> None:
    for name, limit in TEXT_LIMITS.items():
        if name not in values:
            continue
        values[name] = (values[name] or "").strip()
        if len(values[name]) > limit:
            raise InvalidChallenge(f"At most {limit} characters.", name)
    if required and not values.get("name"):
        raise InvalidChallenge("A name is required.", "name")


def _validate(program: LoyaltyProgram, challenge: Challenge) -> None:
    """The whole challenge as it would be saved: each rule names the field it is about."""
    if challenge.metric not in ChallengeMetric.values:
        raise InvalidChallenge("Choose a metric.", "metric")
    if challenge.metric == ChallengeMetric.SPEND:
        amount = challenge.target_amount
        amount = challenge.target_amount = None if amount is None else Decimal(str(amount))
        if amount is None or not Decimal(0) < amount <= MAX_TARGET_AMOUNT or amount.as_tuple().exponent < -2:
            raise InvalidChallenge(
                "A spend challenge needs a positive amount in the currency.", "target_amount"
            )
    elif challenge.target_amount is not None:
        raise InvalidChallenge("Only spend challenges have an amount.", "target_amount")
    if not 1 <= challenge.target <= MAX_TARGET:
        raise InvalidChallenge(f"The target must be 1-{MAX_TARGET}.", "target")
    if challenge.metric == ChallengeMetric.ACTIONS:
        if not ACTION_KIND_PATTERN.match(challenge.action_kind or ""):
            raise InvalidChallenge(
                "An actions challenge needs the action's key (e.g. product_review).", "action_kind"
            )
    elif challenge.action_kind:
        raise InvalidChallenge("Only actions challenges have an action kind.", "action_kind")
    if challenge.starts_on is None:
        raise InvalidChallenge("Give the first day of the challenge.", "starts_on")
    if challenge.window == ChallengeWindow.ROLLING:
        if challenge.ends_on is not None:
            raise InvalidChallenge("A rolling window has no end date; give windowDays.", "ends_on")
        if not challenge.window_days or not 1 <= challenge.window_days <= MAX_WINDOW_DAYS:
            raise InvalidChallenge(f"A rolling window needs 1-{MAX_WINDOW_DAYS} days.", "window_days")
        if challenge.metric == ChallengeMetric.MONTHLY_STREAK:
            raise InvalidChallenge("A streak counts calendar months in a fixed window.", "window")
    elif challenge.window == ChallengeWindow.FIXED:
        if challenge.window_days is not None:
            raise InvalidChallenge("Only rolling windows have a length in days.", "window_days")
        if challenge.ends_on is not None and challenge.ends_on < challenge.starts_on:
            raise InvalidChallenge("The window ends before it starts.", "ends_on")
    else:
        raise InvalidChallenge("Choose a window.", "window")
    if challenge.reward_points > program.max_adjustment_points:
        raise InvalidChallenge(f"At most {program.max_adjustment_points} points.", "reward_points")
    if not challenge.reward_points and challenge.badge_id is None:
        raise InvalidChallenge("Reward points, a badge, or both.", "reward_points")


def _badge_id(program: LoyaltyProgram, badge_id: int | None) -> int | None:
    if badge_id is not None and not Badge.objects.filter(program=program, pk=badge_id).exists():
        raise BadgeNotFound("No such badge in this channel's club.")
    return badge_id


def get_challenge(program: LoyaltyProgram, challenge_id: int | None) -> Challenge:
    challenge = (
        Challenge.objects.filter(program=program, pk=challenge_id).select_related("program", "badge").first()
    )
    if challenge is None:
        raise ChallengeNotFound("No such challenge in this channel's club.")
    return challenge


def create_challenge(program: LoyaltyProgram, **values) -> Challenge:
    _text(values, required=True)
    if "badge_id" in values:
        values["badge_id"] = _badge_id(program, values["badge_id"])
    values.setdefault("starts_on", local_date(timezone.now(), program.timezone))
    challenge = Challenge(program=program, **values)
    if challenge.metric == ChallengeMetric.SPEND and "target" not in values:
        challenge.target = 1
    _validate(program, challenge)
    challenge.save()
    return challenge


def update_challenge(program: LoyaltyProgram, challenge_id: int, **values) -> Challenge:
    challenge = get_challenge(program, challenge_id)
    if challenge.archived_at is not None:
        raise InvalidChallenge("An archived challenge cannot change.", "id")
    _text(values, required=False)
    if "name" in values and not values["name"]:
        raise InvalidChallenge("A name is required.", "name")
    if "badge_id" in values:
        values["badge_id"] = _badge_id(program, values["badge_id"])
    changed_rules = [name for name in RULES if name in values and values[name] != getattr(challenge, name)]
    if changed_rules and ChallengeCompletion.objects.filter(challenge=challenge).exists():
        raise InvalidChallenge(
            "Members completed this challenge: archive it and create a new one to change its rules.",
            changed_rules[0],
        )
    for name, value in values.items():
        setattr(challenge, name, value)
    _validate(program, challenge)
    challenge.save()
    return challenge


def delete_challenge(program: LoyaltyProgram, challenge_id: int, now: datetime | None = None) -> bool:
    """Archive (True) a challenge that began or was completed; delete (False) one nobody could have started."""
    now = now or timezone.now()
    challenge = get_challenge(program, challenge_id)
    if challenge.archived_at is not None:
        return True
    began = challenge.starts_on <= local_date(now, program.timezone)
    if began or ChallengeCompletion.objects.filter(challenge=challenge).exists():
        Challenge.objects.filter(pk=challenge.pk).update(archived_at=now, updated_at=now)
        return True
    challenge.delete()
    return False


def staff_challenges(program: LoyaltyProgram, include_archived: bool = False) -> list[Challenge]:
    challenges = Challenge.objects.filter(program=program).select_related("program", "badge").order_by("pk")
    if not include_archived:
        challenges = challenges.filter(archived_at__isnull=True)
    return list(challenges)


@dataclass(frozen=True)
class ChallengeSummary:
    challenge: Challenge
    completed: int
    points_awarded: int
    badges_awarded: int
    last_completed_at: datetime | None


def summary(program: LoyaltyProgram, challenge_id: int) -> ChallengeSummary:
    challenge = get_challenge(program, challenge_id)
    done = ChallengeCompletion.objects.filter(challenge=challenge).aggregate(
        count=Count("pk"), points=Sum("points"), last=Max("completed_at")
    )
    return ChallengeSummary(
        challenge=challenge,
        completed=done["count"],
        points_awarded=done["points"] or 0,
        badges_awarded=BadgeAward.objects.filter(challenge=challenge).count(),
        last_completed_at=done["last"],
    )


def _image_url(values: dict) -> None:
    url = values.get("image_url")
    if url and not url.startswith(("https://", "http://")):
        raise InvalidChallenge("The image must be an http(s) address.", "image_url")


def create_badge(program: LoyaltyProgram, **values) -> Badge:
    _text(values, required=True)
    _image_url(values)
    return Badge.objects.create(program=program, **values)


def update_badge(program: LoyaltyProgram, badge_id: int, **values) -> Badge:
    badge = Badge.objects.filter(program=program, pk=badge_id).first()
    if badge is None:
        raise BadgeNotFound("No such badge in this channel's club.", "id")
    _text(values, required=False)
    _image_url(values)
    if "name" in values and not values["name"]:
        raise InvalidChallenge("A name is required.", "name")
    for name, value in values.items():
        setattr(badge, name, value)
    badge.save()
    return badge
