"""Recording actions: one ledger row per (action kind, member account, object), within the kind's caps.

Invariant: an award is a `LedgerEntry` of kind ACTION with a deterministic source key, written under the
account lock after the caps were counted under that same lock, so replays, double clicks and concurrent
deliveries award once and never past a cap. Its `detail` is exactly {"action": <key>, "object": <id or "">}
(challenges count rows of that shape).
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.core.clock import add_months, local_date, lot_expiry
from saleor_loyalty.core.facts import Actor
from saleor_loyalty.engagement import action_news
from saleor_loyalty.engagement.catalogue import find_action
from saleor_loyalty.exceptions import IdempotencyConflict, LoyaltyError
from saleor_loyalty.ledger.accounts import append_entry  # the one writer path (under lock_account)
from saleor_loyalty.ledger.programs import require_live
from saleor_loyalty.models import (
    ActionOutcome,
    ActionRecording,
    ClubAction,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
)

MAX_OBJECT_ID = 80  # with the key and account it fits the ledger's 200-character source key
MAX_IDEMPOTENCY_KEY = 128


@dataclass(frozen=True)
class ActionResult:
    outcome: str
    entry: LedgerEntry | None
    action: ClubAction

    @property
    def awarded(self) -> bool:
        return self.outcome == ActionOutcome.AWARDED


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def action_source_key(action_key: str, account_id: int, object_id: str = "", occurrence: str = "") -> str:
    """`action:<kind>:<account>:<object>`, plus a digest of the occurrence for kinds that may repeat on one
    object (a share visit, an app's event): the same occurrence always maps to the same row."""
    key = f"action:{action_key}:{account_id}:{object_id}"
    return f"{key}:{_digest(occurrence)}" if occurrence else key


def _local_start(day, tz_name: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz_name))


def _over_cap(action: ClubAction, account: LoyaltyAccount, now: datetime) -> bool:
    """Counted in one query under the account lock: today and this month in the program's timezone."""
    caps = (action.cap_per_day, action.cap_per_month, action.cap_lifetime)
    if caps == (None, None, None):
        return False
    tz_name = action.program.timezone
    today = local_date(now, tz_name)
    day = (_local_start(today, tz_name), _local_start(today + timedelta(days=1), tz_name))
    month = (
        _local_start(today.replace(day=1), tz_name),
        _local_start(add_months(today.replace(day=1), 1), tz_name),
    )
    counts = LedgerEntry.objects.filter(
        account=account, kind=EntryKind.ACTION, detail__action=action.key
    ).aggregate(
        day=Count("id", filter=Q(occurred_at__gte=day[0], occurred_at__lt=day[1])),
        month=Count("id", filter=Q(occurred_at__gte=month[0], occurred_at__lt=month[1])),
        lifetime=Count("id"),
    )
    return any(
        cap is not None and counts[window] >= cap
        for cap, window in zip(caps, ("day", "month", "lifetime"), strict=True)
    )


def _check_object(object_id: str) -> str:
    object_id = (object_id or "").strip()
    if len(object_id) > MAX_OBJECT_ID:
        raise LoyaltyError(f"The object id can be at most {MAX_OBJECT_ID} characters.", "object_id")
    if ":" in object_id:
        raise LoyaltyError("The object id cannot contain ':'.", "object_id")
    return object_id


def _award_locked(
    action: ClubAction, locked: LoyaltyAccount, object_id: str, occurrence: str, actor: Actor, now: datetime
) -> ActionResult:
    program = action.program
    if not action.is_enabled:
        return ActionResult(ActionOutcome.DISABLED, None, action)
    source_key = action_source_key(
        action.key, locked.pk, object_id, "" if action.once_per_object else occurrence
    )
    earlier = LedgerEntry.objects.filter(kind=EntryKind.ACTION, source_key=source_key).first()
    if earlier is not None:
        return ActionResult(ActionOutcome.ALREADY_AWARDED, earlier, action)
    if _over_cap(action, locked, now):
        return ActionResult(ActionOutcome.CAPPED, None, action)
    entry = append_entry(
        locked,
        kind=EntryKind.ACTION,
        points=action.points,
        source_key=source_key,
        actor=actor,
        reason=action.name_en,
        detail={"action": action.key, "object": object_id},
        occurred_at=now,
        available_at=now + timedelta(days=action.pending_days),
        expires_at=lot_expiry(now, program.expiry_months, program.timezone),
    )
    if entry is None:  # a concurrent writer got there first (the unique key decided)
        entry = LedgerEntry.objects.get(kind=EntryKind.ACTION, source_key=source_key)
        return ActionResult(ActionOutcome.ALREADY_AWARDED, entry, action)
    transaction.on_commit(lambda: action_news.tell_action_credited(entry.pk))
    return ActionResult(ActionOutcome.AWARDED, entry, action)


