"""The member as the club API shows it: points, their worth, history, tier standing, store credit."""

from dataclasses import dataclass, replace
from functools import cached_property
from zoneinfo import ZoneInfo

import graphene
from graphene_django import DjangoObjectType

from saleor_loyalty.benefits.birthdays import CHANGE_INTERVAL
from saleor_loyalty.engagement.badges import member_badges
from saleor_loyalty.engagement.challenges import member_progress
from saleor_loyalty.engagement.membership import membership_of
from saleor_loyalty.graphql import member_insights
from saleor_loyalty.graphql.challenge_types import ChallengeProgressType, EarnedBadgeType
from saleor_loyalty.graphql.enums import LoyaltyTransactionKindEnum
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.ids import to_global_id
from saleor_loyalty.graphql.member_page import MemberPage
from saleor_loyalty.graphql.membership_types import MembershipType
from saleor_loyalty.graphql.money import MoneyType
from saleor_loyalty.graphql.pagination import connection, connection_types, keyset_page, page_size
from saleor_loyalty.graphql.referrals import MemberReferrals, member_referrals
from saleor_loyalty.graphql.segment_types import RfmType, SegmentMembershipType, SignalsType
from saleor_loyalty.graphql.tier_types import (
    TierEventType,
    TierProgress,
    TierRetention,
    TierType,
    progress_of,
    retention_of,
)
from saleor_loyalty.ledger.expiry import next_expiring
from saleor_loyalty.members.snapshot import read_amount
from saleor_loyalty.members.summary import PointsSummary, points_value, summarize
from saleor_loyalty.models import LedgerEntry, LoyaltyAccount, LoyaltyProgram, TierEvent
from saleor_loyalty.rewards.store_credit import summarize as summarize_credit
from saleor_loyalty.tiers.ladder import (
    TierStanding,
    current_tier,
    ladder,
    standing,
)


class PointsType(graphene.ObjectType):
    """A member's points: spendable, pending, earned for life, and owed."""

    available = graphene.Int(required=True, description="Points the member can spend now.")
    pending = graphene.Int(required=True, description="Earned points still inside the pending period.")
    lifetime = graphene.Int(required=True, description="Points earned on orders, net of reversals.")
    debt = graphene.Int(required=True, description="Points owed after refunds of spent points.")

    class Meta:
        name = "LoyaltyPoints"


class ExpiringPoints(graphene.ObjectType):
    """Points that expire soonest, and when."""

    points = graphene.Int(required=True, description="How many points expire then.")
    expires_at = graphene.DateTime(required=True, description="End of that day in the channel's timezone.")

    class Meta:
        name = "LoyaltyExpiringPoints"


class LoyaltyTransaction(DjangoObjectType):
    """One change of a member's points, as the append-only ledger recorded it."""

    id = graphene.ID(required=True, description="Global ID of the ledger row.")
    points = graphene.Int(required=True, description="Points added (positive) or taken (negative).")
    available_at = graphene.DateTime(required=True, description="When the points can be spent.")
    expires_at = graphene.DateTime(description="When what is left of earned points expires; null if never.")
    kind = LoyaltyTransactionKindEnum(required=True, description="What changed the points.")
    created = graphene.DateTime(required=True, description="When the row was written.")
    order_number = graphene.String(description="Saleor number of the order it is about, if any.")
    reason = graphene.String(required=True, description="Why, in words (the staff's reason for adjustments).")

    class Meta:
        model = LedgerEntry
        fields = ("points", "available_at", "expires_at")
        convert_choices_to_enum = False

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("LoyaltyTransaction", root.pk)

    @staticmethod
    def resolve_created(root, _info):
        return root.created_at

    @staticmethod
    def resolve_order_number(root, _info):
        return root.order_number or None


LoyaltyTransactionConnection, LoyaltyTransactionEdge = connection_types(
    "LoyaltyTransaction", LoyaltyTransaction
)


