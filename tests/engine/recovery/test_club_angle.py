from decimal import Decimal

from django.core import mail

from saleor_loyalty import club_angle, ledger

from .flows import tick
from .shop import T0, hours


def gold_when_over_100(program, account, goods_total):
    """A stand-in for the tier module's preview seam."""
    return "Gold" if goods_total >= Decimal(100) else None


def test_reminder_shows_points_to_earn_points_expiring_and_next_tier(channel, shop, opted_in, program, customer,
                                                                     make_order, settings):
    # given a member whose points from March expire on 10 Dec 2026, and a tier preview seam
    program.expiry_months = 9
    program.save()
    ledger.sync_order(make_order(user=customer))
    settings.LOYALTY_TIER_PREVIEW = "tests.engine.recovery.test_club_angle.gold_when_over_100"
    opted_in(customer.email)
    shop.add_checkout(email=customer.email, user_id=customer.pk, lines=(("Shirt", 2, "240.00"),))

    # when the reminder goes out
    assert tick(shop, T0 + hours(1.1)) == 1

    # then it carries the club angle
    body = mail.outbox[0].body
    assert "תצברו 240 נקודות" in body
    assert "150 נקודות שלך יפוגו עד 2026-12-10" in body
    assert "לדרגת Gold" in body


def test_club_angle_is_empty_without_a_program(db):
    assert club_angle.for_cart("nowhere", None, "x@example.com", [{"total": "10"}], T0) == {}
