import dataclasses
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from saleor_loyalty import ledger
from saleor_loyalty.exceptions import CurrencyMismatch
from saleor_loyalty.members.summary import summarize
from saleor_loyalty.models import AppendOnlyError, EntryKind, LedgerEntry, LoyaltyAccount


def test_paid_order_earns_one_point_per_shekel_of_goods(program, customer, make_order):
    # given a ₪150 cart with ₪25 shipping
    facts = make_order(user=customer)

    # when the order is synced
    result = ledger.sync_order(facts)

    # then goods earn 150 points, shipping earns nothing
    assert result.earned.points == 150
    assert Decimal(result.earned.detail["earn_rate"]) == 1
    assert LoyaltyAccount.objects.get(user=customer).balance == 150


def test_sync_order_replayed_ten_times_awards_once(program, customer, make_order):
    facts = make_order(user=customer)

    results = [ledger.sync_order(facts) for _ in range(10)]

    assert sum(1 for r in results if r.earned) == 1
    assert sum(1 for r in results if r.duplicate) == 9
    account = LoyaltyAccount.objects.get(user=customer)
    assert account.balance == 150
    assert LedgerEntry.objects.filter(kind=EntryKind.EARN).count() == 1


def test_unpaid_order_earns_nothing(program, customer, make_order):
    result = ledger.sync_order(make_order(user=customer, paid=False))

    assert result.earned is None
    assert not LedgerEntry.objects.exists()


def test_gift_card_money_and_gift_card_products_earn_nothing(program, customer, make_order):
    # given ₪100 goods + ₪100 gift-card product + ₪0 shipping, ₪50 of it paid with a gift card
    facts = make_order(
        lines=(("Bag", "100.00"),),
        gift_card_lines=(("Gift card", "100.00"),),
        shipping="0",
        gift_card_paid="50.00",
        user=customer,
    )

    result = ledger.sync_order(facts)

    # then only the goods earn, on the 3/4 of the order not paid by gift card
    assert result.earned.points == 75


def test_gift_card_money_in_and_outside_the_total_both_earn_nothing(program, customer, make_order):
    # given ₪200 of goods: ₪50 taken off a card at order creation (so Saleor's total is ₪150) and
    # ₪30 charged as a gift-card transaction inside that total
    facts = dataclasses.replace(
        make_order(lines=(("Coat", "200.00"),), shipping="0", user=customer),
        total_gross=Decimal("150.00"),
        legacy_gift_card_paid=Decimal("50.00"),
        gift_card_paid=Decimal("30.00"),
    )

    result = ledger.sync_order(facts)

    # then only the ₪120 paid otherwise earns
    assert result.earned.points == 120


def test_net_accrual_excludes_tax_when_configured(program, customer, make_order):
    program.include_tax = False
    program.save()

    result = ledger.sync_order(make_order(lines=(("Shirt", "118.00"),), user=customer))

    assert result.earned.points == 100


def test_partial_refunds_reverse_cumulative_share_and_never_more(program, customer, make_order):
    facts = make_order(lines=(("Shirt", "100.00"),), shipping="0", user=customer)
    ledger.sync_order(facts)

    ledger.sync_order(dataclasses.replace(facts, refunded_amount=Decimal("30")))
    ledger.sync_order(dataclasses.replace(facts, refunded_amount=Decimal("30")))
    ledger.sync_order(dataclasses.replace(facts, refunded_amount=Decimal("60")))
    ledger.sync_order(dataclasses.replace(facts, refunded_amount=Decimal("100")))
    ledger.sync_order(dataclasses.replace(facts, refunded_amount=Decimal("100"), is_cancelled=True))

    reversals = list(LedgerEntry.objects.filter(kind=EntryKind.EARN_REVERSAL).order_by("pk"))
    assert [r.points for r in reversals] == [-30, -30, -40]
    assert LoyaltyAccount.objects.get(user=customer).balance == 0


def test_reversal_uses_earn_snapshot_not_todays_rate(program, customer, make_order):
    facts = make_order(lines=(("Shirt", "100.00"),), shipping="0", user=customer)
    ledger.sync_order(facts)
    program.earn_rate = Decimal("3")
    program.save()

    ledger.sync_order(dataclasses.replace(facts, refunded_amount=Decimal("50")))

    assert LoyaltyAccount.objects.get(user=customer).balance == 50


