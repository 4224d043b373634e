"""Who a campaign is for, resolved in one place: every audience kind answers the same two questions.

`accounts(...)` is the audience as a queryset of live accounts of the campaign's channel (merged guest
accounts are gone); `members_among(...)` re-checks a batch at send time, so a member who left the tier
or the segment since enrolment gets nothing. A SEGMENT audience is either a named segment (membership as
the nightly run left it) or a saved segment (its filters evaluated when asked, so also at send time); a
saved segment deleted after the campaign was saved leaves it with nobody, never with everyone.
"""

from django.db.models import Q

from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.insights import saved_segments
from saleor_loyalty.models import (
    AudienceKind,
    LoyaltyAccount,
    LoyaltyProgram,
    NamedSegment,
    SavedSegment,
    SegmentMembership,
    Tier,
)

MAX_TIERS = 20


class InvalidAudience(LoyaltyError):
    """The audience names tiers or a segment of another channel, none at all, or mixes kinds."""

    field = "audience"


def validate(
    program: LoyaltyProgram,
    kind: str,
    tier_ids: list[int],
    segment_id: int | None,
    named_segment: str = "",
) -> list[int]:
    """The audience's tier ids, checked against the program's ladder; a SEGMENT audience names exactly one
    named or saved segment of the program (what other kinds carry is not stored: see campaigns._fields)."""
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
    if kind == AudienceKind.SEGMENT:
        if (segment_id is None) == (not named_segment):
            raise InvalidAudience("Name one segment: a named one or a saved one.", "audience_segment")
        if named_segment and named_segment not in NamedSegment.values:
            raise InvalidAudience(f"Named segments are {', '.join(NamedSegment.values)}.", "audience_segment")
        if (
            segment_id is not None
            and not SavedSegment.objects.filter(program=program, pk=segment_id).exists()
        ):
            raise InvalidAudience(
                "No saved segment with this id in the channel.", "audience_saved_segment_id"
            )
        return []
    raise InvalidAudience("Unknown audience kind.", "audience_kind")


def _tier_condition(program_id: int, tier_ids: list[int]) -> Q:
    """An account with no tier holds the program's first tier."""
    first = (
        Tier.objects.filter(program_id=program_id).order_by("position").values_list("pk", flat=True).first()
    )
    condition = Q(tier_id__in=tier_ids)
    if first in tier_ids:
        condition |= Q(tier__isnull=True)
    return condition


def _in_segment(campaign, program: LoyaltyProgram):
    """The accounts in the campaign's segment now, as a subquery of ids."""
    if campaign.audience_named_segment:
        return SegmentMembership.objects.filter(
            program=program, segment=campaign.audience_named_segment
        ).values("account_id")
    saved = SavedSegment.objects.filter(program=program, pk=campaign.audience_segment_id).first()
    if saved is None:
        return LoyaltyAccount.objects.none().values("pk")
    return saved_segments.members(program, saved.filters).values("pk")


def accounts(campaign):
    """The campaign's audience now: live accounts of its channel, narrowed by its kind."""
    base = LoyaltyAccount.objects.filter(
        program__channel_slug=campaign.channel_slug, merged_into__isnull=True
    )
    if campaign.audience_kind == AudienceKind.ALL:
        return base
    program = LoyaltyProgram.objects.get(channel_slug=campaign.channel_slug)
    if campaign.audience_kind == AudienceKind.TIERS:
        return base.filter(_tier_condition(program.pk, list(campaign.audience_tier_ids)))
    if campaign.audience_kind == AudienceKind.SEGMENT:
        return base.filter(pk__in=_in_segment(campaign, program))
    raise InvalidAudience("Unknown audience kind.", "audience_kind")


def members_among(campaign, account_ids) -> set[int]:
    """Which of these accounts are in the audience right now (one query)."""
    return set(accounts(campaign).filter(pk__in=list(account_ids)).values_list("pk", flat=True))
