"""Badges: earned once per member (a unique constraint decides, not a check), kept for good."""

from saleor_loyalty.models import Badge, BadgeAward, LoyaltyAccount, LoyaltyProgram

BADGE_AWARD_UNIQUE = "loyalty_badge_award_uniq"  # inserts of awards go `ON CONFLICT` on it


def member_badges(account: LoyaltyAccount | None) -> list[BadgeAward]:
    """The member's badges with the date each was earned, newest first (one query)."""
    if account is None:
        return []
    return list(
        BadgeAward.objects.filter(account=account).select_related("badge").order_by("-earned_at", "-pk")
    )


def program_badges(program: LoyaltyProgram) -> list[Badge]:
    return list(Badge.objects.filter(program=program).order_by("pk"))
