"""An award in one statement: caps counted in its snapshot stay exact because the account is locked only if
its row is still that snapshot's version; anything but an award falls back to the two-statement path."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_loyalty import ledger
from saleor_loyalty.engagement import actions
from saleor_loyalty.models import ActionOutcome, ActionRecording, BuiltinAction, EntryKind, LedgerEntry
from tests.concurrency import run_concurrently
from tests.engine.engagement.conftest import APP

REVIEW = BuiltinAction.PRODUCT_REVIEW  # 50 points, at most 3 a day, once per product


def review(member, product: str, key: str):
    return actions.record(member.program, REVIEW, member, product, key, APP.as_actor())


def test_an_award_is_one_statement(actions_on, customer):
    member = ledger.account_for(actions_on, customer.pk, customer.email)

    with CaptureQueriesContext(connection) as queries:
        result = review(member, "product-1", "key-1")

    assert result.outcome == ActionOutcome.AWARDED
    assert len(queries) == 1
    recording = ActionRecording.objects.get(idempotency_key="key-1")
    assert (recording.outcome, recording.entry_id) == (ActionOutcome.AWARDED, result.entry.pk)
    member.refresh_from_db()
    assert member.balance == 50
    assert ledger.reconcile_account(member) == 0


def test_a_retry_and_a_capped_review_still_answer_as_before(actions_on, customer):
    member = ledger.account_for(actions_on, customer.pk, customer.email)
    first = [review(member, f"product-{i}", f"key-{i}") for i in range(3)]

    retry = review(member, "product-0", "key-0")
    capped = review(member, "product-9", "key-9")

    assert retry.outcome == ActionOutcome.AWARDED
    assert retry.entry.pk == first[0].entry.pk
    assert capped.outcome == ActionOutcome.CAPPED
    assert capped.entry is None
    assert ActionRecording.objects.get(idempotency_key="key-9").outcome == ActionOutcome.CAPPED
    assert LedgerEntry.objects.filter(kind=EntryKind.ACTION).count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_reviews_of_different_products_stop_at_the_daily_cap(actions_on, customer):
    member = ledger.account_for(actions_on, customer.pk, customer.email)
    outcomes = []

    run_concurrently(lambda i: outcomes.append(review(member, f"product-{i}", f"key-{i}").outcome), 8)

    assert sorted(outcomes).count(ActionOutcome.AWARDED) == 3
    assert LedgerEntry.objects.filter(kind=EntryKind.ACTION).count() == 3
    member.refresh_from_db()
    assert member.balance == 150
    assert ledger.reconcile_account(member) == 0
