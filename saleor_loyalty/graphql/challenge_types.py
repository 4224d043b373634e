"""Challenges and badges on the API: definitions for staff and storefronts, a member's progress and badges."""

import graphene

from saleor_loyalty.graphql.enums import LanguageCodeEnum, choices_enum
from saleor_loyalty.graphql.ids import to_global_id
from saleor_loyalty.graphql.money import MoneyType
from saleor_loyalty.models import ChallengeMetric, ChallengeWindow

ChallengeMetricEnum = choices_enum(
    "LoyaltyChallengeMetric", ChallengeMetric.values, "What a challenge counts towards its target."
)
ChallengeWindowEnum = choices_enum(
    "LoyaltyChallengeWindow", ChallengeWindow.values, "Fixed dates for everyone, or a rolling run of days."
)


def localized(default: str, hebrew: str, language_code: str | None) -> str:
    """The Hebrew text for HE when staff gave one, else the default."""
    return hebrew if hebrew and (language_code or "").lower().startswith("he") else default


class BadgeType(graphene.ObjectType):
    """A badge members earn once and keep."""

    id = graphene.ID(required=True, description="Global ID of the badge.")
    name = graphene.String(
        required=True,
        language_code=LanguageCodeEnum(description="Answer in this language when the badge has it."),
        description="The badge's name.",
    )
    name_he = graphene.String(required=True, description="Hebrew name; empty when not given.")
    description = graphene.String(
        required=True,
        language_code=LanguageCodeEnum(description="Answer in this language when the badge has it."),
        description="What the badge is for.",
    )
    description_he = graphene.String(required=True, description="Hebrew description; empty when not given.")
    image_url = graphene.String(description="Picture of the badge; null when none.")

    class Meta:
        name = "LoyaltyBadge"

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("LoyaltyBadge", root.pk)

    @staticmethod
    def resolve_name(root, _info, language_code=None):
        return localized(root.name, root.name_he, language_code)

    @staticmethod
    def resolve_description(root, _info, language_code=None):
        return localized(root.description, root.description_he, language_code)

    @staticmethod
    def resolve_image_url(root, _info):
        return root.image_url or None


class ChallengeType(graphene.ObjectType):
    """A goal defined by staff: a metric, a target, a window and a reward."""

    id = graphene.ID(required=True, description="Global ID of the challenge.")
    name = graphene.String(
        required=True,
        language_code=LanguageCodeEnum(description="Answer in this language when the challenge has it."),
        description="The challenge's name.",
    )
    name_he = graphene.String(required=True, description="Hebrew name; empty when not given.")
    description = graphene.String(
        required=True,
        language_code=LanguageCodeEnum(description="Answer in this language when the challenge has it."),
        description="What to do, in words.",
    )
    description_he = graphene.String(required=True, description="Hebrew description; empty when not given.")
    metric = ChallengeMetricEnum(required=True, description="What counts.")
    target = graphene.Int(required=True, description="Orders, new categories, months or actions to reach.")
    target_amount = graphene.Field(MoneyType, description="Spend to reach (SPEND); null otherwise.")
    action_kind = graphene.String(description="The action counted (ACTIONS), e.g. product_review.")
    window = ChallengeWindowEnum(required=True, description="Fixed dates, or rolling days per member.")
    starts_on = graphene.Date(required=True, description="First local day that counts.")
    ends_on = graphene.Date(description="Last local day that counts (fixed); null when open-ended.")
    window_days = graphene.Int(description="Length of the rolling window in local days.")
    reward_points = graphene.Int(required=True, description="Points given on completion (0 = none).")
    badge = graphene.Field(BadgeType, description="Badge given on completion; null when none.")
    is_active = graphene.Boolean(required=True, description="Switched on by staff.")
    archived_at = graphene.DateTime(description="When it was deleted while in use; null when live.")

    class Meta:
        name = "LoyaltyChallenge"

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("LoyaltyChallenge", root.pk)

    @staticmethod
    def resolve_name(root, _info, language_code=None):
        return localized(root.name, root.name_he, language_code)

    @staticmethod
    def resolve_description(root, _info, language_code=None):
        return localized(root.description, root.description_he, language_code)

    @staticmethod
    def resolve_target_amount(root, _info):
        return MoneyType.of(root.target_amount, root.program.currency) if root.target_amount else None

    @staticmethod
    def resolve_action_kind(root, _info):
        return root.action_kind or None


class ChallengeProgressType(graphene.ObjectType):
    """Where a member stands in one challenge, derived from their orders and actions."""

    challenge = graphene.Field(ChallengeType, required=True, description="The challenge.")
    current = graphene.Float(
        required=True,
        description="Counted so far in the window (currency units for SPEND, months for streaks).",
    )
    target = graphene.Float(required=True, description="What completes it.")
    percent = graphene.Float(required=True, description="0-100; 100 once completed.")
    completed = graphene.Boolean(required=True, description="The member completed it (rewards were given).")
    completed_at = graphene.DateTime(description="When it was completed.")
    window_start = graphene.Date(required=True, description="First local day of the member's current window.")
    window_end = graphene.Date(description="Last local day of the window; null when open-ended.")

    class Meta:
        name = "LoyaltyChallengeProgress"

    @staticmethod
    def resolve_completed(root, _info):
        return root.completed_at is not None


class EarnedBadgeType(graphene.ObjectType):
    """A badge a member holds, and when they earned it."""

    badge = graphene.Field(BadgeType, required=True, description="The badge.")
    earned_at = graphene.DateTime(required=True, description="When it was earned.")

    class Meta:
        name = "LoyaltyEarnedBadge"


class ChallengeSummaryType(graphene.ObjectType):
    """How a challenge did: completions and what they gave."""

    challenge = graphene.Field(ChallengeType, required=True, description="The challenge.")
    completed = graphene.Int(required=True, description="Members who completed it.")
    points_awarded = graphene.Int(required=True, description="Points given for it.")
    badges_awarded = graphene.Int(required=True, description="Badges given for it.")
    last_completed_at = graphene.DateTime(description="The latest completion.")

    class Meta:
        name = "LoyaltyChallengeSummary"
