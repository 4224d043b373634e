from decimal import Decimal

from django.core import mail

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import CheckoutLineFacts
from saleor_loyalty.recovery import reminder_content
from saleor_loyalty.tiers import ladder as tiers

from .flows import tick
from .shop import T0, hours


def test_reminder_shows_points_to_earn_points_expiring_and_next_tier(
    channel, shop, opted_in, program, customer, make_order
):
    # given a member whose 150 points from March expire on 10 Dec 2026, ₪150 short of Gold's ₪2,000
    program.expiry_months = 9
    program.save()
    tiers.ensure_default_tiers(program)
    ledger.sync_order(make_order(user=customer))
    ledger.sync_order(make_order(lines=(("Sofa", "1700.00"),), shipping="0", user=customer))
    ledger.adjust_points(
        ledger.account_for(program, customer.pk, customer.email), -1700, "spent", ledger.SYSTEM
    )
    opted_in(customer.email)
    shop.add_checkout(email=customer.email, user_id=customer.pk, lines=(("Shirt", 2, "240.00"),))

    # when the reminder goes out
    assert tick(shop, T0 + hours(1.1)) == 1

    # then it carries the club angle
    body = mail.outbox[0].body
    assert "תצברו 240 נקודות" in body
    assert "150 נקודות שלך יפוגו עד 2026-12-10" in body
    assert "לדרגת זהב" in body  # the tier's Hebrew name in a Hebrew reminder


def test_club_angle_is_empty_without_a_program(db):
    assert reminder_content.for_cart("nowhere", None, "x@example.com", [{"total": "10"}], T0) == {}


def test_reminder_promises_the_points_the_order_would_earn_without_tax_and_gift_cards(
    channel, shop, opted_in, program, customer
):
    # given a program that earns on prices without tax (17 % VAT), and a cart with a ₪117 shirt
    # (₪100 net) and a ₪200 gift card, which earns nothing
    program.include_tax = False
    program.save()
    tiers.ensure_default_tiers(program)
    opted_in(customer.email)
    shop.add_checkout(
        email=customer.email,
        user_id=customer.pk,
        lines=(
            CheckoutLineFacts("Shirt", 1, Decimal("117.00"), total_net=Decimal("100.00")),
            CheckoutLineFacts(
                "Gift card", 1, Decimal("200.00"), total_net=Decimal("200.00"), is_gift_card=True
            ),
        ),
    )

    # when the reminder goes out
    assert tick(shop, T0 + hours(1.1)) == 1

    # then it promises the 100 points accrual would give, not 317 (gross, gift card included)
    assert "תצברו 100 נקודות" in mail.outbox[0].body
