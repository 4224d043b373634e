"""Badges: earned once per member (a unique constraint decides, not a check), kept for good."""

from datetime import datetime

from django.db import IntegrityError, transaction

from saleor_loyalty.models import Badge, BadgeAward, Challenge, LoyaltyAccount, LoyaltyProgram

BADGE_AWARD_UNIQUE = "loyalty_badge_award_uniq"


def award_badge(account: LoyaltyAccount, badge_id: int, challenge: Challenge | None, now: datetime):
    """Give the member the badge unless they hold it already; None when they did (replays, two challenges
    with one badge). Runs in its own savepoint so the caller's transaction goes on either way."""
    try:
        with transaction.atomic():
            return BadgeAward.objects.create(
                badge_id=badge_id, account=account, challenge=challenge, earned_at=now
            )
    except IntegrityError as error:
        if getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) == BADGE_AWARD_UNIQUE:
            return None
        raise


def member_badges(account: LoyaltyAccount | None) -> list[BadgeAward]:
    """The member's badges with the date each was earned, newest first (one query)."""
    if account is None:
        return []
    return list(
        BadgeAward.objects.filter(account=account).select_related("badge").order_by("-earned_at", "-pk")
    )


def program_badges(program: LoyaltyProgram) -> list[Badge]:
    return list(Badge.objects.filter(program=program).order_by("pk"))
