"""The other writers: staff adjustments, birthday gifts, redemptions, guest merges and expiry."""

import uuid

from django.db import connection, transaction
from django.utils import timezone

from saleor_loyalty.core.facts import Actor
from saleor_loyalty.core.lock_objects import account_qs_select_for_update
from saleor_loyalty.exceptions import (
    IdempotencyConflict,
    InsufficientPoints,
    InvalidPoints,
    LoyaltyError,
    ReasonRequired,
)
from saleor_loyalty.ledger.accounts import (
    append_entry,
    effective_account,
    int_array,
    lock_account,
    normalize_email,
    pending_points,
    replay_accounts,
)
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount, TierCause
from saleor_loyalty.tiers.ladder import upgrade_if_qualified

MAX_REASON_LENGTH = 1000
MAX_IDEMPOTENCY_KEY_LENGTH = 128


def adjust_points(
    account: LoyaltyAccount, points, reason: str, actor: Actor, idempotency_key: str | None = None
) -> LedgerEntry:
    """A staff or app correction with a mandatory reason. A retried call with the same key is a no-op;
    the same key with other points or another reason is a conflict, never a silent replay.

    A deduction may not take more than the member can spend now: staff correct mistakes, they do
    not create debt (debt only comes from reversals of points already spent).
    """
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        raise InvalidPoints("Points must be a non-zero whole number.")
    program = account.program
    if abs(points) > program.max_adjustment_points:
        raise InvalidPoints(f"At most {program.max_adjustment_points} points can be adjusted at once.")
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("A reason is required.")
    if len(reason) > MAX_REASON_LENGTH:
        raise ReasonRequired(f"The reason can be at most {MAX_REASON_LENGTH} characters.")
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
        raise LoyaltyError(
            f"The idempotency key must be 1-{MAX_IDEMPOTENCY_KEY_LENGTH} characters.", "idempotency_key"
        )
    source_key = f"adjust:{account.pk}:{idempotency_key or uuid.uuid4()}"
    with transaction.atomic():
        locked = lock_account(effective_account(account))
        earlier = LedgerEntry.objects.filter(kind=EntryKind.ADJUSTMENT, source_key=source_key).first()
        if earlier is not None:  # a retry, seen under the account's lock (the unique key stays the backstop)
            if (earlier.points, earlier.reason) != (points, reason):
                raise IdempotencyConflict(
                    "This idempotency key was used for a different adjustment.", "idempotency_key"
                )
            return earlier
        if points < 0 and locked.balance - pending_points(locked) < -points:
            raise InsufficientPoints("The member does not have that many spendable points.")
        entry = append_entry(
            locked,
            kind=EntryKind.ADJUSTMENT,
            points=points,
            source_key=source_key,
            reason=reason,
            actor=actor,
        )
        if entry is not None and points > 0:
            upgrade_if_qualified(locked, program, TierCause.ADJUSTMENT_UPGRADE, actor=actor)
    return entry or LedgerEntry.objects.get(kind=EntryKind.ADJUSTMENT, source_key=source_key)


def birthday_source_key(account_id: int, year: int) -> str:
    return f"birthday:{account_id}:{year}"


def award_birthday_points(
    account: LoyaltyAccount, points: int, year: int, tier_name: str
) -> LedgerEntry | None:
    """The tier's birthday gift for one year; keyed by account and year, so a rerun gives nothing twice."""
    if points <= 0:
        return None
    with transaction.atomic():
        locked = lock_account(account)
        return append_entry(
            locked,
            kind=EntryKind.BIRTHDAY,
            points=points,
            source_key=birthday_source_key(account.pk, year),
            reason=f"Birthday gift {year} ({tier_name})",
            detail={"year": year, "tier": tier_name},
        )


def redemption_source_key(checkout_token, request_key: str) -> str:
    return f"redeem:{checkout_token}:{request_key}"


def redeem_points(
    account: LoyaltyAccount, points: int, source_key: str, reason: str, detail: dict | None = None
) -> LedgerEntry | None:
    """Spend points on a redemption; None when that source_key was already redeemed.

    Takes only spendable points (never pending ones, never into debt); the check and the insert
    run under the account lock, so two redemptions at once can never spend the same points.
    """
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise InvalidPoints("Points must be a positive whole number.")
    with transaction.atomic():
        locked = lock_account(effective_account(account))
        if locked.balance - pending_points(locked) < points:
            raise InsufficientPoints("The member does not have that many spendable points.")
        return append_entry(
            locked,
            kind=EntryKind.REDEMPTION,
            points=-points,
            source_key=source_key,
            reason=reason,
            detail=detail or {},
        )


