"""Bulk grants: one reason and one audit record, once per member however often it is replayed, large
filters finished in resumable batches by the beat job."""

import graphene
import pytest

from saleor_loyalty import ledger
from saleor_loyalty.engagement import bulk_grants
from saleor_loyalty.exceptions import IdempotencyConflict, LoyaltyError, ProgramInactive
from saleor_loyalty.ledger import programs
from saleor_loyalty.members.listing import MemberFilter
from saleor_loyalty.models import BulkGrant, BulkGrantState, EntryKind, LedgerEntry
from tests.engine.api import run

GRANT = """mutation($userIds: [ID!], $filter: LoyaltyMemberFilterInput, $key: String!, $points: Int!) {
  loyaltyBulkGrantCreate(channel: "il", points: $points, reason: "Welcome back", idempotencyKey: $key,
                         userIds: $userIds, filter: $filter) {
    errors { field code } grant { points reason state granted skipped byFilter actor } } }"""


@pytest.fixture
def members(club, django_user_model):
    users = [
        django_user_model.objects.create(username=f"m{i}", email=f"m{i}@example.co.il") for i in range(7)
    ]
    return [ledger.account_for(club, user.pk, user.email) for user in users]


def grant_rows():
    return LedgerEntry.objects.filter(kind=EntryKind.BULK_GRANT)


def test_a_list_grant_replayed_grants_each_member_once(club, members, staff):
    ids = [graphene.Node.to_global_id("User", account.user_id) for account in members[:3]]

    first = run(GRANT, staff, userIds=ids, key="welcome-back", points=200).data["loyaltyBulkGrantCreate"]
    replay = run(GRANT, staff, userIds=ids, key="welcome-back", points=200).data["loyaltyBulkGrantCreate"]

    assert first["errors"] == []
    assert first["grant"] == {
        "points": 200,
        "reason": "Welcome back",
        "state": "RUNNING",
        "granted": 3,
        "skipped": 0,
        "byFilter": False,
        "actor": "staff@shop.co.il",
    }
    assert replay["errors"] == []
    assert replay["grant"]["granted"] == 3
    assert BulkGrant.objects.count() == 1
    assert grant_rows().count() == 3
    grant = BulkGrant.objects.get()
    assert set(grant_rows().values_list("source_key", flat=True)) == {
        f"bulk:{grant.pk}:{account.pk}" for account in members[:3]
    }
    assert all(ledger.reconcile_account(account) == 0 for account in members)


def test_the_same_key_for_another_grant_is_a_conflict(club, members, staff):
    ids = [graphene.Node.to_global_id("User", members[0].user_id)]
    run(GRANT, staff, userIds=ids, key="k", points=200)

    other = run(GRANT, staff, userIds=ids, key="k", points=300).data["loyaltyBulkGrantCreate"]

    assert other["errors"] == [{"field": "idempotencyKey", "code": "IDEMPOTENCY_CONFLICT"}]
    assert grant_rows().count() == 1


def test_a_filter_grant_is_finished_by_the_job_in_batches_and_resumes(
    club, members, staff, django_user_model
):
    ledger.adjust_points(members[0], 500, "seed", ledger.SYSTEM)
    wanted = MemberFilter(balance_max=0)  # everyone but members[0]

    grant = bulk_grants.start_grant(club, 50, "Surprise", "surprise-1", ledger.SYSTEM, wanted=wanted)
    # the first batch ran inline (500 members a batch: all six here); rewind to prove the job resumes
    assert grant.granted == 6
    BulkGrant.objects.filter(pk=grant.pk).update(state=BulkGrantState.RUNNING, after_account_id=0, granted=0)
    late = django_user_model.objects.create(username="late", email="late@example.co.il")
    late_account = ledger.account_for(club, late.pk, late.email)

    runs = [bulk_grants.process_grant(grant.pk, max_batches=1, batch_size=2) for _ in range(5)]

    grant.refresh_from_db()
    assert [run.written for run in runs[:3]] == [0, 0, 0]  # replayed batches give nothing twice
    assert grant.state == BulkGrantState.DONE
    assert grant_rows().count() == 6
    assert not grant_rows().filter(account=members[0]).exists()
    assert not grant_rows().filter(account=late_account).exists()  # joined after the grant was made


def test_large_grants_are_finished_by_the_beat_job(club, members):
    grant = bulk_grants.start_grant(club, 10, "Surprise", "g", ledger.SYSTEM, wanted=MemberFilter())
    BulkGrant.objects.filter(pk=grant.pk).update(state=BulkGrantState.RUNNING, after_account_id=members[2].pk)

    bulk_grants.process_running_grants(max_batches=3)

    grant.refresh_from_db()
    assert grant.state == BulkGrantState.DONE
    assert grant_rows().count() == 7


def test_a_bad_request_writes_nothing(club, members):
    bulk_grants.start_grant(club, 10, "a", "k", ledger.SYSTEM, accounts=members[:1])
    with pytest.raises(IdempotencyConflict):
        bulk_grants.start_grant(club, 10, "b", "k", ledger.SYSTEM, accounts=members[:1])
    for bad in ({"points": 0}, {"reason": " "}, {"accounts": []}):
        args = {"points": 10, "reason": "r", "accounts": members[:1], **bad}
        with pytest.raises(LoyaltyError):
            bulk_grants.start_grant(
                club, args["points"], args["reason"], "k2", ledger.SYSTEM, accounts=args["accounts"]
            )
    assert BulkGrant.objects.count() == 1


def test_an_inactive_program_grants_nothing(club, members):
    programs.update_program(club, is_active=False)
    club.refresh_from_db()

    with pytest.raises(ProgramInactive):
        bulk_grants.start_grant(club, 10, "r", "k", ledger.SYSTEM, accounts=members)
    assert not BulkGrant.objects.exists()
    assert not grant_rows().exists()
