"""The accrual statement counts the exact tier amount only when an upper bound of it says the earn may reach
the next tier. Random histories (orders in and out of the window, partial refunds, cancellations, staff
adjustments, guest orders merged in) hold the fast path to the reference `tiers.qualifying_amount`."""

import dataclasses
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.ledger import orders as ledger_orders
from saleor_loyalty.ledger.accrual import QUALIFICATION_BOUND_SQL
from saleor_loyalty.models import EntryKind, LoyaltyAccount, Tier, TierBasis, TierWindow
from saleor_loyalty.tiers import ladder as tiers

THRESHOLDS = {TierBasis.SPEND: (1500, 4000), TierBasis.POINTS: (1500, 4000), TierBasis.ORDERS: (4, 9)}


def _bound(program, account_id, basis) -> Decimal:
    params = {
        "basis": basis,
        "earn": EntryKind.EARN,
        "adjustment": EntryKind.ADJUSTMENT,
        "account": account_id,
        "since": tiers.window_start(program, timezone.now()),
    }
    with connection.cursor() as cursor:
        cursor.execute(QUALIFICATION_BOUND_SQL, params)
        return Decimal(cursor.fetchone()[0])


@pytest.mark.parametrize("seed", range(6))
def test_the_gated_tier_amount_agrees_with_the_reference(
    club, make_order, django_user_model, monkeypatch, seed
):
    rng = random.Random(seed)
    basis = [TierBasis.SPEND, TierBasis.POINTS, TierBasis.ORDERS][seed % 3]
    club.tier_basis = basis
    club.tier_window = [TierWindow.ROLLING_12_MONTHS, TierWindow.CALENDAR_YEAR, TierWindow.LIFETIME][
        seed // 3 % 3
    ]
    club.save()
    for position, threshold in zip((1, 2), THRESHOLDS[basis], strict=True):
        Tier.objects.filter(program=club, position=position).update(
            entry_threshold=threshold, retain_threshold=threshold
        )
    users = [
        django_user_model.objects.create(username=f"m{i}", email=f"m{i}@example.co.il") for i in range(3)
    ]

    seen = []  # (member, the tier's next entry threshold, what the statement answered)
    real_insert = ledger_orders.insert_earn

    def recording(member, *args, **kwargs):
        inserted = real_insert(member, *args, **kwargs)
        if inserted.entry is not None and member.tier.next_entry is not None:
            seen.append((member.account.pk, member.tier.next_entry, inserted.qualifying_after))
        return inserted

    monkeypatch.setattr(ledger_orders, "insert_earn", recording)
    placed, branches = [], set()
    for _ in range(40):
        user = rng.choice(users)
        step = rng.random()
        if step < 0.55 or not placed:
            amount = f"{rng.randint(40, 900)}.{rng.randint(0, 99):02d}"
            as_guest = rng.random() < 0.15
            facts = make_order(
                lines=(("Goods", amount),),
                shipping="0",
                **({"email": user.email} if as_guest else {"user": user}),
            )
            facts = dataclasses.replace(
                facts, paid_at=timezone.now() - timedelta(days=rng.choice([1, 30, 200, 400]))
            )
            ledger.sync_order(facts)
            placed.append(facts)
        elif step < 0.75:
            facts = rng.choice(placed)
            refunded = (facts.total_gross * Decimal(rng.choice(["0.25", "0.5", "1"]))).quantize(
                Decimal("0.01")
            )
            ledger.sync_order(dataclasses.replace(facts, refunded_amount=refunded))
        elif step < 0.85:
            ledger.sync_order(dataclasses.replace(rng.choice(placed), is_cancelled=True))
        elif step < 0.93:
            account = LoyaltyAccount.objects.filter(user=user).first()
            if account is not None:
                ledger.adjust_points(account, rng.choice([-20, 35, 400]), "Correction", ledger.SYSTEM)
        else:
            ledger.attach_guest_accounts(user.pk, user.email)

        for account_id, next_entry, answered in seen:
            branches.add(answered is None)
            exact = tiers.qualifying_amount(club, LoyaltyAccount.objects.get(pk=account_id), timezone.now())
            if answered is None:
                assert exact < next_entry
            else:
                assert Decimal(answered).quantize(tiers.AMOUNT_PLACES) == exact
        seen.clear()
        for account in LoyaltyAccount.objects.filter(merged_into__isnull=True):
            exact = tiers.qualifying_amount(club, account, timezone.now())
            assert _bound(club, account.pk, basis) >= exact
    assert branches == {
        True,
        False,
    }  # earns far from the next tier, and earns the exact amount was counted for
