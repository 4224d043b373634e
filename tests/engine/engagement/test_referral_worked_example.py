"""The worked example of docs/referrals.md, told as one story against the real engine.

If this test changes, the guide's numbers must change with it.
"""

# ruff: noqa: F811  (the referral fixtures are imported from referral_shop, then named as test arguments)

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.engagement import referral_orders, referrals
from saleor_loyalty.members.summary import points_value, summarize
from saleor_loyalty.models import EntryKind, LedgerEntry, ReferralStatus

from .referral_shop import HOME, dana, noa, referral_shop  # noqa: F401  (fixtures)


def test_the_guides_worked_example(club, dana, django_user_model, referral_shop):
    # the `il` club's rules: 500 points, a ₪25 welcome voucher, 30 pending days, 3 a month
    rules = referrals.update_settings(
        club,
        enabled=True,
        referrer_points=500,
        friend_benefit="voucher_fixed",
        friend_value="25",
        pending_days=30,
        monthly_cap=3,
        link_template="https://shop.example.co.il/?ref={code}",
    )
    assert referrals.link_for(rules, dana.code) == f"https://shop.example.co.il/?ref={dana.code}"

    # 1 March: Noa applies Dana's code to her guest checkout and gets the ₪25 voucher
    checkout = referral_shop.add_checkout(email="noa@example.co.il")
    referral, applied = referrals.apply_code(club, checkout.token, dana.code, Requestor(), referral_shop)
    assert applied
    assert referral_shop.vouchers == [(referral.voucher_code, True, Decimal("25.00"))]

    # 2 March: she pays ₪175; the reward is due 30 days later
    paid = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    order = referral_shop.place_order(referral_shop.checkouts[checkout.token], total="175.00", paid_at=paid)
    referral = referral_orders.sync_referral_order(order, referral_shop, now=paid)
    assert referral.status == ReferralStatus.ORDERED
    assert referral.reward_due_at == datetime(2026, 4, 1, 10, 0, tzinfo=UTC)

    # 1 April: the job gives Dana 500 points, worth ₪25 at 0.05 ₪ a point
    april = datetime(2026, 4, 1, 10, 1, tzinfo=UTC)
    assert referral_orders.reward_due(referral_shop, now=april - timedelta(minutes=2)).written == 0
    assert referral_orders.reward_due(referral_shop, now=april).written == 1
    dana.account.refresh_from_db()
    summary = summarize(dana.account, now=april)
    assert summary.available == 500
    assert points_value(club, summary).amount == Decimal("25.00")

    # 10 April: Noa's ₪175 is refunded; Dana's 500 points are taken back, the voucher stays spent
    referral = referral_orders.sync_referral_order(referral_shop.refund(order), referral_shop, now=april)
    assert (referral.status, referral.reason_code, referral.voucher_spent) == (
        ReferralStatus.REVERSED,
        "order_refunded",
        True,
    )
    assert LedgerEntry.objects.get(kind=EntryKind.REFERRAL_REVERSAL).points == -500
    dana.account.refresh_from_db()
    assert dana.account.balance == 0

    # had a second account shipped to Dana's address, the referral would have been rejected
    referral_shop.knows(dana, addresses=[HOME])
    second = django_user_model.objects.create(username="second", email="second@example.co.il")
    other = referral_shop.add_checkout(user=second)
    referrals.apply_code(club, other.token, dana.code, Requestor(user_id=second.pk), referral_shop)
    rejected = referral_orders.sync_referral_order(
        referral_shop.place_order(referral_shop.checkouts[other.token], user=second, address=HOME),
        referral_shop,
    )
    assert (rejected.status, rejected.reason) == (
        ReferralStatus.REJECTED,
        "The friend's shipping address is the member's own.",
    )
