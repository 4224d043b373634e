import base64
from zoneinfo import ZoneInfo
from dataclasses import dataclass
from functools import cached_property

import graphene
from graphene_django import DjangoObjectType

from ..exceptions import LoyaltyError
from ..expiry import next_expiring
from ..members import PointsSummary, points_value, summarize
from ..models import LedgerEntry, LoyaltyAccount, LoyaltyProgram
from .enums import LoyaltyTransactionKindEnum, NegativeBalancePolicyEnum
from .errors import query_error

MAX_PAGE = 100


class MoneyType(graphene.ObjectType):
    amount = graphene.Float(required=True)
    currency = graphene.String(required=True)

    class Meta:
        name = "LoyaltyMoney"

    @staticmethod
    def from_money(money):
        return MoneyType(amount=money.amount, currency=money.currency)


class PointsType(graphene.ObjectType):
    available = graphene.Int(required=True, description="Points the member can spend now.")
    pending = graphene.Int(required=True, description="Earned points still inside the pending period.")
    lifetime = graphene.Int(required=True, description="Points earned on orders, net of reversals.")
    debt = graphene.Int(required=True, description="Points owed after refunds of spent points.")

    class Meta:
        name = "LoyaltyPoints"


class ExpiringPoints(graphene.ObjectType):
    points = graphene.Int(required=True)
    expires_at = graphene.DateTime(required=True, description="End of that day in the channel's timezone.")

    class Meta:
        name = "LoyaltyExpiringPoints"


class LoyaltyTransaction(DjangoObjectType):
    kind = LoyaltyTransactionKindEnum(required=True)
    created = graphene.DateTime(required=True)
    order_number = graphene.String()
    reason = graphene.String(required=True)

    class Meta:
        model = LedgerEntry
        fields = ("id", "points", "available_at", "expires_at")
        convert_choices_to_enum = False

    @staticmethod
    def resolve_created(root, _info):
        return root.created_at

    @staticmethod
    def resolve_order_number(root, _info):
        return root.order_number or None


class LoyaltyTransactionEdge(graphene.ObjectType):
    node = graphene.Field(LoyaltyTransaction, required=True)
    cursor = graphene.String(required=True)


class PageInfo(graphene.ObjectType):
    has_next_page = graphene.Boolean(required=True)
    end_cursor = graphene.String()

    class Meta:
        name = "LoyaltyPageInfo"


class LoyaltyTransactionConnection(graphene.ObjectType):
    edges = graphene.List(graphene.NonNull(LoyaltyTransactionEdge), required=True)
    page_info = graphene.Field(PageInfo, required=True)
    total_count = graphene.Int(required=True)


def _cursor(entry_id: int) -> str:
    return base64.b64encode(f"entry:{entry_id}".encode()).decode()


def _after_id(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        kind, value = base64.b64decode(cursor).decode().split(":", 1)
        if kind == "entry":
            return int(value)
    except (ValueError, UnicodeDecodeError):
        pass
    raise ValueError("Invalid cursor.")


def transactions_page(account: LoyaltyAccount | None, first: int, after: str | None) -> LoyaltyTransactionConnection:
    """Newest first, keyset-paginated on the primary key, so pages stay stable while rows are appended."""
    first = max(1, min(first or 20, MAX_PAGE))
    after_id = _after_id(after)
    if account is None:
        return LoyaltyTransactionConnection(edges=[], page_info=PageInfo(has_next_page=False), total_count=0)
    rows = LedgerEntry.objects.filter(account=account).order_by("-pk")
    total = rows.count()
    if after_id is not None:
        rows = rows.filter(pk__lt=after_id)
    page = list(rows[: first + 1])
    edges = [LoyaltyTransactionEdge(node=row, cursor=_cursor(row.pk)) for row in page[:first]]
    return LoyaltyTransactionConnection(
        edges=edges,
        page_info=PageInfo(has_next_page=len(page) > first, end_cursor=edges[-1].cursor if edges else None),
        total_count=total,
    )


@dataclass
class MemberView:
    program: LoyaltyProgram
    account: LoyaltyAccount | None
    user_id: int | None
    email: str

    @cached_property
    def summary(self) -> PointsSummary:
        return summarize(self.account)


class Member(graphene.ObjectType):
    channel = graphene.String(required=True)
    email = graphene.String(required=True)
    user_id = graphene.ID(description="Saleor global ID of the customer; null for a guest.")
    points = graphene.Field(PointsType, required=True)
    points_value = graphene.Field(MoneyType, required=True, description="What the available points are worth.")
    next_expiring = graphene.Field(ExpiringPoints, description="The soonest-expiring points still held.")
    transactions = graphene.Field(
        LoyaltyTransactionConnection, required=True,
        first=graphene.Int(default_value=20), after=graphene.String(),
    )

    class Meta:
        name = "LoyaltyMember"

    @staticmethod
    def resolve_channel(root: MemberView, _info):
        return root.program.channel_slug

    @staticmethod
    def resolve_user_id(root: MemberView, _info):
        return graphene.Node.to_global_id("User", root.user_id) if root.user_id else None

    @staticmethod
    def resolve_points(root: MemberView, _info):
        summary = root.summary
        return PointsType(available=summary.available, pending=summary.pending,
                          lifetime=summary.lifetime, debt=summary.debt)

    @staticmethod
    def resolve_points_value(root: MemberView, _info):
        return MoneyType.from_money(points_value(root.program, root.summary))

    @staticmethod
    def resolve_next_expiring(root: MemberView, _info):
        upcoming = next_expiring(root.account) if root.account else None
        if upcoming is None:
            return None
        points, expires_at = upcoming
        return ExpiringPoints(points=points, expires_at=expires_at.astimezone(ZoneInfo(root.program.timezone)))

    @staticmethod
    def resolve_transactions(root: MemberView, _info, first=20, after=None):
        try:
            return transactions_page(root.account, first, after)
        except ValueError as error:
            raise query_error(LoyaltyError(str(error), "after")) from None


class Program(DjangoObjectType):
    channel = graphene.String(required=True)
    point_value = graphene.Field(MoneyType, required=True)
    earn_rate = graphene.Float(required=True)
    negative_balance_policy = NegativeBalancePolicyEnum(required=True)

    class Meta:
        model = LoyaltyProgram
        name = "LoyaltyProgram"
        fields = ("currency", "timezone", "is_active", "include_tax", "pending_days", "expiry_months",
                  "expiry_reminder_days", "max_adjustment_points")
        convert_choices_to_enum = False

    @staticmethod
    def resolve_channel(root, _info):
        return root.channel_slug

    @staticmethod
    def resolve_point_value(root, _info):
        return MoneyType(amount=root.point_value, currency=root.currency)

    @staticmethod
    def resolve_earn_rate(root, _info):
        return root.earn_rate
