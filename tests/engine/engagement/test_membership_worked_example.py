"""The worked example of docs/paid-membership.md, told as one story against the real engine."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from saleor_loyalty import ledger
from saleor_loyalty.engagement import membership, membership_jobs
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount, Membership, MembershipStatus

from .conftest import GOLD_CLUB_VARIANT


def jerusalem(month, day, hour=0, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Jerusalem")).astimezone(UTC)


def test_the_worked_example(club, customer, gold_plan, membership_order, make_order, cards):
    # Dana spent ₪400 this year: Regular
    ledger.sync_order(make_order(user=customer, lines=(("Kettle", "400.00"),), shipping="0"))
    account = LoyaltyAccount.objects.get(user=customer)
    assert account.tier is None

    # 1. 10 March 11:30: one Gold club month, to the end of 10 April; Gold at once
    first = membership_order(customer, variant=GOLD_CLUB_VARIANT, paid_at=jerusalem(3, 10, 11, 30))
    membership.sync_membership_order(first, now=jerusalem(3, 10, 11, 31))
    account.refresh_from_db()
    assert account.tier.name == "Gold"
    assert Membership.objects.get().ends_at == jerusalem(4, 11)

    # 2. 14:30 the same day: a second month stacks, to the end of 10 May
    second = membership_order(customer, paid_at=jerusalem(3, 10, 14, 30))
    membership.sync_membership_order(second, now=jerusalem(3, 10, 14, 31))
    assert Membership.objects.get().ends_at == datetime(2026, 5, 10, 21, tzinfo=UTC)

    # 3. the monthly gift: 100 points in March, 100 in April
    membership_jobs.give_all_monthly_gifts(jerusalem(3, 10, 15), cards=cards)
    membership_jobs.give_all_monthly_gifts(jerusalem(4, 1, 9), cards=cards)
    assert LedgerEntry.objects.filter(account=account, kind=EntryKind.MEMBERSHIP_GIFT).count() == 2

    # 4. 15 March 10:00 staff cancel the first order: the second month moves up, to the end of 15 April
    membership.sync_membership_order(
        membership_order(customer, order_id=first.order_id, paid_at=first.paid_at, cancelled=True),
        now=jerusalem(3, 15, 10),
    )
    member = Membership.objects.get()
    assert member.ends_at == jerusalem(4, 16)
    assert membership.local_end_date(member).isoformat() == "2026-04-15"
    account.refresh_from_db()
    assert account.tier.name == "Gold"

    # 6. 16 April 00:00 it ends; her ₪400 enters no tier and she was Regular before: Regular again
    membership_jobs.expire_due(jerusalem(4, 16))
    account.refresh_from_db()
    assert Membership.objects.get().status == MembershipStatus.ENDED
    assert account.tier.name == "Regular"
