"""Shared engagement fixtures: the actions catalogue switched on, paid-membership plans and their orders."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from prices import Money

from saleor_loyalty.core.facts import OrderFacts, OrderLineFacts, RefundedLineFacts, Requestor
from saleor_loyalty.engagement import catalogue
from saleor_loyalty.engagement.membership_plans import VariantFacts, set_plan
from saleor_loyalty.models import ClubAction

APP = Requestor(app_id=5, app_name="Reviews app", permissions=frozenset({"MANAGE_USERS"}))


@pytest.fixture
def actions_on(club):
    """The built-in kinds switched on with their suggested points (review 50, 3 a day, 20 a month, once per
    product, 14 pending days; share 100, 3 a day, 10 a month; the rest 50-150 once ever)."""
    catalogue.ensure_builtin_actions(club)
    ClubAction.objects.filter(program=club).update(is_enabled=True)
    return club


GOLD_CLUB_VARIANT = 501
PLATINUM_YEAR_VARIANT = 502
PAID = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)  # 11:30 in Jerusalem, winter time (UTC+2)


class FakeCatalog:
    """Saleor's variants as the adapter reports them: ₪29.90 a month for Gold, ₪990 a year for Platinum."""

    def __init__(self):
        self.variants = {
            GOLD_CLUB_VARIANT: VariantFacts(
                GOLD_CLUB_VARIANT, "Monthly", "Gold club", Money(Decimal("29.90"), "ILS")
            ),
            PLATINUM_YEAR_VARIANT: VariantFacts(
                PLATINUM_YEAR_VARIANT, "Yearly", "Platinum club", Money(Decimal("990.00"), "ILS")
            ),
        }
        self.calls = 0

    def __call__(self, channel_slug, variant_ids):
        self.calls += 1
        return {pk: facts for pk, facts in self.variants.items() if pk in variant_ids}


@pytest.fixture
def catalog():
    return FakeCatalog()


@pytest.fixture
def gold_plan(club, catalog):
    return set_plan(
        club,
        GOLD_CLUB_VARIANT,
        catalog,
        name="Gold club",
        term="monthly",
        tier_id=club.tiers.get(name="Gold").pk,
        monthly_gift_points=100,
        reminder_days=7,
    )


@pytest.fixture
def platinum_plan(club, catalog):
    return set_plan(
        club,
        PLATINUM_YEAR_VARIANT,
        catalog,
        name="Platinum year",
        term="yearly",
        tier_id=club.tiers.get(name="Platinum").pk,
        monthly_gift_credit=(Decimal("20"), "ILS"),
    )


@pytest.fixture
def membership_order():
    """A paid order of a plan's variant (plus a shirt), as the Saleor adapter reports it."""

    def build(
        user,
        *,
        variant=GOLD_CLUB_VARIANT,
        quantity=1,
        paid_at=PAID,
        order_id=None,
        line_id=None,
        refunded_lines=(),
        refunded="0",
        cancelled=False,
        price="29.90",
    ):
        order_id = order_id or uuid.uuid4()
        lines = (
            OrderLineFacts(
                line_id=line_id or f"{order_id}-plan",
                product_name="Club membership",
                sku="CLUB",
                quantity=quantity,
                total_net=Decimal(price) * quantity,
                total_gross=Decimal(price) * quantity,
                variant_id=variant,
            ),
            OrderLineFacts(
                f"{order_id}-shirt", "Shirt", "SHIRT", 1, Decimal("100"), Decimal("118"), variant_id=9
            ),
        )
        total = sum((line.total_gross for line in lines), Decimal(0))
        return OrderFacts(
            order_id=order_id,
            number="1001",
            channel_slug="il",
            currency="ILS",
            user_id=user.pk,
            email=user.email,
            lines=lines,
            shipping_gross=Decimal(0),
            total_gross=total,
            is_paid=True,
            paid_at=paid_at,
            refunded_amount=Decimal(refunded),
            refunded_lines=tuple(RefundedLineFacts(line_id, qty) for line_id, qty in refunded_lines),
            itemized_refund_amount=Decimal(refunded),
            is_cancelled=cancelled,
        )

    return build