def attach_guest_accounts(user_id: int, email: str, on_merge=None) -> list[LoyaltyAccount]:
    """Give a new customer the points held for their email as a guest, in every program.

    The guest account is linked to the user; if the user already has an account in that program,
    the guest balance moves over as a MERGE_OUT/MERGE_IN pair keyed by the guest account, so a
    second delivery of `customer_created` moves nothing twice. `on_merge(guest, member, at)` runs inside
    each merge's transaction with both accounts locked (the engagement layer carries a guest's paid
    membership there: `engagement.membership_merge`). From then on the guest's orders
    count towards the member's tier as the member's own, and a merge that crosses an entry
    threshold moves the member up at once, in the merge's transaction with both accounts locked.
    """
    attached = []
    guests = LoyaltyAccount.objects.filter(
        email=normalize_email(email), user__isnull=True, merged_into__isnull=True
    )
    for guest in guests:
        with transaction.atomic():
            member = LoyaltyAccount.objects.filter(program_id=guest.program_id, user_id=user_id).first()
            locked = {
                a.pk: a
                for a in account_qs_select_for_update().filter(
                    pk__in=[guest.pk] + ([member.pk] if member else [])
                )
            }
            guest = locked[guest.pk]
            if guest.user_id is not None or guest.merged_into_id is not None:
                continue
            if member is None:
                guest.user_id = user_id
                guest.save(update_fields=["user", "updated_at"])
                attached.append(guest)
            else:
                attached.append(_merge(guest, locked[member.pk], on_merge))
    return attached


def _merge(guest: LoyaltyAccount, member: LoyaltyAccount, on_merge=None) -> LoyaltyAccount:
    """Move a locked guest account's balance into the locked member account."""
    moved = guest.balance
    if moved:
        key = f"merge:{guest.pk}"
        append_entry(
            guest,
            kind=EntryKind.MERGE_OUT,
            points=-moved,
            source_key=key,
            reason=f"Moved to account {member.pk}",
        )
        append_entry(
            member,
            kind=EntryKind.MERGE_IN,
            points=moved,
            source_key=key,
            reason=f"Guest points from account {guest.pk}",
        )
    else:  # the guest's rows now count for the member: a new row version sends unlocked accruals to the lock
        member.save(update_fields=["updated_at"])
    guest.merged_into, guest.merged_at = member, timezone.now()
    guest.save(update_fields=["merged_into", "merged_at", "updated_at"])
    if on_merge is not None:
        on_merge(guest, member, guest.merged_at)
    upgrade_if_qualified(
        member, member.program, TierCause.ORDER_UPGRADE, reason=f"Guest orders merged from account {guest.pk}"
    )
    return member


def expire_source_key_sql(lot_id: str) -> str:
    """The `expire:<lot>` key of a lot's expiry row, as SQL over a lot id column."""
    return f"'expire:' || {lot_id}"


_EXPIRE_LOTS_SQL = f"""
WITH expired AS (
    INSERT INTO {LedgerEntry._meta.db_table}
        (account_id, kind, points, forgiven_points, source_key, reverses_id, order_number, reason,
         detail, available_at, actor_label, occurred_at, created_at)
    SELECT lot.account_id, %(kind)s, -lot.points, 0, {expire_source_key_sql("lot.lot_id")}, lot.lot_id, '',
           'Points expired', '{{}}'::jsonb, now(), 'system', now(), now()
    FROM unnest(%(accounts)s::bigint[], %(points)s::int[], %(lots)s::bigint[]) AS lot(account_id, points, lot_id)
    ON CONFLICT (kind, source_key) DO NOTHING
    RETURNING account_id, points
), moved AS (
    UPDATE {LoyaltyAccount._meta.db_table} AS account
    SET balance = account.balance + per_account.points, updated_at = now()
    FROM (SELECT account_id, sum(points) AS points FROM expired GROUP BY account_id) AS per_account
    WHERE account.id = per_account.account_id
    RETURNING account.id
)
SELECT count(*), coalesce(-sum(points), 0) FROM expired
"""


def expire_lots(due: list[tuple[int, int]]) -> tuple[int, int]:
    """Expire what is left of each (lot id, account id); returns (rows written, points expired).

    Batched for the nightly job: one statement locks all the accounts (pk order), the next reads
    their rows to replay (see `replay_accounts`), one statement inserts the `expire` rows (keyed
    `expire:<lot>`, so a re-run writes nothing) and moves every cached balance by exactly what was
    inserted.
    """
    if not due:
        return 0, 0
    replays = replay_accounts(sorted({account_id for _, account_id in due}), lock=True)
    accounts, points, lots = [], [], []
    for lot_id, account_id in due:
        lot = replays[account_id].lots.get(lot_id) if account_id in replays else None
        if lot is not None and lot.remaining > 0:
            accounts.append(account_id)
            points.append(lot.remaining)
            lots.append(lot_id)
    if not lots:
        return 0, 0
    with connection.cursor() as cursor:
        cursor.execute(
            _EXPIRE_LOTS_SQL,
            {
                "kind": EntryKind.EXPIRE,
                "accounts": int_array(accounts),
                "points": int_array(points),
                "lots": int_array(lots),
            },
        )
        written, expired = cursor.fetchone()
    return written, expired
