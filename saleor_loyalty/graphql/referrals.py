"""Referrals on the API: a member's code, link and referrals (`me { referral }`, friends masked), the
staff's referral list and rules.

A member sees each friend only as a masked name and email; staff (MANAGE_USERS) see the friend and the
order, because they review them.
"""

from dataclasses import dataclass

import graphene

from saleor_loyalty import ledger
from saleor_loyalty.engagement import referrals
from saleor_loyalty.exceptions import MemberNotFound
from saleor_loyalty.graphql.enums import choices_enum
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.ids import int_pk, to_global_id
from saleor_loyalty.graphql.money import MoneyType
from saleor_loyalty.graphql.pagination import connection, connection_types, keyset_page
from saleor_loyalty.ledger import programs
from saleor_loyalty.models import (
    FriendBenefit,
    LoyaltyAccount,
    Referral,
    ReferralCode,
    ReferralStatus,
    ReferrerReward,
)

MANAGE_USERS = "MANAGE_USERS"
MANAGE_SETTINGS = "MANAGE_SETTINGS"
MAX_SEARCH = 100

ReferralStatusEnum = choices_enum(
    "LoyaltyReferralStatus",
    ReferralStatus.values,
    "Where a referral stands (invited, ordered, rewarded, ...).",
)
ReferrerRewardEnum = choices_enum(
    "LoyaltyReferrerReward", ReferrerReward.values, "How a referrer is rewarded: points or store credit."
)
FriendBenefitEnum = choices_enum(
    "LoyaltyReferralFriendBenefit", FriendBenefit.values, "What a referred friend gets on their first order."
)


def mask_email(email: str) -> str | None:
    local, _, domain = (email or "").partition("@")
    return f"{local[:1]}***@{domain}" if local and domain else None


def mask_name(name: str) -> str | None:
    return f"{name.strip()[:1]}." if name and name.strip() else None


class ReferralFields:
    """What member and staff both see of a referral."""

    id = graphene.ID(required=True, description="Global ID of the referral.")
    status = ReferralStatusEnum(required=True, description="Where the referral stands.")
    reason_code = graphene.String(
        description="Why it was rejected, held or reversed (self_referral, existing_customer, referral_loop, "
        "monthly_cap, below_minimum, review, staff_rejected, order_refunded, order_cancelled); null otherwise."
    )
    reason = graphene.String(description="The same, in words.")
    reward_points = graphene.Int(required=True, description="Points the referrer gets (or got) for it.")
    reward_credit = graphene.Field(
        MoneyType, description="Store credit the referrer gets (or got) for it; null when rewarded in points."
    )
    created = graphene.DateTime(required=True, description="When the friend applied the code.")
    ordered_at = graphene.DateTime(description="When the friend's first order counted.")
    reward_due_at = graphene.DateTime(description="When the reward is due, if the order stays unrefunded.")
    rewarded_at = graphene.DateTime(description="When the referrer was rewarded.")
    reversed_at = graphene.DateTime(description="When a refund or cancellation reversed it.")

    @staticmethod
    def resolve_id(root: Referral, _info):
        return to_global_id("LoyaltyReferral", root.pk)

    @staticmethod
    def resolve_reason_code(root: Referral, _info):
        return root.reason_code or None

    @staticmethod
    def resolve_reason(root: Referral, _info):
        return root.reason or None

    @staticmethod
    def resolve_reward_points(root: Referral, _info):
        return root.referrer_points

    @staticmethod
    def resolve_reward_credit(root: Referral, _info):
        if root.referrer_credit <= 0:
            return None
        return MoneyType.of(root.referrer_credit, root.program.currency)

    @staticmethod
    def resolve_created(root: Referral, _info):
        return root.created_at


class ReferralType(ReferralFields, graphene.ObjectType):
    friend_name = graphene.String(description="The friend's initial (e.g. 'N.').")
    friend_email = graphene.String(description="The friend's email, masked (e.g. 'n***@example.co.il').")

    class Meta:
        name = "LoyaltyReferral"
        description = "A friend who came with the member's code, as the member may see it."

    @staticmethod
    def resolve_friend_name(root: Referral, _info):
        return mask_name(root.friend_name)

    @staticmethod
    def resolve_friend_email(root: Referral, _info):
        return mask_email(root.friend_email)


