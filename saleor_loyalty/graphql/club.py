"""The public club page (`club(channel)`): how points are earned and what they are worth, the tier ladder,
the ways to earn and the terms. Anyone may read it; it holds nothing member-specific or staff-only.

Two SQL queries whatever is selected (engagement/club_page.py), plus one Saleor variant read when the
paid-membership offer is selected. To add a section: add its SQL to `club_page.SECTIONS` and a field to
`Club` reading what the page built from it.
"""

import graphene

from saleor_loyalty.engagement.club_page import ClubPage, club_page
from saleor_loyalty.graphql.actions import WayToEarn
from saleor_loyalty.graphql.enums import LanguageCodeEnum, TierBasisEnum, TierWindowEnum
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.membership import membership_offers
from saleor_loyalty.graphql.membership_types import MembershipOfferType
from saleor_loyalty.graphql.money import MoneyType
from saleor_loyalty.graphql.referrals import FriendBenefitEnum, ReferrerRewardEnum
from saleor_loyalty.graphql.tier_types import TierType
from saleor_loyalty.models import FriendBenefit, ReferrerReward


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


class ClubReferral(graphene.ObjectType):
    """The referral rules as a storefront explains them (no member data, no review or fraud settings)."""

    enabled = graphene.Boolean(required=True, description="Members can refer friends now.")
    referrer_points = graphene.Int(required=True, description="Points the referrer gets per rewarded friend.")
    referrer_reward = ReferrerRewardEnum(
        required=True, description="Points or store credit for the referrer."
    )
    referrer_credit = graphene.Field(
        MoneyType, description="Store credit the referrer gets per rewarded friend (STORE_CREDIT)."
    )
    friend_benefit = FriendBenefitEnum(required=True, description="What the friend gets on a first order.")
    friend_percent = graphene.Float(description="The friend's voucher in percent (VOUCHER_PERCENT).")
    friend_amount = graphene.Field(MoneyType, description="The friend's voucher amount (VOUCHER_FIXED).")
    friend_points = graphene.Int(required=True, description="Welcome points for the friend (POINTS).")
    pending_days = graphene.Int(
        required=True, description="Days after the friend's paid order before the referrer is rewarded."
    )
    min_order_total = graphene.Field(
        MoneyType, required=True, description="Smallest first order that counts; 0 = any."
    )

    class Meta:
        name = "LoyaltyClubReferral"


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
    referral = graphene.Field(
        ClubReferral, description="The referral rules; null when the club has never set referrals up."
    )
    membership_offers = graphene.List(
        graphene.NonNull(MembershipOfferType),
        required=True,
        description="The paid-membership plans on sale, with Saleor's price in the channel.",
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
    def resolve_referral(root: ClubPage, _info):
        rules, currency = root.referral, root.program.currency
        if rules is None:
            return None
        return ClubReferral(
            enabled=rules.enabled and root.program.gives_value(),
            referrer_points=rules.referrer_points,
            referrer_reward=rules.referrer_reward,
            referrer_credit=MoneyType.of(rules.referrer_credit, currency)
            if rules.referrer_reward == ReferrerReward.STORE_CREDIT
            else None,
            friend_benefit=rules.friend_benefit,
            friend_percent=rules.friend_value
            if rules.friend_benefit == FriendBenefit.VOUCHER_PERCENT
            else None,
            friend_amount=MoneyType.of(rules.friend_value, currency)
            if rules.friend_benefit == FriendBenefit.VOUCHER_FIXED
            else None,
            friend_points=rules.friend_points,
            pending_days=rules.pending_days,
            min_order_total=MoneyType.of(rules.min_order_total, currency),
        )

    @staticmethod
    def resolve_membership_offers(root: ClubPage, info):
        return membership_offers(root.program, info.context.variants, root.plans)

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
