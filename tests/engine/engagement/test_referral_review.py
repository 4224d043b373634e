"""Staff review of held referrals, and the "referral rewarded" club news."""

# ruff: noqa: F811  (the referral fixtures are imported from referral_shop, then named as test arguments)

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from saleor_loyalty.core.facts import Actor, Requestor
from saleor_loyalty.engagement import referral_orders, referral_rewards, referrals
from saleor_loyalty.exceptions import ReasonRequired
from saleor_loyalty.messages import club_news, consent
from saleor_loyalty.models import (
    ConsentAction,
    ConsentSource,
    EntryKind,
    LedgerEntry,
    Medium,
    MessagingSettings,
    Referral,
    ReferralStatus,
)

from .referral_shop import PAID, dana, noa, referral_rules, referral_shop  # noqa: F401  (fixtures)

STAFF = Actor(user_id=1, label="staff@shop.co.il")
DUE = PAID + timedelta(days=30, minutes=1)


@pytest.fixture
def held(club, referral_rules, dana, referral_shop):
    referrals.update_settings(club, hold_all=True)
    checkout = referral_shop.add_checkout(email="noa@example.co.il")
    referrals.apply_code(club, checkout.token, dana.code, Requestor(), referral_shop)
    order = referral_shop.place_order(referral_shop.checkouts[checkout.token])
    referral = referral_orders.sync_referral_order(order, referral_shop)
    assert (referral.status, referral.reason_code) == (ReferralStatus.HELD, "review")
    return referral


def test_a_held_referral_is_not_rewarded_until_staff_approve(club, dana, held, referral_shop):
    assert referral_orders.reward_due(referral_shop, now=DUE).written == 0

    approved = referral_rewards.review(club, held.pk, True, "", STAFF, now=DUE)

    assert approved.status == ReferralStatus.REWARDED  # the pending period was already over
    assert approved.reviewed_by == "staff@shop.co.il"
    assert LedgerEntry.objects.get(kind=EntryKind.REFERRAL_REWARD).points == 500


def test_approved_before_the_pending_period_ends_it_still_waits(club, held, referral_shop):
    approved = referral_rewards.review(
        club, held.pk, True, "Checked the order", STAFF, now=PAID + timedelta(days=1)
    )
    assert approved.status == ReferralStatus.ORDERED
    assert referral_orders.reward_due(referral_shop, now=DUE).written == 1


def test_rejecting_needs_a_reason_and_records_it(club, held):
    with pytest.raises(ReasonRequired):
        referral_rewards.review(club, held.pk, False, "  ", STAFF)
    rejected = referral_rewards.review(club, held.pk, False, "Same family, same card", STAFF)
    assert (rejected.status, rejected.reason_code, rejected.reason) == (
        ReferralStatus.REJECTED,
        "staff_rejected",
        "Same family, same card",
    )


def test_only_held_referrals_can_be_reviewed(club, held, other_club):
    referral_rewards.review(club, held.pk, False, "no", STAFF)
    with pytest.raises(referral_rewards.ReferralNotHeld):
        referral_rewards.review(club, held.pk, True, "", STAFF)
    with pytest.raises(referral_rewards.ReferralNotFound):
        referral_rewards.review(other_club, held.pk, True, "", STAFF)  # not in this channel


def test_a_held_referral_whose_order_is_refunded_is_reversed(club, held, referral_shop):
    order = referral_shop.orders[held.order_id]
    referral_orders.sync_referral_order(referral_shop.refund(order), referral_shop)
    assert Referral.objects.get().status == ReferralStatus.REVERSED
    with pytest.raises(referral_rewards.ReferralNotHeld):
        referral_rewards.review(club, held.pk, True, "", STAFF)


def test_the_referrer_is_told_once_in_the_channels_language(club, referral_rules, dana, referral_shop):
    MessagingSettings.objects.create(
        channel_slug="il",
        club_messages_enabled=True,
        country="IL",
        timezone="Asia/Jerusalem",
        sender_name="חנות דנה",
        sender_email="shop@example.co.il",
        contact_address="רחוב הרצל 1, תל אביב",
        reply_to="remove@example.co.il",
    )
    consent.record(
        "il",
        Medium.EMAIL,
        dana.email,
        ConsentAction.GRANT,
        ConsentSource.CHECKOUT_CHECKBOX,
        wording="אני מסכים/ה לקבל דיוור / I agree",
        locale="he",
        ip="203.0.113.7",
        occurred_at=PAID - timedelta(days=1),
    )
    tuesday = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    club_news.send_club_news(now=tuesday)  # the first run starts from now on
    mail.outbox = []
    checkout = referral_shop.add_checkout(email="noa@example.co.il")
    referrals.apply_code(club, checkout.token, dana.code, Requestor(), referral_shop)
    referral_orders.sync_referral_order(
        referral_shop.place_order(referral_shop.checkouts[checkout.token]), referral_shop
    )
    referral_orders.reward_due(referral_shop, now=DUE)

    runs = [club_news.send_club_news(now=tuesday + timedelta(hours=1)) for _ in range(2)]

    assert [run.written for run in runs] == [1, 0]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "פרסומת: קיבלת 500 נקודות על חבר שהבאת"
    assert dana.code in mail.outbox[0].body
