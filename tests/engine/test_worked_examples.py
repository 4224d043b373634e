"""The worked example of docs/program-guide.md, told as one story against the real engine.

If this test changes, the guide's numbers must change with it.
"""

import dataclasses
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import ChannelFacts, OrderFacts, OrderLineFacts, RefundedLineFacts
from saleor_loyalty.ledger import programs
from saleor_loyalty.members.summary import points_value, summarize
from saleor_loyalty.models import LoyaltyAccount, TierEvent
from saleor_loyalty.tiers import evaluation as tier_evaluation
from saleor_loyalty.tiers import ladder as tiers

JERUSALEM = ZoneInfo("Asia/Jerusalem")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"))


def order(user, when, lines, shipping="0", gift_card_paid="0"):
    line_facts = tuple(
        OrderLineFacts(
            f"l{i}",
            name,
            f"SKU-{i}",
            1,
            (Decimal(gross) / Decimal("1.18")).quantize(Decimal("0.01")),
            Decimal(gross),
        )
        for i, (name, gross) in enumerate(lines)
    )
    total = sum((line.total_gross for line in line_facts), Decimal(0)) + Decimal(shipping)
    return OrderFacts(
        order_id=uuid.uuid4(),
        number="1",
        channel_slug="il",
        currency="ILS",
        user_id=user.pk,
        email=user.email,
        lines=line_facts,
        shipping_gross=Decimal(shipping),
        total_gross=total,
        gift_card_paid=Decimal(gift_card_paid),
        is_paid=True,
        paid_at=when,
    )


def test_program_guide_worked_example(db, django_user_model):
    program = programs.ensure_program(ChannelFacts("il", "ILS", "IL"))
    noa = django_user_model.objects.create(username="noa", email="noa@example.co.il")
    march_1 = datetime(2026, 3, 1, 10, 0, tzinfo=JERUSALEM)

    # 1 March: a ₪472 coat, ₪30 shipping, ₪100 paid by gift card → 377 points, pending two weeks
    coat = ledger.sync_order(
        order(noa, march_1, [("Coat", "472.00")], shipping="30.00", gift_card_paid="100.00")
    )
    assert coat.earned.points == 377
    assert coat.earned.available_at == march_1 + timedelta(days=14)
    assert coat.earned.expires_at.astimezone(JERUSALEM).date() == date(2027, 3, 1)
    account = LoyaltyAccount.objects.get(user=noa)
    assert summarize(account, march_1 + timedelta(days=1)).pending == 377
    standing = tiers.standing(program, account, march_1 + timedelta(days=1))
    assert (cents(standing.current), cents(standing.remaining)) == (Decimal("377.98"), Decimal("1622.02"))

    # 20 March: ₪1,700 of furniture makes her Gold at once
    furniture = order(noa, datetime(2026, 3, 20, 12, 0, tzinfo=JERUSALEM), [("Sofa", "1700.00")])
    assert ledger.sync_order(furniture).earned.points == 1700
    account.refresh_from_db()
    assert account.tier.name == "Gold"
    assert TierEvent.objects.filter(
        account=account, cause="order_upgrade", order_id=furniture.order_id
    ).exists()

    # 2 April: half of the furniture is refunded → 850 points back, still Gold until evaluation
    april_2 = datetime(2026, 4, 2, 12, 0, tzinfo=JERUSALEM)
    reversal = ledger.sync_order(dataclasses.replace(furniture, refunded_amount=Decimal("850"))).reversed
    assert reversal.points == -850
    tier_evaluation.evaluate_program(program, now=april_2)
    account.refresh_from_db()
    assert account.tier.name == "Gold"
    standing = tiers.standing(program, account, april_2)
    assert (cents(standing.retain_amount), standing.retain_by) == (Decimal("272.02"), date(2026, 5, 2))

    # 2 May: no more spend → back to Regular
    tier_evaluation.evaluate_program(program, now=datetime(2026, 5, 2, 12, 0, tzinfo=JERUSALEM))
    account.refresh_from_db()
    assert account.tier.name == "Regular"

    # from 3 April the furniture's remaining points are spendable too; what they are worth
    summary = summarize(account, datetime(2026, 4, 5, tzinfo=JERUSALEM))
    assert summary.available == 1227
    assert points_value(program, summary).amount == Decimal("61.35")


def test_program_guide_refund_example(db, django_user_model):
    # given Dana's ₪470 order: a ₪300 jacket, two ₪60 shirts (one line), ₪50 shipping → 420 points
    program = programs.ensure_program(ChannelFacts("il", "ILS", "IL"))
    dana = django_user_model.objects.create(username="dana", email="dana@example.co.il")
    paid = order(
        dana, datetime(2026, 3, 1, 10, 0, tzinfo=JERUSALEM), [("Jacket", "300"), ("Shirts", "120")], "50"
    )
    paid = dataclasses.replace(paid, lines=(paid.lines[0], dataclasses.replace(paid.lines[1], quantity=2)))
    earned = ledger.sync_order(paid).earned
    assert [line["points"] for line in earned.detail["lines"]] == [300, 120]

    def refunded(lines, shipping=False, amount="0"):
        return dataclasses.replace(
            paid,
            refunded_lines=tuple(RefundedLineFacts(line_id, quantity) for line_id, quantity in lines),
            shipping_refunded=shipping,
            itemized_refund_amount=Decimal(amount),
            refunded_amount=Decimal(amount),
        )

    # when one shirt is refunded through a fulfillment refund → 60 points, not 420 × 60/470 = 54
    assert ledger.sync_order(refunded([("l1", 1)], amount="60")).reversed.points == -60

    # when the rate has doubled and the jacket is refunded too → its recorded 300, not 600
    program.earn_rate = Decimal(2)
    program.save()
    assert ledger.sync_order(refunded([("l1", 1), ("l0", 1)], amount="360")).reversed.points == -300

    # when the shipping is refunded on top → nothing more
    assert ledger.sync_order(refunded([("l1", 1), ("l0", 1)], shipping=True, amount="410")).reversed is None

    # then one shirt's 60 points are all Dana keeps
    assert LoyaltyAccount.objects.get(user=dana).balance == 60