class StaffReferralType(ReferralFields, graphene.ObjectType):
    code = graphene.String(required=True, description="The referrer's code the friend used.")
    referrer_email = graphene.String(required=True, description="The referrer's email.")
    referrer_user_id = graphene.ID(description="Saleor global ID of the referrer.")
    friend_email = graphene.String(description="The friend's email (blank once Saleor deleted them).")
    friend_user_id = graphene.ID(description="Saleor global ID of the friend, if they have an account.")
    order_id = graphene.ID(description="Saleor global ID of the friend's first order.")
    order_number = graphene.String(description="Saleor number of that order.")
    order_total = graphene.Field(MoneyType, description="That order's total.")
    voucher_code = graphene.String(description="The friend's welcome voucher code, if one was made.")
    voucher_spent = graphene.Boolean(required=True, description="The welcome voucher was used on the order.")
    signals = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="What the fraud checks matched (e.g. 'match:address').",
    )
    reviewed_by = graphene.String(description="Who reviewed a held referral.")
    reviewed_at = graphene.DateTime(description="When.")

    class Meta:
        name = "LoyaltyStaffReferral"
        description = "A referral as staff review it. Requires MANAGE_USERS."

    @staticmethod
    def resolve_referrer_email(root: Referral, _info):
        return root.referrer.email

    @staticmethod
    def resolve_referrer_user_id(root: Referral, _info):
        return to_global_id("User", root.referrer.user_id) if root.referrer.user_id else None

    @staticmethod
    def resolve_friend_email(root: Referral, _info):
        return root.friend_email or None

    @staticmethod
    def resolve_friend_user_id(root: Referral, _info):
        return to_global_id("User", root.friend_user_id) if root.friend_user_id else None

    @staticmethod
    def resolve_order_id(root: Referral, _info):
        return to_global_id("Order", str(root.order_id)) if root.order_id else None

    @staticmethod
    def resolve_order_number(root: Referral, _info):
        return root.order_number or None

    @staticmethod
    def resolve_order_total(root: Referral, _info):
        return MoneyType.of(root.order_total, root.program.currency) if root.order_total is not None else None

    @staticmethod
    def resolve_voucher_code(root: Referral, _info):
        return root.voucher_code or None

    @staticmethod
    def resolve_signals(root: Referral, _info):
        return [f"{key}:{value}" for key, value in sorted((root.signals or {}).items())]

    @staticmethod
    def resolve_reviewed_by(root: Referral, _info):
        return root.reviewed_by or None


LoyaltyReferralConnection, LoyaltyReferralEdge = connection_types("LoyaltyReferral", ReferralType)
LoyaltyStaffReferralConnection, LoyaltyStaffReferralEdge = connection_types(
    "LoyaltyStaffReferral", StaffReferralType
)


@dataclass(frozen=True)
class ReferralView:
    code: str
    link: str | None
    account: LoyaltyAccount


class MemberReferrals(graphene.ObjectType):
    code = graphene.String(required=True, description="The member's referral code, to share.")
    link = graphene.String(description="The member's referral link; null until staff set a link template.")
    referrals = graphene.Field(
        LoyaltyReferralConnection,
        required=True,
        first=graphene.Int(default_value=20, description="How many rows, 1 to 100."),
        after=graphene.String(description="`pageInfo.endCursor` of the previous page."),
        description="Friends who came with the code, newest first.",
    )

    class Meta:
        name = "LoyaltyMemberReferrals"
        description = "The member's code, link and referrals."

    @staticmethod
    @resolver()
    def resolve_referrals(root, _info, first=20, after=None):
        rows = Referral.objects.filter(referrer=root.account)
        return connection(
            LoyaltyReferralConnection, LoyaltyReferralEdge, keyset_page(rows, first, after, "referral")
        )


def member_referrals(view, info):
    """`LoyaltyMember.referral`: the member's own code is made on first sight; staff see one that exists."""
    settings = referrals.settings_for(view.program)
    if not settings.enabled:
        return None
    account = view.account
    own = view.user_id is not None and info.context.requestor.user_id == view.user_id
    if account is None and own:
        account = ledger.account_for(view.program, view.user_id, view.email)
    if account is None:
        return None
    code = (
        referrals.code_for(account)
        if own
        else ReferralCode.objects.filter(account=account).values_list("code", flat=True).first()
    )
    if code is None:
        return None
    return ReferralView(code=code, link=referrals.link_for(settings, code), account=account)


