"""Who a campaign is for, resolved in one place: every audience kind answers the same two questions.

`accounts(...)` is the audience as a queryset of live accounts of the campaign's channel (merged guest
accounts are gone); `members_among(...)` re-checks a batch at send time, so a member who left the tier
(or, later, the segment) since enrolment gets nothing. ALL and TIERS are here; SEGMENT is refused until
the segments package provides its membership (one branch below).
"""

from django.db.models import Q

from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.models import AudienceKind, LoyaltyAccount, LoyaltyProgram, Tier

MAX_TIERS = 20


class InvalidAudience(LoyaltyError):
    """The audience names tiers of another channel, none at all, or a kind not available yet."""

    field = "audience"


def validate(program: LoyaltyProgram, kind: str, tier_ids: list[int], segment_id: int | None) -> list[int]:
    """The audience's tier ids, checked against the program's ladder."""
    if kind == AudienceKind.ALL:
        return []
    if kind == AudienceKind.TIERS:
        wanted = sorted(set(tier_ids))
        if not wanted or len(wanted) > MAX_TIERS:
            raise InvalidAudience(f"Name 1 to {MAX_TIERS} tiers.", "audience_tier_ids")
        found = set(Tier.objects.filter(program=program, pk__in=wanted).values_list("pk", flat=True))
        if found != set(wanted):
            raise InvalidAudience("A tier is not in this channel's program.", "audience_tier_ids")
        return wanted
    raise InvalidAudience("Segment audiences arrive with the segments feature.", "audience_kind")


def _tier_condition(program_id: int, tier_ids: list[int]) -> Q:
    """An account with no tier holds the program's first tier."""
    first = (
        Tier.objects.filter(program_id=program_id).order_by("position").values_list("pk", flat=True).first()
    )
    condition = Q(tier_id__in=tier_ids)
    if first in tier_ids:
        condition |= Q(tier__isnull=True)
    return condition


def accounts(campaign):
    """The campaign's audience now: live accounts of its channel, narrowed by its kind."""
    base = LoyaltyAccount.objects.filter(
        program__channel_slug=campaign.channel_slug, merged_into__isnull=True
    )
    if campaign.audience_kind == AudienceKind.ALL:
        return base
    if campaign.audience_kind == AudienceKind.TIERS:
        program_id = LoyaltyProgram.objects.filter(channel_slug=campaign.channel_slug).values_list(
            "pk", flat=True
        )[0]
        return base.filter(_tier_condition(program_id, list(campaign.audience_tier_ids)))
    raise InvalidAudience("Segment audiences arrive with the segments feature.", "audience_kind")


def members_among(campaign, account_ids) -> set[int]:
    """Which of these accounts are in the audience right now (one query)."""
    return set(accounts(campaign).filter(pk__in=list(account_ids)).values_list("pk", flat=True))