def test_cancel_reverses_the_rest(program, customer, make_order):
    facts = make_order(user=customer)
    ledger.sync_order(facts)
    ledger.sync_order(dataclasses.replace(facts, refunded_amount=Decimal("35")))

    ledger.sync_order(dataclasses.replace(facts, is_cancelled=True))

    assert LoyaltyAccount.objects.get(user=customer).balance == 0


def test_refund_of_spent_points_becomes_debt_netted_by_next_earn(
    program, customer, make_order, after_pending
):
    # given 100 points earned, matured, and 80 of them taken away (spent)
    facts = make_order(lines=(("Shirt", "100.00"),), shipping="0", user=customer)
    ledger.sync_order(facts)
    account = LoyaltyAccount.objects.get(user=customer)
    ledger.adjust_points(account, -80, "spent at the shop counter", ledger.SYSTEM)

    # when the order is cancelled
    ledger.sync_order(dataclasses.replace(facts, is_cancelled=True))

    # then the member owes 80 points, paid back first from the next order
    account.refresh_from_db()
    assert account.balance == -80
    assert summarize(account, after_pending).debt == 80
    ledger.sync_order(make_order(lines=(("Coat", "200.00"),), shipping="0", user=customer))
    account.refresh_from_db()
    assert account.balance == 120


def test_clamp_policy_stops_at_zero_and_does_not_retry(program, customer, make_order):
    # given points that are spendable at once, 70 of 100 already spent
    program.negative_balance_policy = "clamp"
    program.pending_days = 0
    program.save()
    facts = make_order(lines=(("Shirt", "100.00"),), shipping="0", user=customer)
    ledger.sync_order(facts)
    account = LoyaltyAccount.objects.get(user=customer)
    ledger.adjust_points(account, -70, "spent", ledger.SYSTEM)

    # when the cancellation is delivered twice
    ledger.sync_order(dataclasses.replace(facts, is_cancelled=True))
    ledger.sync_order(dataclasses.replace(facts, is_cancelled=True))

    # then the balance stops at zero and the 70 are forgiven once, not chased again
    account.refresh_from_db()
    assert account.balance == 0
    reversal = LedgerEntry.objects.get(kind=EntryKind.EARN_REVERSAL)
    assert (reversal.points, reversal.forgiven_points) == (-30, 70)


def test_order_in_other_currency_is_refused_and_writes_nothing(program, customer, make_order):
    with pytest.raises(CurrencyMismatch):
        ledger.sync_order(make_order(user=customer, currency="USD"))

    assert not LedgerEntry.objects.exists()


def test_guest_points_are_attached_when_customer_signs_up(program, make_order, django_user_model):
    ledger.sync_order(make_order(email="Noa@Example.co.il"))

    user = django_user_model.objects.create(username="noa", email="noa@example.co.il")
    ledger.attach_guest_accounts(user.pk, user.email)
    ledger.attach_guest_accounts(user.pk, user.email)

    assert LoyaltyAccount.objects.get(user=user).balance == 150


def test_guest_points_merge_into_existing_member_account_once(program, make_order, django_user_model):
    user = django_user_model.objects.create(username="noa", email="noa@example.co.il")
    ledger.sync_order(make_order(user=user))
    ledger.sync_order(make_order(email="noa@example.co.il"))

    ledger.attach_guest_accounts(user.pk, user.email)
    ledger.attach_guest_accounts(user.pk, user.email)

    member = LoyaltyAccount.objects.get(user=user)
    assert member.balance == 300
    assert LedgerEntry.objects.filter(kind=EntryKind.MERGE_IN).count() == 1
    assert ledger.reconcile_account(member) == 0


def test_ledger_rows_refuse_orm_update_and_delete(program, customer, make_order):
    entry = ledger.sync_order(make_order(user=customer)).earned

    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_database_trigger_rejects_update_behind_the_orm(program, customer, make_order):
    ledger.sync_order(make_order(user=customer))

    with pytest.raises(IntegrityError, match="loyalty_ledgerentry_append_only"), transaction.atomic():
        LedgerEntry.objects.update(points=999)
    with pytest.raises(IntegrityError, match="loyalty_ledgerentry_append_only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM saleor_loyalty_ledgerentry")


def test_duplicate_source_is_rejected_by_named_constraint(program, customer, make_order):
    entry = ledger.sync_order(make_order(user=customer)).earned

    with pytest.raises(IntegrityError, match="loyalty_ledgerentry_source_uniq"), transaction.atomic():
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    account=entry.account,
                    kind=entry.kind,
                    points=1,
                    source_key=entry.source_key,
                    available_at=entry.available_at,
                )
            ]
        )
