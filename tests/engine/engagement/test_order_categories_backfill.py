"""Migration 0380's backfill: each order's categories get the account holding its earn (a guest's stays
the guest's), rows whose order has no earn stay null, and a re-run changes nothing."""

import importlib
from datetime import UTC, datetime

from django.apps import apps
from django.db import connection

from saleor_loyalty.models import LedgerEntry, LoyaltyAccount, OrderCategories

migration = importlib.import_module("saleor_loyalty.migrations.0380_order_categories_account")


def _earn(account, order_id):
    at = datetime(2026, 3, 2, 10, tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {LedgerEntry._meta.db_table} (account_id, kind, points, forgiven_points, source_key,
                order_id, order_number, money_amount, reason, detail, available_at, occurred_at, actor_label,
                created_at) VALUES (%s, 'earn', 10, 0, %s, %s, '', 10, '', '{{}}', %s, %s, 'test', %s)""",
            [account.pk, f"order:{order_id}", order_id, at, at, at],
        )


def test_the_backfill_puts_each_order_on_its_earns_account(program, monkeypatch):
    member = LoyaltyAccount.objects.create(program=program, email="dana@example.co.il")
    guest = LoyaltyAccount.objects.create(program=program, email="dana@example.com", merged_into=member)
    orders = [f"{n:032x}" for n in range(1, 6)]
    for order_id, account in zip(orders, (member, member, guest, member), strict=False):
        _earn(account, order_id)
    for order_id in orders:  # the last order has no earn
        OrderCategories.objects.create(order_id=order_id, category_ids=[1])
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches

    migration.backfill(apps, None)
    migration.backfill(apps, None)

    assert [row.account_id for row in OrderCategories.objects.order_by("id")] == [
        member.pk, member.pk, guest.pk, member.pk, None,
    ]  # fmt: skip