class ReferralSettingsType(graphene.ObjectType):
    enabled = graphene.Boolean(required=True, description="Referrals are offered in the channel.")
    referrer_points = graphene.Int(required=True, description="Points for the referrer per counted friend.")
    referrer_reward = ReferrerRewardEnum(
        required=True, description="POINTS (`referrerPoints`) or STORE_CREDIT (`referrerCredit` on the card)."
    )
    referrer_credit = graphene.Field(
        MoneyType, description="Store credit for the referrer per counted friend (STORE_CREDIT); else null."
    )
    friend_benefit = FriendBenefitEnum(required=True, description="What the friend gets.")
    friend_percent = graphene.Float(description="The welcome voucher's percentage off (VOUCHER_PERCENT).")
    friend_amount = graphene.Field(MoneyType, description="The welcome voucher's amount off (VOUCHER_FIXED).")
    friend_points = graphene.Int(required=True, description="Welcome points (POINTS).")
    pending_days = graphene.Int(required=True, description="Days the friend's order must stay unrefunded.")
    monthly_cap = graphene.Int(
        required=True, description="Friends counted per referrer and month; 0 = no cap."
    )
    min_order_total = graphene.Field(
        MoneyType, required=True, description="Smallest first order that counts."
    )
    link_template = graphene.String(description="Storefront URL with {code}; null when not set.")
    hold_all = graphene.Boolean(required=True, description="Every referral waits for staff review.")
    hold_order_total_over = graphene.Field(MoneyType, description="First orders above this wait for review.")
    hold_shared_address = graphene.Boolean(
        required=True, description="A shared address or card holds for review instead of rejecting."
    )

    class Meta:
        name = "LoyaltyReferralSettings"
        description = "A channel's referral rules."

    @staticmethod
    def of(settings):
        currency = settings.program.currency
        return ReferralSettingsType(
            enabled=settings.enabled,
            referrer_points=settings.referrer_points,
            referrer_reward=settings.referrer_reward,
            referrer_credit=MoneyType.of(settings.referrer_credit, currency)
            if settings.referrer_reward == ReferrerReward.STORE_CREDIT
            else None,
            friend_benefit=settings.friend_benefit,
            friend_percent=settings.friend_value
            if settings.friend_benefit == FriendBenefit.VOUCHER_PERCENT
            else None,
            friend_amount=MoneyType.of(settings.friend_value, currency)
            if settings.friend_benefit == FriendBenefit.VOUCHER_FIXED
            else None,
            friend_points=settings.friend_points,
            pending_days=settings.pending_days,
            monthly_cap=settings.monthly_cap,
            min_order_total=MoneyType.of(settings.min_order_total, currency),
            link_template=settings.link_template or None,
            hold_all=settings.hold_all,
            hold_order_total_over=MoneyType.of(settings.hold_order_total_over, currency)
            if settings.hold_order_total_over is not None
            else None,
            hold_shared_address=settings.hold_shared_address,
        )


class ReferralFilterInput(graphene.InputObjectType):
    status = ReferralStatusEnum(description="Referrals in this status (HELD: waiting for review).")
    referrer_user_id = graphene.ID(description="Referrals made with this customer's code.")
    search = graphene.String(description="Part of the friend's email, or the code (at most 100 characters).")

    class Meta:
        name = "LoyaltyReferralFilterInput"
        description = "Filters of the referral list; all given filters apply."


class ReferralQueries(graphene.ObjectType):
    referrals = graphene.Field(
        LoyaltyStaffReferralConnection,
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        filter=graphene.Argument(ReferralFilterInput, description="Narrow the list."),
        first=graphene.Int(default_value=20, description="How many rows, 1 to 100."),
        after=graphene.String(description="`pageInfo.endCursor` of the previous page."),
        description="The channel's referrals, newest first. Requires MANAGE_USERS.",
    )
    referral_settings = graphene.Field(
        ReferralSettingsType,
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        description="The channel's referral rules. Requires MANAGE_SETTINGS.",
    )

    @staticmethod
    @resolver(permission=MANAGE_USERS)
    def resolve_referrals(_root, info, channel, filter=None, first=20, after=None):
        program = programs.get_program(channel, info.context.channel_lookup)
        rows = Referral.objects.filter(program=program).select_related("referrer", "program")
        filter = filter or {}
        if filter.get("status"):
            rows = rows.filter(status=filter["status"])
        if filter.get("referrer_user_id"):
            user_pk = int_pk(filter["referrer_user_id"], "User", "filter", MemberNotFound)
            rows = rows.filter(referrer__user_id=user_pk)
        search = (filter.get("search") or "").strip()
        if len(search) > MAX_SEARCH:
            raise referrals.InvalidReferralSetting(f"Search at most {MAX_SEARCH} characters.", "filter")
        if search:
            rows = rows.filter(friend_email__icontains=search) | rows.filter(
                code=referrals.normalize_code(search)
            )
        return connection(
            LoyaltyStaffReferralConnection,
            LoyaltyStaffReferralEdge,
            keyset_page(rows, first, after, "referral"),
        )

    @staticmethod
    @resolver(permission=MANAGE_SETTINGS)
    def resolve_referral_settings(_root, info, channel):
        program = programs.get_program(channel, info.context.channel_lookup)
        return ReferralSettingsType.of(referrals.settings_for(program))
