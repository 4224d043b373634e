"""Refunds reverse what the refunded lines earned, as recorded at earn time (engine tier, no Saleor).

The default order of `make_order`: a ₪120 shirt (line l0) and ₪30 socks (line l1), ₪25 shipping,
₪175 paid in cash, 150 points (1 point per ₪ of goods).
"""

import dataclasses
from decimal import Decimal

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import RefundedLineFacts
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount


def refunded(facts, *lines, shipping=False, itemized=None, extra="0"):
    """The order after Saleor refunded these (line id, quantity) and maybe shipping, plus `extra` money alone."""
    by_id = {line.line_id: line for line in facts.lines}
    itemized = Decimal(itemized) if itemized is not None else None
    if itemized is None:
        per_unit = {i: by_id[i].total_gross / by_id[i].quantity for i, _ in lines}
        itemized = sum((per_unit[i] * q for i, q in lines), Decimal(0))
        itemized += facts.shipping_gross if shipping else Decimal(0)
    return dataclasses.replace(
        facts,
        refunded_lines=tuple(RefundedLineFacts(i, q) for i, q in lines),
        shipping_refunded=shipping,
        itemized_refund_amount=itemized,
        refunded_amount=itemized + Decimal(extra),
    )


def reversed_points(facts) -> int:
    rows = LedgerEntry.objects.filter(kind=EntryKind.EARN_REVERSAL, order_id=facts.order_id)
    return -sum(row.points - row.forgiven_points for row in rows)


def balance(customer) -> int:
    return LoyaltyAccount.objects.get(user=customer).balance


def test_shipping_only_refund_reverses_nothing(program, customer, make_order):
    # given a paid order that earned 150 points on its goods
    order = make_order(user=customer)
    ledger.sync_order(order)

    # when Saleor refunds the ₪25 shipping alone
    result = ledger.sync_order(refunded(order, shipping=True))

    # then no point is taken back: shipping never earned any
    assert result.reversed is None
    assert reversed_points(order) == 0
    assert balance(customer) == 150


def test_one_line_refund_reverses_exactly_that_lines_recorded_earn(program, customer, make_order):
    # given a paid order whose socks line earned 30 of its 150 points
    order = make_order(user=customer)
    earned = ledger.sync_order(order).earned
    assert [line["points"] for line in earned.detail["lines"]] == [120, 30]

    # when the program triples its rate and only then Saleor refunds the socks
    program.earn_rate = Decimal(3)
    program.save()
    result = ledger.sync_order(refunded(order, ("l1", 1)))

    # then exactly the socks' recorded 30 points are reversed (not 30/175 of 150, not 90)
    assert result.reversed.points == -30
    assert balance(customer) == 120
    assert ledger.reconcile_account(LoyaltyAccount.objects.get(user=customer)) == 0


def test_part_of_a_lines_quantity_reverses_its_share_and_the_rest_adds_up(program, customer, make_order):
    # given a line of 3 mugs at ₪40 (120 points) and socks (30 points)
    order = make_order(user=customer, lines=(("Mugs", "120.00"), ("Socks", "30.00")))
    order = dataclasses.replace(
        order, lines=(dataclasses.replace(order.lines[0], quantity=3), order.lines[1])
    )
    ledger.sync_order(order)

    # when one mug is refunded, then (cumulatively) all three
    ledger.sync_order(refunded(order, ("l0", 1)))
    after_one = reversed_points(order)
    ledger.sync_order(refunded(order, ("l0", 3)))

    # then one mug takes back 40 points and three take back the line's 120, never the socks'
    assert after_one == 40
    assert reversed_points(order) == 120
    assert balance(customer) == 30


def test_two_line_refunds_out_of_order_and_twice_converge(program, customer, make_order, django_user_model):
    # given two members with the same paid order
    other = django_user_model.objects.create(username="noa", email="noa@example.co.il")
    first, second = make_order(user=customer), make_order(user=other)
    ledger.sync_order(first)
    ledger.sync_order(second)

    # when the shirt is refunded, then the socks: one member's events arrive in order, the
    # other's newest first, and every event twice
    for states in (
        [refunded(first, ("l0", 1)), refunded(first, ("l0", 1), ("l1", 1))],
        [refunded(second, ("l0", 1), ("l1", 1)), refunded(second, ("l0", 1))],
    ):
        for facts in states + states:
            ledger.sync_order(facts)
    rows_before_replay = LedgerEntry.objects.count()
    ledger.sync_order(refunded(first, ("l1", 1), ("l0", 1)))

    # then both reversed all 150 points, and a further replay (lines listed the other way) adds nothing
    assert reversed_points(first) == reversed_points(second) == 150
    assert balance(customer) == balance(other) == 0
    assert LedgerEntry.objects.count() == rows_before_replay


def test_amounts_only_refund_keeps_the_proportional_rule(program, customer, make_order, django_user_model):
    # given two paid orders of ₪175 (150 points each)
    other = django_user_model.objects.create(username="noa", email="noa@example.co.il")
    plain, mixed = make_order(user=customer), make_order(user=other)
    ledger.sync_order(plain)
    ledger.sync_order(mixed)

    # when Saleor refunds ₪50 without saying what for on one, and the socks plus ₪50 alone on the other
    ledger.sync_order(dataclasses.replace(plain, refunded_amount=Decimal("50.00")))
    ledger.sync_order(refunded(mixed, ("l1", 1), extra="50.00"))

    # then ₪50 alone reverses 150 × 50/175 = 43 points; the socks add their own recorded 30
    assert reversed_points(plain) == 43
    assert reversed_points(mixed) == 30 + 43


def test_cancellation_after_a_line_refund_reverses_the_rest(program, customer, make_order):
    # given a paid order whose socks were refunded (30 of 150 points reversed)
    order = make_order(user=customer)
    ledger.sync_order(order)
    ledger.sync_order(refunded(order, ("l1", 1)))

    # when the order is cancelled
    result = ledger.sync_order(dataclasses.replace(refunded(order, ("l1", 1)), is_cancelled=True))

    # then the remaining 120 points are reversed and nothing is left
    assert result.reversed.points == -120
    assert reversed_points(order) == 150
    assert balance(customer) == 0


def test_earn_recorded_without_line_points_falls_back_to_the_proportional_rule(program, customer, make_order):
    # given an earn written before per-line points were recorded (its lines know only their base)
    order = make_order(user=customer)
    earned = ledger.sync_order(order).earned
    old_detail = {
        **earned.detail,
        "lines": [{k: v for k, v in line.items() if k != "points"} for line in earned.detail["lines"]],
    }
    old_order = dataclasses.replace(order, order_id=make_order().order_id)
    account = LoyaltyAccount.objects.get(user=customer)
    LedgerEntry.objects.create(
        account=account,
        kind=EntryKind.EARN,
        points=150,
        source_key=ledger.earn_source_key(old_order.order_id),
        order_id=old_order.order_id,
        money_amount=earned.money_amount,
        detail=old_detail,
        available_at=earned.available_at,
    )
    LoyaltyAccount.objects.filter(pk=account.pk).update(balance=300, lifetime_earned=300)

    # when Saleor refunds that order's socks line
    ledger.sync_order(refunded(old_order, ("l1", 1)))

    # then the ₪30 refunded is reversed as a share of the order: 150 × 30/175 = 26 points
    assert reversed_points(old_order) == 26
