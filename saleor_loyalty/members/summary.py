"""What a member sees: spendable, pending, lifetime, debt, and what the spendable points are worth."""

from dataclasses import dataclass

from django.utils import timezone
from prices import Money

from saleor_loyalty.core.money import points_worth
from saleor_loyalty.ledger import pending_points
from saleor_loyalty.models import LoyaltyAccount, LoyaltyProgram


@dataclass(frozen=True)
class PointsSummary:
    available: int
    pending: int
    lifetime: int
    debt: int
    balance: int


def summarize(account: LoyaltyAccount | None, now=None) -> PointsSummary:
    """Balance split into what can be spent now and what is still pending; a shortfall is debt."""
    if account is None:
        return PointsSummary(available=0, pending=0, lifetime=0, debt=0, balance=0)
    pending = getattr(account, "pending_sum", None)  # read with the account (members.snapshot)
    pending = pending_points(account, now or timezone.now()) if pending is None else max(pending, 0)
    spendable = account.balance - pending
    return PointsSummary(
        available=max(spendable, 0),
        pending=pending,
        lifetime=account.lifetime_earned,
        debt=max(-spendable, 0),
        balance=account.balance,
    )


def points_value(program: LoyaltyProgram, summary: PointsSummary) -> Money:
    return points_worth(summary.available, program.point_value, program.currency)


def member_account(channel_slug: str, user_id: int) -> LoyaltyAccount | None:
    """A customer's account with its program, in one query (the storefront's `me` reads both)."""
    return (
        LoyaltyAccount.objects.select_related("program")
        .filter(program__channel_slug=channel_slug, user_id=user_id, merged_into__isnull=True)
        .first()
    )


def find_account(
    program: LoyaltyProgram, user_id: int | None = None, email: str = ""
) -> LoyaltyAccount | None:
    """The member's account without creating one (a read must not write)."""
    accounts = LoyaltyAccount.objects.filter(program=program, merged_into__isnull=True)
    if user_id is not None:
        return accounts.filter(user_id=user_id).first()
    return accounts.filter(user__isnull=True, email=(email or "").strip().lower()).first()
