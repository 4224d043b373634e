"""Nightly reconciliation finds drift around the ORM, records it once, and only staff repair it."""

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import graphene
import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Actor, Requestor
from saleor_loyalty.exceptions import ReasonRequired
from saleor_loyalty.graphql.context import ClubContext
from saleor_loyalty.graphql.schema import schema
from saleor_loyalty.ledger import reconciliation
from saleor_loyalty.models import (
    EntryKind,
    JobCursor,
    LedgerEntry,
    LoyaltyAccount,
    ReconciliationCheck,
    ReconciliationFinding,
    StoreCreditCard,
)
from saleor_loyalty.rewards import cashback
from tests.concurrency import run_concurrently
from tests.engine.conftest import PAID_AT

NIGHT = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
STAFF = Actor(user_id=1, label="staff@example.com")
FINDING = "LoyaltyReconciliationFinding"


def members(program, count):
    """`count` members with 100 points each (a staff opening balance)."""
    accounts = []
    for i in range(count):
        user = get_user_model().objects.create(username=f"m{i}", email=f"m{i}@example.co.il")
        account = ledger.account_for(program, user.pk, user.email)
        ledger.adjust_points(account, 100, "opening balance", STAFF)
        accounts.append(account)
    return accounts


def drift_around_the_orm(account, points):
    """What a bug or a hand-written UPDATE does: move the cache without a ledger row."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {LoyaltyAccount._meta.db_table} SET balance = balance + %s WHERE id = %s",
            [points, account.pk],
        )


def drift_lines(caplog):
    return [r for r in caplog.records if r.getMessage().startswith("loyalty reconciliation drift")]


def test_drift_injected_around_the_orm_is_found_logged_once_and_recorded(program, caplog):
    # given three members, one of whose cached balance was moved by 40 without a row
    healthy, drifted, other = members(program, 3)
    drift_around_the_orm(drifted, 40)
    caplog.set_level(logging.WARNING, logger="saleor_loyalty.ledger.reconciliation")

    # when the nightly job runs, and again the next night
    first = reconciliation.reconcile_accounts(now=NIGHT)
    second = reconciliation.reconcile_accounts(now=NIGHT + timedelta(days=1))

    # then one finding says what the rows and the cache hold, and one structured line was logged
    finding = ReconciliationFinding.objects.get()
    assert (finding.account_id, finding.kind) == (drifted.pk, ReconciliationCheck.POINTS)
    assert (finding.expected, finding.found, finding.drift) == (100, 140, 40)
    assert (first.seen, first.written, second.seen, second.written) == (3, 1, 3, 0)
    [line] = drift_lines(caplog)
    assert line.loyalty_account_id == drifted.pk
    assert line.drift == "40"
    # and nothing was repaired by the job
    drifted.refresh_from_db()
    assert drifted.balance == 140
    assert LedgerEntry.objects.filter(account=drifted).count() == 1


def test_the_job_resumes_from_its_cursor_and_runs_one_pass_a_night(program):
    # given five members, the last one drifted
    accounts = members(program, 5)
    drift_around_the_orm(accounts[-1], -7)

    # when a run is cut short after two batches of two
    cut = reconciliation.reconcile_accounts(now=NIGHT, batch_size=2, max_batches=2)

    # then it stopped at the fourth account, and found nothing yet
    assert (cut.seen, JobCursor.objects.get(name=reconciliation.RECONCILE_JOB).last_id) == (4, accounts[3].pk)
    assert not ReconciliationFinding.objects.exists()

    # when the next run comes, it checks only the rest, finishes the pass, and a later run that night rests
    rest = reconciliation.reconcile_accounts(now=NIGHT + timedelta(hours=1), batch_size=2)
    same_night = reconciliation.reconcile_accounts(now=NIGHT + timedelta(hours=2), batch_size=2)
    assert (rest.seen, rest.written, same_night.seen) == (1, 1, 0)
    assert ReconciliationFinding.objects.get().drift == -7


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_record_each_drift_once(program):
    # given twelve members, four of them drifted
    accounts = members(program, 12)
    for account in accounts[::3]:
        drift_around_the_orm(account, 5)

    # when two workers run the job at the same moment, in small batches, and again the same night
    run_concurrently(lambda _: reconciliation.reconcile_accounts(now=NIGHT, batch_size=2), 2)
    run_concurrently(lambda _: reconciliation.reconcile_accounts(now=NIGHT, batch_size=2), 2)

    # then every drifted account has exactly one finding
    assert sorted(ReconciliationFinding.objects.values_list("account_id", flat=True)) == [
        a.pk for a in accounts[::3]
    ]


def test_repair_writes_one_correction_and_a_second_repair_writes_nothing(program):
    # given a finding of +40 on a member's cache
    _, drifted = members(program, 2)
    drift_around_the_orm(drifted, 40)
    reconciliation.reconcile_accounts(now=NIGHT)
    finding = ReconciliationFinding.objects.get()

    # when staff repair it, twice
    repaired, entry = reconciliation.repair(program, finding.pk, "cache bumped by a script", STAFF)
    again, nothing = reconciliation.repair(program, finding.pk, "cache bumped by a script", STAFF)

    # then one correction row explains the balance the member was shown, and the cache is the rows' sum
    assert (entry.kind, entry.points, entry.source_key) == (
        EntryKind.CORRECTION,
        40,
        f"reconcile:{finding.pk}",
    )
    assert nothing is None
    assert repaired.resolution == again.resolution == "repaired"
    assert LedgerEntry.objects.filter(kind=EntryKind.CORRECTION).count() == 1
    drifted.refresh_from_db()
    assert drifted.balance == 140
    assert ledger.reconcile_account(drifted) == 0
    # and the next night finds nothing new
    assert reconciliation.reconcile_accounts(now=NIGHT + timedelta(days=1)).written == 0


def test_repair_without_a_reason_writes_nothing(program):
    (drifted,) = members(program, 1)
    drift_around_the_orm(drifted, 3)
    reconciliation.reconcile_accounts(now=NIGHT)
    finding = ReconciliationFinding.objects.get()

    with pytest.raises(ReasonRequired):
        reconciliation.repair(program, finding.pk, "  ", STAFF)

    finding.refresh_from_db()
    assert finding.resolved_at is None
    assert not LedgerEntry.objects.filter(kind=EntryKind.CORRECTION).exists()


def test_store_credit_card_moved_outside_the_club_is_a_finding_and_spending_is_not(
    program, customer, make_order, cards, after_pending
):
    # given ₪3 cashback credited to Dana's card, of which she spent ₪1 on an order in Saleor
    program.cashback_percent = Decimal("2")
    program.save()
    cashback.sync_order_cashback(make_order(user=customer), cards, now=PAID_AT)
    cashback.credit_due_cashback(cards, now=after_pending)
    card = StoreCreditCard.objects.get(user_id=customer.pk)
    cards.spend_on_order(card.gift_card_id, "order-1", Decimal("1.00"))

    # then the nightly job is satisfied
    assert reconciliation.reconcile_accounts(cards, now=NIGHT).written == 0

    # when someone adds ₪5 to the card in Saleor's dashboard
    cards.adjust(card.gift_card_id, Decimal("5.00"), "staff in Saleor")
    run = reconciliation.reconcile_accounts(cards, now=NIGHT + timedelta(days=1))

    # then a store-credit finding says the card holds ₪7 where the club's rows explain ₪2
    finding = ReconciliationFinding.objects.get()
    assert run.written == 1
    assert finding.kind == ReconciliationCheck.STORE_CREDIT
    assert (finding.expected, finding.found, finding.drift) == (Decimal("2"), Decimal("7"), Decimal("5"))


REPAIR = """mutation($channel: String!, $id: ID!, $reason: String!) {
  loyaltyReconciliationRepair(channel: $channel, findingId: $id, reason: $reason) {
    errors { field code } finding { check drift resolution } transaction { kind points } } }"""
FINDINGS = (
    """query($channel: String!) { reconciliationFindings(channel: $channel) { id check drift email } }"""
)


def test_staff_see_open_findings_and_repair_through_the_api_customers_cannot(program, customer):
    # given an open finding of -2
    (drifted,) = members(program, 1)
    drift_around_the_orm(drifted, -2)
    reconciliation.reconcile_accounts(now=NIGHT)
    finding = ReconciliationFinding.objects.get()
    staff = Requestor(user_id=99, is_staff=True, permissions=frozenset({"MANAGE_USERS"}))
    finding_id = graphene.Node.to_global_id("LoyaltyReconciliationFinding", finding.pk)
    someone = Requestor(user_id=customer.pk, email=customer.email)

    def run(query, requestor, **variables):
        return schema.execute(
            query, variable_values=variables, context_value=ClubContext(requestor=requestor)
        )

    # when a customer tries, then staff list and repair
    refused = run(REPAIR, someone, channel="il", id=finding_id, reason="x").data[
        "loyaltyReconciliationRepair"
    ]
    listed = run(FINDINGS, staff, channel="il").data["reconciliationFindings"]
    done = run(REPAIR, staff, channel="il", id=finding_id, reason="typo in a script").data[
        "loyaltyReconciliationRepair"
    ]

    # then the customer got a typed error and nothing was written; staff saw it and wrote one correction
    assert refused["errors"] == [{"field": None, "code": "PERMISSION_DENIED"}]
    assert listed == [{"id": finding_id, "check": "points", "drift": "-2", "email": "m0@example.co.il"}]
    assert done["errors"] == []
    assert done["transaction"] == {"kind": "CORRECTION", "points": -2}
    assert done["finding"]["resolution"] == "repaired"
    assert run(FINDINGS, staff, channel="il").data["reconciliationFindings"] == []


def test_repair_of_a_finding_id_that_is_not_one_is_a_typed_error_on_its_field(program):
    staff = Requestor(user_id=99, is_staff=True, permissions=frozenset({"MANAGE_USERS"}))
    for wrong in (graphene.Node.to_global_id("User", 1), graphene.Node.to_global_id(FINDING, 999), "junk"):
        result = schema.execute(
            REPAIR,
            variable_values={"channel": "il", "id": wrong, "reason": "x"},
            context_value=ClubContext(requestor=staff),
        )
        assert result.data["loyaltyReconciliationRepair"]["errors"] == [
            {"field": "findingId", "code": "NOT_FOUND"}
        ]