def award(
    action: ClubAction,
    account: LoyaltyAccount,
    object_id: str = "",
    occurrence: str = "",
    actor: Actor = ledger.SYSTEM,
    now: datetime | None = None,
) -> ActionResult:
    """Award one occurrence of an action to a member, or say why not (already, capped, off).

    A once-per-object kind (a review) awards once per object whatever the occurrence; other kinds award
    once per (object, occurrence), so a caller's retry with the same occurrence gives nothing twice.
    """
    now = now or timezone.now()
    object_id = _check_object(object_id)
    require_live(action.program)
    if action.once_per_object and not object_id:
        raise LoyaltyError("This action is counted per object: give its id.", "object_id")
    with transaction.atomic():
        locked = ledger.lock_account(ledger.effective_account(account))
        return _award_locked(action, locked, object_id, occurrence, actor, now)


def _result_of(recording: ActionRecording, action: ClubAction) -> ActionResult:
    return ActionResult(recording.outcome, recording.entry, action)


def record(
    program: LoyaltyProgram,
    action_key: str,
    account: LoyaltyAccount,
    object_id: str,
    idempotency_key: str,
    actor: Actor,
    now: datetime | None = None,
) -> ActionResult:
    """A trusted caller's recording (`loyaltyActionRecord`): the key makes a retry answer the first outcome;
    the same key with another action, member or object is a conflict, never a silent replay."""
    now = now or timezone.now()
    if not isinstance(idempotency_key, str) or not 0 < len(idempotency_key.strip()) <= MAX_IDEMPOTENCY_KEY:
        raise LoyaltyError(
            f"The idempotency key must be 1-{MAX_IDEMPOTENCY_KEY} characters.", "idempotency_key"
        )
    object_id = _check_object(object_id)
    action = find_action(program, action_key)
    require_live(program)
    if action.once_per_object and not object_id:
        raise LoyaltyError("This action is counted per object: give its id.", "object_id")
    with transaction.atomic():
        locked = ledger.lock_account(ledger.effective_account(account))
        earlier = ActionRecording.objects.filter(program=program, idempotency_key=idempotency_key).first()
        if earlier is not None:
            if (earlier.action_key, earlier.account_id, earlier.object_id) != (
                action.key,
                locked.pk,
                object_id,
            ):
                raise IdempotencyConflict(
                    "This idempotency key was used for another action, member or object.", "idempotency_key"
                )
            return _result_of(earlier, action)
        result = _award_locked(action, locked, object_id, idempotency_key, actor, now)
        try:
            with transaction.atomic():
                ActionRecording.objects.create(
                    program=program,
                    idempotency_key=idempotency_key,
                    action_key=action.key,
                    account=locked,
                    object_id=object_id,
                    outcome=result.outcome,
                    entry=result.entry,
                    actor_label=actor.label,
                )
        except IntegrityError:  # the same key for another member, recorded concurrently
            raise IdempotencyConflict(
                "This idempotency key was used concurrently.", "idempotency_key"
            ) from None
    return result


def record_builtin(key: str, user_id: int, email: str, channel_slug: str | None = None, object_id: str = ""):
    """What Saleor (or our own consent and birthday mutations) told us happened to a customer: awarded in
    the channel given, or in every program where the kind is switched on (a Saleor customer has no channel).
    Never raises for a switched-off program or kind: a hook has no one to answer."""
    actions = ClubAction.objects.filter(key=key, is_enabled=True).select_related("program")
    if channel_slug is not None:
        actions = actions.filter(program__channel_slug=channel_slug)
    results = []
    for action in actions:
        if not action.program.gives_value():
            continue
        account = ledger.account_for(action.program, user_id, email)
        try:
            results.append(award(action, account, object_id))
        except LoyaltyError:  # e.g. staff made the kind per-object: a hook has no object to give
            continue
    return results
