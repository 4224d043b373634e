from datetime import timedelta
from decimal import Decimal

from saleor_loyalty.models import AbandonedCheckout, RecoveryState
from saleor_loyalty.recovery import attribution

from .flows import tick
from .shop import T0, hours


def test_completing_the_reminded_checkout_is_a_recovery_with_its_revenue(channel, shop, opted_in):
    # given a reminded cart
    opted_in()
    checkout = shop.add_checkout()
    tick(shop, T0 + hours(1.1))

    # when that same checkout becomes an order (Saleor's order.checkout_token)
    order = shop.place_order(
        email="dana@example.co.il", at=T0 + hours(2), checkout_token=checkout.token, total="135.50"
    )
    attribution.record_order(order, T0 + hours(2))
    attribution.record_order(order, T0 + hours(2))  # a redelivered hook changes nothing

    # then it is recovered once, with the order's revenue
    row = AbandonedCheckout.objects.get()
    assert row.state == RecoveryState.RECOVERED
    assert (row.recovered_order_id, row.recovered_revenue) == (order.order_id, Decimal("135.50"))


def test_order_after_the_attribution_window_is_not_a_recovery(channel, shop, opted_in):
    opted_in()
    shop.add_checkout()
    tick(shop, T0 + hours(1.1))

    order = shop.place_order(email="dana@example.co.il", at=T0 + timedelta(days=6, hours=2))
    attribution.record_order(order, order.created_at)

    assert AbandonedCheckout.objects.get().recovered_order_id is None


def test_unreminded_cart_completed_is_purchased_not_recovered(channel, shop):
    checkout = shop.add_checkout()
    tick(shop, T0 + hours(0.5 + 0.6))  # detected, but no consent so nothing was sent
    order = shop.place_order(email="dana@example.co.il", at=T0 + hours(3), checkout_token=checkout.token)
    attribution.record_order(order, order.created_at)
    assert AbandonedCheckout.objects.get().recovered_order_id is None


def test_stats_show_recovery_rate_revenue_and_lift_against_holdout(channel, shop, opted_in, monkeypatch):
    # given two reminded carts (one recovered) and two holdout carts (one converted anyway)
    for name in ("a", "b"):
        opted_in(f"{name}@example.co.il")
        shop.add_checkout(email=f"{name}@example.co.il")
    tick(shop, T0 + hours(1.1))
    channel.holdout_percent = 50
    channel.save()
    monkeypatch.setattr("saleor_loyalty.recovery.abandonment.random.random", lambda: 0.1)
    held = [shop.add_checkout(email=f"h{i}@example.co.il", changed_at=T0 + hours(1)) for i in range(2)]
    tick(shop, T0 + hours(2.1))
    for email, at, token in (
        ("a@example.co.il", hours(3), ""),
        ("h0@example.co.il", hours(3), held[0].token),
    ):
        attribution.record_order(
            shop.place_order(email=email, at=T0 + at, checkout_token=token, total="100"), T0 + at
        )

    # when
    result = attribution.stats("il", T0, T0 + timedelta(days=1))

    # then
    assert (result.abandoned_count, result.reminders_sent, result.recovered_count) == (4, 2, 1)
    assert result.recovered_revenue == Decimal("100")
    assert result.abandoned_value == Decimal("480")
    assert result.recovery_rate == Decimal("0.5")
    assert result.holdout_recovery_rate == Decimal("0.5")
    assert result.lift == Decimal("0")