@dataclass
class MemberView:
    program: LoyaltyProgram
    account: LoyaltyAccount | None
    user_id: int | None
    email: str
    page: MemberPage | None = None

    @cached_property
    def summary(self) -> PointsSummary:
        return summarize(self.account)

    @cached_property
    def tier(self):
        """The member's tier from the cached tier state (no qualification needed)."""
        return current_tier(self.account, ladder(self.program))

    @cached_property
    def next_tier(self):
        return next((t for t in ladder(self.program) if self.tier and t.position > self.tier.position), None)

    @cached_property
    def standing(self) -> TierStanding:
        """Progress and retention: the qualifying amount read with the account or the page, else one query."""
        amount = read_amount(self.account)
        if amount is None and self.page is not None and self.account is not None:
            amount = self.page.amounts.get(self.account.pk)
        return standing(self.program, self.account, amount=amount)

    def credit(self, cards):
        """Card balance, pending cashback and debt: the page's when listed, else this member's."""
        if self.page is not None and self.account is not None:
            return self.page.credit(cards)[self.account.pk]
        if not hasattr(self, "_credit"):
            self._credit = summarize_credit(self.account, self.program.currency, cards)
        return self._credit

    def next_expiring(self):
        if self.account is None:
            return None
        if self.page is not None:
            return self.page.expiring[self.account.pk]
        return next_expiring(self.account)

    def tier_history(self, first) -> list:
        if self.account is None:
            return []
        if self.page is not None:
            return self.page.tier_history(first)[self.account.pk]
        return list(TierEvent.objects.filter(account=self.account).order_by("-pk")[: page_size(first)])

    def transactions(self, first, after):
        """Newest first; a guest-less member with no account yet has an empty history."""
        if self.page is not None and self.account is not None:
            return self.page.transactions(first, after)[self.account.pk]
        rows = (
            LedgerEntry.objects.filter(account=self.account) if self.account else LedgerEntry.objects.none()
        )
        counted = getattr(self.account, "entry_count", None)  # read with the account by `me`
        page = keyset_page(rows, first, after, "entry", count=counted is None)
        return page if counted is None else replace(page, total_count=counted)


def _staff_view(info, root: MemberView) -> bool:
    """Segments and signals are the shop's view of a customer: shown to staff and apps, not to the member."""
    requestor = info.context.requestor
    return requestor.has_perm("MANAGE_USERS") and requestor.reaches_channel(root.program.channel_slug)


class Birthday(graphene.ObjectType):
    """The member's birthday (no year), for the tier's birthday gift."""

    month = graphene.Int(required=True, description="Month, 1-12.")
    day = graphene.Int(required=True, description="Day of the month.")
    changeable_from = graphene.Date(description="First date the member may change it again.")

    class Meta:
        name = "LoyaltyBirthday"


