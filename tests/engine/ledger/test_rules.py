"""The accrual rules without a database: what a paid order earns, and the snapshot a refund will use."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

from saleor_loyalty.core.facts import EarnTier, OrderFacts, OrderLineFacts
from saleor_loyalty.ledger.rules import compute_earn

PAID_AT = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def program(**overrides):
    values = {
        "earn_rate": Decimal(1),
        "include_tax": True,
        "pending_days": 14,
        "expiry_months": 12,
        "timezone": "Asia/Jerusalem",
    }
    return SimpleNamespace(**{**values, **overrides})


def order(*lines, shipping="20.00", gift_card_paid="0", legacy_gift_card_paid="0"):
    order_lines = tuple(
        OrderLineFacts(str(i), name, "", 1, Decimal(net), Decimal(gross), is_gift_card=gift)
        for i, (name, net, gross, gift) in enumerate(lines)
    )
    goods = sum((line.total_gross for line in order_lines), Decimal(0))
    return OrderFacts(
        order_id=uuid.uuid4(),
        number="1",
        channel_slug="il",
        currency="ILS",
        user_id=1,
        email="dana@example.co.il",
        lines=order_lines,
        shipping_gross=Decimal(shipping),
        total_gross=goods + Decimal(shipping) - Decimal(legacy_gift_card_paid),
        gift_card_paid=Decimal(gift_card_paid),
        legacy_gift_card_paid=Decimal(legacy_gift_card_paid),
        is_paid=True,
        paid_at=PAID_AT,
    )


SHIRT = ("Shirt", "100.00", "117.00", False)
GIFT_CARD = ("Gift card", "200.00", "200.00", True)


def test_goods_earn_with_tax_shipping_and_gift_card_products_do_not():
    earn = compute_earn(program(), order(SHIRT, GIFT_CARD), PAID_AT)
    assert earn.points == 117
    assert earn.base == Decimal("117.00")


def test_a_tax_excluded_program_earns_on_net_prices():
    assert compute_earn(program(include_tax=False), order(SHIRT), PAID_AT).points == 100


def test_money_paid_with_a_gift_card_earns_nothing_in_either_flow():
    # ₪137 order (₪117 goods + ₪20 shipping), ₪68.50 of it paid with a gift card: half the goods earn
    transaction_flow = order(SHIRT, gift_card_paid="68.50")
    legacy_flow = order(SHIRT, legacy_gift_card_paid="68.50")
    assert compute_earn(program(), transaction_flow, PAID_AT).points == 58
    assert compute_earn(program(), legacy_flow, PAID_AT).points == 58


def test_the_tier_multiplies_the_rate_and_points_are_rounded_down():
    gold = EarnTier(7, "Gold", Decimal("1.5"))
    earn = compute_earn(program(), order(("Mug", "29.06", "33.99", False)), PAID_AT, gold)
    assert earn.points == 50  # 33.99 × 1.5 = 50.985
    assert (earn.detail["tier"], earn.detail["earn_multiplier"]) == ("Gold", "1.5")


def test_points_wait_the_pending_days_and_expire_at_the_end_of_the_local_day():
    earn = compute_earn(program(), order(SHIRT), PAID_AT)
    assert earn.available_at == datetime(2026, 3, 24, 9, 30, tzinfo=UTC)
    assert earn.expires_at.isoformat() == "2027-03-10T23:59:59.999999+02:00"  # Jerusalem, winter time


def test_the_snapshot_records_what_a_later_refund_needs():
    earn = compute_earn(program(earn_rate=Decimal("2")), order(SHIRT), PAID_AT)
    assert earn.detail["earn_rate"] == "2"
    assert earn.detail["refund_basis"] == "137.00"
    assert [line["base"] for line in earn.detail["lines"]] == ["117.00"]
