"""The public club page (`club(channel)`): how points are earned and what they are worth, the tier ladder,
the ways to earn and the terms. Anyone may read it; it holds nothing member-specific or staff-only.

Two SQL queries whatever is selected (engagement/club_page.py). To add a section (referral rules, the
paid-membership offer): register its SQL with `club_page.register_section` and add a field to `Club`
reading `root.sections[<name>]`.
"""

import graphene

from saleor_loyalty.engagement.club_page import ClubPage, club_page
from saleor_loyalty.graphql.actions import WayToEarn
from saleor_loyalty.graphql.enums import LanguageCodeEnum, TierBasisEnum, TierWindowEnum
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.money import MoneyType
from saleor_loyalty.graphql.tier_types import TierType


class ClubEarning(graphene.ObjectType):
    """How paid orders earn points."""

    points_per_currency_unit = graphene.Float(
        required=True, description="Points per 1 unit of the currency paid (before tier multipliers)."
    )
    includes_tax = graphene.Boolean(required=True, description="Prices count with tax.")
    includes_shipping = graphene.Boolean(required=True, description="Shipping earns points (never, today).")
    pending_days = graphene.Int(required=True, description="Days before earned points can be spent.")
    expiry_months = graphene.Int(required=True, description="Months after which points expire; 0 = never.")

    class Meta:
        name = "LoyaltyClubEarning"


class ClubRedeeming(graphene.ObjectType):
    """What points are worth."""

    point_value = graphene.Field(MoneyType, required=True, description="What one point is worth.")
    min_points = graphene.Int(required=True, description="Fewest points one redemption takes.")
    step_points = graphene.Int(required=True, description="Redemptions are multiples of this.")
    max_share_percent = graphene.Float(
        required=True, description="Most of a checkout's total that points may pay, in percent."
    )

    class Meta:
        name = "LoyaltyClubRedeeming"


class Club(graphene.ObjectType):
    """A channel's club as a storefront explains it. Extend it with a field per section of the page."""

    channel = graphene.String(required=True, description="The Saleor channel's slug.")
    currency = graphene.String(required=True, description="The channel's currency.")
    is_active = graphene.Boolean(required=True, description="The club gives and redeems points now.")
    earning = graphene.Field(ClubEarning, required=True, description="How orders earn points.")
    redeeming = graphene.Field(ClubRedeeming, required=True, description="What points are worth.")
    tier_basis = TierBasisEnum(required=True, description="What tiers are measured in.")
    tier_window = TierWindowEnum(required=True, description="The period tiers are measured over.")
    tiers = graphene.List(
        graphene.NonNull(TierType),
        required=True,
        description="The tier ladder, lowest first, with thresholds, benefits and translated names.",
    )
    ways_to_earn = graphene.List(
        graphene.NonNull(WayToEarn), required=True, description="Actions that earn points, with caps."
    )
    terms = graphene.String(
        language_code=graphene.Argument(LanguageCodeEnum, required=True, description="HE or EN."),
        description="The club's terms in that language; null when there are none in it.",
    )

    class Meta:
        name = "LoyaltyClub"

    @staticmethod
    def resolve_channel(root: ClubPage, _info):
        return root.program.channel_slug

    @staticmethod
    def resolve_currency(root: ClubPage, _info):
        return root.program.currency

    @staticmethod
    def resolve_is_active(root: ClubPage, _info):
        return root.program.gives_value()

    @staticmethod
    def resolve_earning(root: ClubPage, _info):
        program = root.program
        return ClubEarning(
            points_per_currency_unit=program.earn_rate,
            includes_tax=program.include_tax,
            includes_shipping=False,
            pending_days=program.pending_days,
            expiry_months=program.expiry_months,
        )

    @staticmethod
    def resolve_redeeming(root: ClubPage, _info):
        program = root.program
        return ClubRedeeming(
            point_value=MoneyType(amount=program.point_value, currency=program.currency),
            min_points=program.redeem_min_points,
            step_points=program.redeem_step_points,
            max_share_percent=program.redeem_max_share_percent,
        )

    @staticmethod
    def resolve_tier_basis(root: ClubPage, _info):
        return root.program.tier_basis

    @staticmethod
    def resolve_tier_window(root: ClubPage, _info):
        return root.program.tier_window

    @staticmethod
    def resolve_tiers(root: ClubPage, info):
        # The tier names were read with the page: seed the per-request loader TierType reads them from.
        info.context.loaders[("tier_translations", root.program.pk)] = root.tier_names
        return root.tiers

    @staticmethod
    def resolve_ways_to_earn(root: ClubPage, _info):
        return root.ways_to_earn

    @staticmethod
    def resolve_terms(root: ClubPage, _info, language_code):
        text = {"en": root.settings.terms_en, "he": root.settings.terms_he}.get(language_code, "")
        return text or None


class ClubQueries(graphene.ObjectType):
    club = graphene.Field(
        Club,
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        description="The club's public page: earning, value, tiers, ways to earn, terms. Public.",
    )

    @staticmethod
    @resolver()
    def resolve_club(_root, info, channel):
        return club_page(channel, info.context.channel_lookup)