class Member(graphene.ObjectType):
    """A customer's membership in one channel's club."""

    channel = graphene.String(required=True, description="The Saleor channel's slug.")
    email = graphene.String(required=True, description="The member's email.")
    user_id = graphene.ID(description="Saleor global ID of the customer; null for a guest.")
    points = graphene.Field(PointsType, required=True, description="The member's points.")
    points_value = graphene.Field(
        MoneyType, required=True, description="What the available points are worth."
    )
    next_expiring = graphene.Field(ExpiringPoints, description="The soonest-expiring points still held.")
    store_credit = graphene.Field(
        MoneyType, required=True, description="Spendable credit on the member's personal gift card now."
    )
    pending_cashback = graphene.Field(
        MoneyType, required=True, description="Cashback earned but still inside the pending period."
    )
    store_credit_code = graphene.String(
        description="Code of the member's store-credit gift card, for Saleor's checkoutAddPromoCode; "
        "shown to the member only."
    )
    credit_debt = graphene.Field(
        MoneyType,
        required=True,
        description="Cashback taken back after it was spent; repaid from future cashback.",
    )
    transactions = graphene.Field(
        LoyaltyTransactionConnection,
        required=True,
        first=graphene.Int(default_value=20, description="How many rows, 1 to 100."),
        after=graphene.String(description="`pageInfo.endCursor` of the previous page."),
        description="The member's points history, newest first.",
    )
    tier = graphene.Field(
        TierType, description="The member's tier with its benefits; null if the program has none."
    )
    next_tier = graphene.Field(TierType, description="The tier above; null at the top.")
    progress = graphene.Field(TierProgress, description="How far the next tier is, in the program's basis.")
    retain_by = graphene.Field(TierRetention, description="What is still needed, by when, to keep the tier.")
    tier_floor = graphene.Field(TierType, description="Tier set by staff that the member never drops below.")
    tier_history = graphene.List(
        graphene.NonNull(TierEventType),
        required=True,
        first=graphene.Int(default_value=20, description="How many rows, 1 to 100."),
        description="Tier changes, newest first.",
    )
    birthday = graphene.Field(Birthday, description="The member's birthday, if they gave it.")
    challenges = graphene.List(
        graphene.NonNull(ChallengeProgressType),
        required=True,
        description="The live challenges with the member's progress in each (two queries).",
    )
    badges = graphene.List(
        graphene.NonNull(EarnedBadgeType),
        required=True,
        description="Badges the member earned, newest first.",
    )
    early_access = graphene.Boolean(
        required=True,
        description="The member's tier has the early-access benefit: items marked without a "
        "minimum tier are open to them (see `earlyAccess` for each item).",
    )
    segments = graphene.List(
        graphene.NonNull(SegmentMembershipType),
        required=True,
        description="Named segments the member is in (staff only; empty for the member).",
    )
    rfm = graphene.Field(RfmType, description="RFM scores in the channel (staff only); null without orders.")
    signals = graphene.Field(SignalsType, description="Behaviour signals (staff only).")

    referral = graphene.Field(
        MemberReferrals,
        description="The member's referral code, link and referred friends; null where referrals are off.",
    )
    membership = graphene.Field(
        MembershipType, description="The member's paid membership (running or ended); null if never bought."
    )

    class Meta:
        name = "LoyaltyMember"

    @staticmethod
    @resolver()
    def resolve_referral(root: MemberView, info):
        return member_referrals(root, info)

    @staticmethod
    def resolve_membership(root: MemberView, _info):
        return membership_of(root.account)

    @staticmethod
    def resolve_challenges(root: MemberView, _info):
        return member_progress(root.program, root.account)

    @staticmethod
    def resolve_badges(root: MemberView, _info):
        return member_badges(root.account)

    @staticmethod
    def resolve_segments(root: MemberView, info):
        return member_insights.segments_field(info, root) if _staff_view(info, root) else []

    @staticmethod
    def resolve_rfm(root: MemberView, info):
        return member_insights.rfm_field(info, root) if _staff_view(info, root) else None

    @staticmethod
    def resolve_signals(root: MemberView, info):
        return member_insights.signals_field(info, root) if _staff_view(info, root) else None

    @staticmethod
    def resolve_early_access(root: MemberView, _info):
        return bool(root.tier and root.tier.early_access)

    @staticmethod
    def resolve_tier(root: MemberView, _info):
        return root.tier

    @staticmethod
    def resolve_next_tier(root: MemberView, _info):
        return root.next_tier

    @staticmethod
    def resolve_progress(root: MemberView, _info):
        return progress_of(root.standing)

    @staticmethod
    def resolve_retain_by(root: MemberView, _info):
        return retention_of(root.standing)

    @staticmethod
    def resolve_tier_floor(root: MemberView, _info):
        if root.account is None or root.account.tier_floor_id is None:
            return None
        return next((t for t in ladder(root.program) if t.pk == root.account.tier_floor_id), None)

    @staticmethod
    def resolve_tier_history(root: MemberView, _info, first=20):
        return root.tier_history(first)

    @staticmethod
    def resolve_birthday(root: MemberView, _info):
        account = root.account
        if account is None or account.birthday_month is None:
            return None
        return Birthday(
            month=account.birthday_month,
            day=account.birthday_day,
            changeable_from=(account.birthday_set_at + CHANGE_INTERVAL).date(),
        )

    @staticmethod
    def resolve_channel(root: MemberView, _info):
        return root.program.channel_slug

    @staticmethod
    def resolve_user_id(root: MemberView, _info):
        return to_global_id("User", root.user_id) if root.user_id else None

    @staticmethod
    def resolve_points(root: MemberView, _info):
        summary = root.summary
        return PointsType(
            available=summary.available, pending=summary.pending, lifetime=summary.lifetime, debt=summary.debt
        )

    @staticmethod
    def resolve_points_value(root: MemberView, _info):
        return MoneyType.from_money(points_value(root.program, root.summary))

    @staticmethod
    def resolve_next_expiring(root: MemberView, _info):
        upcoming = root.next_expiring()
        if upcoming is None:
            return None
        points, expires_at = upcoming
        return ExpiringPoints(
            points=points, expires_at=expires_at.astimezone(ZoneInfo(root.program.timezone))
        )

    @staticmethod
    def resolve_store_credit(root: MemberView, info):
        return MoneyType.from_money(root.credit(info.context.cards).balance)

    @staticmethod
    def resolve_store_credit_code(root: MemberView, info):
        if info.context.requestor.user_id is None or info.context.requestor.user_id != root.user_id:
            return None
        return summarize_credit(root.account, root.program.currency, info.context.cards).code

    @staticmethod
    def resolve_pending_cashback(root: MemberView, info):
        return MoneyType.from_money(root.credit(info.context.cards).pending_cashback)

    @staticmethod
    def resolve_credit_debt(root: MemberView, info):
        return MoneyType.from_money(root.credit(info.context.cards).debt)

    @staticmethod
    @resolver()
    def resolve_transactions(root: MemberView, _info, first=20, after=None):
        page = root.transactions(first, after)
        return connection(LoyaltyTransactionConnection, LoyaltyTransactionEdge, page)
