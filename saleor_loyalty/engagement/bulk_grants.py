"""Bulk grants: staff give points to a list of members or to everyone a member-list filter finds, with one
reason and one audit record (`BulkGrant`), in resumable batches.

Invariant: each member's points are one BULK_GRANT row keyed `bulk:<grant id>:<account>`, so a replayed
mutation (same idempotency key), a re-run batch or two workers on one grant give every member once. The
members are those matching when the grant was made: accounts created later are not part of it.
"""

from dataclasses import asdict
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.core.clock import lot_expiry
from saleor_loyalty.core.facts import Actor
from saleor_loyalty.core.jobs import JobRun
from saleor_loyalty.exceptions import IdempotencyConflict, InvalidPoints, LoyaltyError, ReasonRequired
from saleor_loyalty.ledger.accounts import append_entry  # the one writer path (under lock_account)
from saleor_loyalty.ledger.programs import require_live
from saleor_loyalty.members.listing import MemberFilter, members
from saleor_loyalty.models import BulkGrant, BulkGrantState, EntryKind, LoyaltyAccount, LoyaltyProgram

MAX_LISTED = 500
MAX_REASON = 1000
BATCH_SIZE = 500
INLINE_BATCHES = 1  # the mutation grants the first batch itself; the beat job finishes large filters


def grant_source_key(grant_id: int, account_id: int) -> str:
    return f"bulk:{grant_id}:{account_id}"


def _filter_json(wanted: MemberFilter) -> dict:
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in asdict(wanted).items()
    }


def _filter_of(stored: dict) -> MemberFilter:
    return MemberFilter(
        **{
            key: datetime.fromisoformat(value) if key.startswith("last_order") and value else value
            for key, value in stored.items()
        }
    )


def start_grant(
    program: LoyaltyProgram,
    points: int,
    reason: str,
    idempotency_key: str,
    actor: Actor,
    *,
    accounts: list[LoyaltyAccount] | None = None,
    wanted: MemberFilter | None = None,
) -> BulkGrant:
    """Record the grant and give its first batch; the same key with the same request answers the same grant."""
    if (accounts is None) == (wanted is None):
        raise LoyaltyError("Give either a list of customers or a filter.", "user_ids")
    if accounts is not None and not 0 < len(accounts) <= MAX_LISTED:
        raise LoyaltyError(f"List 1-{MAX_LISTED} customers (use a filter for more).", "user_ids")
    if (
        isinstance(points, bool)
        or not isinstance(points, int)
        or not 0 < points <= program.max_adjustment_points
    ):
        raise InvalidPoints(f"Points must be 1-{program.max_adjustment_points}.", "points")
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ReasonRequired(f"A reason of 1-{MAX_REASON} characters is required.", "reason")
    if not isinstance(idempotency_key, str) or not 0 < len(idempotency_key) <= 128:
        raise LoyaltyError("The idempotency key must be 1-128 characters.", "idempotency_key")
    require_live(program)
    account_ids = sorted({account.pk for account in accounts}) if accounts is not None else None
    member_filter = _filter_json(wanted) if wanted is not None else None
    if wanted is not None:
        members(program, wanted)  # a bad filter is refused now, not in the batch job
    request = (points, reason, account_ids, member_filter)
    earlier = BulkGrant.objects.filter(program=program, idempotency_key=idempotency_key).first()
    if earlier is None:
        try:
            with transaction.atomic():
                earlier = BulkGrant.objects.create(
                    program=program,
                    idempotency_key=idempotency_key,
                    points=points,
                    reason=reason,
                    account_ids=account_ids,
                    member_filter=member_filter,
                    up_to_account_id=LoyaltyAccount.objects.filter(program=program).aggregate(top=Max("pk"))[
                        "top"
                    ]
                    or 0,
                    actor_user_id=actor.user_id,
                    actor_app_id=actor.app_id,
                    actor_label=actor.label,
                )
        except IntegrityError:
            earlier = BulkGrant.objects.get(program=program, idempotency_key=idempotency_key)
    elif (earlier.points, earlier.reason, earlier.account_ids, earlier.member_filter) != request:
        raise IdempotencyConflict("This idempotency key was used for a different grant.", "idempotency_key")
    process_grant(earlier.pk, max_batches=INLINE_BATCHES)
    earlier.refresh_from_db()
    return earlier


def _next_accounts(grant: BulkGrant, batch_size: int) -> list[LoyaltyAccount]:
    if grant.account_ids is not None:
        wanted = [pk for pk in grant.account_ids if pk > grant.after_account_id][:batch_size]
        return list(LoyaltyAccount.objects.filter(pk__in=wanted).order_by("pk"))
    found = members(grant.program, _filter_of(grant.member_filter))
    return list(
        found.filter(pk__gt=grant.after_account_id, pk__lte=grant.up_to_account_id).order_by("pk")[
            :batch_size
        ]
    )


def _give(grant: BulkGrant, account: LoyaltyAccount, now: datetime) -> bool:
    program = grant.program
    locked = ledger.lock_account(ledger.effective_account(account))
    entry = append_entry(
        locked,
        kind=EntryKind.BULK_GRANT,
        points=grant.points,
        source_key=grant_source_key(grant.pk, account.pk),
        actor=Actor(user_id=grant.actor_user_id, app_id=grant.actor_app_id, label=grant.actor_label),
        reason=grant.reason,
        detail={"grant": grant.pk},
        occurred_at=now,
        expires_at=lot_expiry(now, program.expiry_months, program.timezone),
    )
    return entry is not None


def process_grant(grant_id: int, max_batches: int, batch_size: int = BATCH_SIZE, now=None) -> JobRun:
    """Grant batch by batch from the grant's cursor; each batch and its cursor move commit together, and a
    worker busy with the grant makes others skip it (`skip_locked`)."""
    now = now or timezone.now()
    run = JobRun()
    while run.batches < max_batches:
        with transaction.atomic():
            grant = (
                BulkGrant.objects.select_for_update(skip_locked=True)
                .select_related("program")
                .filter(pk=grant_id, state=BulkGrantState.RUNNING)
                .first()
            )
            if grant is None:
                return run
            batch = _next_accounts(grant, batch_size)
            run.batches += 1
            if not batch:
                grant.state, grant.finished_at = BulkGrantState.DONE, now
                grant.save(update_fields=["state", "finished_at"])
                return run
            for account in batch:
                run.seen += 1
                if grant.program.gives_value() and _give(grant, account, now):
                    grant.granted += 1
                    run.written += 1
                else:
                    grant.skipped += 1
            grant.after_account_id = batch[-1].pk
            grant.save(update_fields=["after_account_id", "granted", "skipped"])
    return run


def process_running_grants(max_batches: int = 200) -> JobRun:
    """Beat job: finish every running grant, a bounded number of batches per run."""
    total = JobRun()
    for grant_id in (
        BulkGrant.objects.filter(state=BulkGrantState.RUNNING).order_by("pk").values_list("pk", flat=True)
    ):
        run = process_grant(grant_id, max_batches=max(max_batches - total.batches, 0))
        total.batches += run.batches
        total.seen += run.seen
        total.written += run.written
        if total.batches >= max_batches:
            break
    return total
