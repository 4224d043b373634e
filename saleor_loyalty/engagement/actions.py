"""Recording actions: one ledger row per (action kind, member account, object), within the kind's caps.

Invariant: an award is a `LedgerEntry` of kind ACTION with a deterministic source key, written under the
account lock after the caps were counted under that same lock, so replays, double clicks and concurrent
deliveries award once and never past a cap. Its `detail` is exactly {"action": <key>, "object": <id or "">}
(challenges count rows of that shape).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.core.clock import day_and_month_starts, lot_expiry
from saleor_loyalty.core.facts import Actor
from saleor_loyalty.engagement.catalogue import ActionNotFound, ensure_builtin_actions
from saleor_loyalty.exceptions import IdempotencyConflict, LoyaltyError
from saleor_loyalty.ledger.action_awards import (
    ACTION_COLUMNS,
    CAP_COUNTS_SQL,
    award_at_once,
    write_action_award,
    written_action_entry,
)
from saleor_loyalty.ledger.prepared import planned_once
from saleor_loyalty.ledger.programs import require_live
from saleor_loyalty.models import (
    ActionOutcome,
    ActionRecording,
    BuiltinAction,
    ClubAction,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    TierCause,
)
from saleor_loyalty.tiers.ladder import counted_kinds, upgrade_if_qualified

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


_LEDGER, _ACTIONS, _RECORDINGS = (
    LedgerEntry._meta.db_table,
    ClubAction._meta.db_table,
    ActionRecording._meta.db_table,
)
# One statement: the kind's settings, an earlier award for this key, the member's awards of the kind (its caps'
# windows), the caller's earlier recording of its key, and the account row's version and merge (for a write
# without a lock first, see ledger/action_awards.py).
_PROBE_SQL = f"""
SELECT {", ".join(f"a.{column}" for column in ACTION_COLUMNS)},
       (SELECT id FROM {_LEDGER} WHERE kind = 'action'
         AND source_key = CASE WHEN a.once_per_object THEN %(key_once)s ELSE %(key_each)s END),
       c.day, c.month, c.lifetime,
       r.action_key, r.account_id, r.object_id, r.outcome, r.entry_id,
       m.xmin::text, m.merged_into_id
FROM {_ACTIONS} a
CROSS JOIN LATERAL ({CAP_COUNTS_SQL}) c
JOIN {LoyaltyAccount._meta.db_table} m ON m.id = %(account)s
LEFT JOIN {_RECORDINGS} r ON r.program_id = a.program_id AND r.idempotency_key = %(idempotency_key)s
WHERE a.program_id = %(program)s AND a.key = %(action)s
"""


def _check_object(object_id: str) -> str:
    object_id = (object_id or "").strip()
    if len(object_id) > MAX_OBJECT_ID:
        raise LoyaltyError(f"The object id can be at most {MAX_OBJECT_ID} characters.", "object_id")
    if ":" in object_id:
        raise LoyaltyError("The object id cannot contain ':'.", "object_id")
    return object_id


@dataclass(frozen=True)
class _Probe:
    action: ClubAction
    earlier_id: int | None
    counts: tuple[int, int, int]
    recording: tuple | None  # (action key, account id, object id, outcome, entry id)
    seen: str  # the account row's version (xmin) the counts go with
    merged: bool  # the account was merged into another since the caller read it


def _probe(program, locked, action_key, object_id, occurrence, idempotency_key, now) -> _Probe | None:
    params = {
        "program": program.pk,
        "action": action_key,
        "account": locked.pk,
        "key_once": action_source_key(action_key, locked.pk, object_id),
        "key_each": action_source_key(action_key, locked.pk, object_id, occurrence),
        "idempotency_key": idempotency_key,
        **day_and_month_starts(now, program.timezone),
    }
    with planned_once() as cursor:
        cursor.execute(_PROBE_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(ACTION_COLUMNS)
    action = ClubAction(**dict(zip(ACTION_COLUMNS, row[:width], strict=True)))
    action.program = program
    earlier_id, day, month, lifetime = row[width : width + 4]
    recording = row[width + 4 : width + 9] if row[width + 4] is not None else None
    seen, merged_into = row[width + 9 :]
    return _Probe(action, earlier_id, (day, month, lifetime), recording, seen, merged_into is not None)


def _over_cap(action: ClubAction, counts: tuple[int, int, int]) -> bool:
    caps = (action.cap_per_day, action.cap_per_month, action.cap_lifetime)
    return any(cap is not None and count >= cap for cap, count in zip(caps, counts, strict=True))


def _award(program: LoyaltyProgram, account: LoyaltyAccount, *args) -> ActionResult:
    """The common case (an award) in one statement; else decide and write without a lock first (two
    statements); when the account changed between them, again under the account lock."""
    account = ledger.effective_account(account)
    result = _award_at_once(program, account, *args)
    if result is None:
        result = _decide_and_write(program, account, *args, unlocked=True)
    if result is None:
        with transaction.atomic():
            locked = ledger.lock_account(ledger.effective_account(account))
            result = _decide_and_write(program, locked, *args, unlocked=False)
    return _move_up_if_counted(program, result)


def _move_up_if_counted(program: LoyaltyProgram, result: ActionResult) -> ActionResult:
    """Where action points count towards tiers, an award crossing an entry threshold moves the member up at
    once, as a paid order does (the nightly job would find the same amount: one rule, `counted_kinds`)."""
    if result.outcome != ActionOutcome.AWARDED or result.entry is None:
        return result
    if counted_kinds(program)["action"] != EntryKind.ACTION:
        return result
    with transaction.atomic():
        locked = ledger.lock_account(result.entry.account)
        upgrade_if_qualified(
            locked, program, TierCause.ACTION_UPGRADE, reason=f"Points for {result.action.name_en}"
        )
    return result


def _award_at_once(program, account, action_key, object_id, occurrence, actor, now, idempotency_key):
    """One statement, its own transaction outside one (ledger/action_awards.py): the result of an award, or
    None when anything else is the answer (nothing was written then)."""
    detail = {"action": action_key, "object": object_id}
    expires_at, created_at = lot_expiry(now, program.expiry_months, program.timezone), timezone.now()
    row = award_at_once(
        {
            "program": program.pk,
            "action": action_key,
            "account": account.pk,
            "key_once": action_source_key(action_key, account.pk, object_id),
            "key_each": action_source_key(action_key, account.pk, object_id, occurrence),
            "idempotency_key": idempotency_key,
            "object": object_id,
            "detail": json.dumps(detail),
            "expires_at": expires_at,
            "actor_user": actor.user_id,
            "actor_app": actor.app_id,
            "actor_label": actor.label,
            "now": now,
            "created_at": created_at,
            **day_and_month_starts(now, program.timezone),
        }
    )
    if row is None or row[0] is None:
        return None
    entry_id, source_key, available_at, balance = row[:4]
    action = ClubAction(**dict(zip(ACTION_COLUMNS, row[4:], strict=True)))
    action.program = program
    account.balance = balance
    entry = written_action_entry(
        entry_id, account, action, source_key, detail, (available_at, expires_at), actor, now, created_at
    )
    return ActionResult(ActionOutcome.AWARDED, entry, action)


def _decide_and_write(
    program: LoyaltyProgram,
    locked: LoyaltyAccount,
    action_key: str,
    object_id: str,
    occurrence: str,
    actor: Actor,
    now: datetime,
    idempotency_key: str | None,
    unlocked: bool,
) -> ActionResult | None:
    """The probe, then the award with its balance move and the caller's recording, so recording an action
    costs what accruing an order does. `unlocked`: the account is not locked yet, and the write takes the
    lock only if the account row is the version the probe counted on; None when it is not (lock first)."""
    probe = _probe(program, locked, action_key, object_id, occurrence, idempotency_key, now)
    if probe is None and action_key in BuiltinAction.values and not unlocked:
        ensure_builtin_actions(program)  # a built-in kind nobody switched on yet
        probe = _probe(program, locked, action_key, object_id, occurrence, idempotency_key, now)
    if probe is None and unlocked:
        return None
    if probe is None:
        raise ActionNotFound(f"No action '{action_key}' in this program.", "action")
    if unlocked and probe.merged:
        return None
    action = probe.action
    if probe.recording is not None:
        return _replayed(probe, locked, object_id)
    if action.once_per_object and not object_id:
        raise LoyaltyError("This action is counted per object: give its id.", "object_id")
    source_key = action_source_key(
        action.key, locked.pk, object_id, "" if action.once_per_object else occurrence
    )
    if not action.is_enabled:
        outcome = ActionOutcome.DISABLED
    elif probe.earlier_id is not None:
        outcome = ActionOutcome.ALREADY_AWARDED
    elif _over_cap(action, probe.counts):
        outcome = ActionOutcome.CAPPED
    else:
        outcome = ActionOutcome.AWARDED
    award = outcome == ActionOutcome.AWARDED
    if unlocked and not award and idempotency_key is None:  # nothing to write: the probe's answer stands
        return _unawarded(outcome, probe, action)
    created_at = timezone.now()
    fields = {
        "account": locked.pk,
        "points": action.points,
        "source_key": source_key,
        "reason": action.name_en,
        "detail": json.dumps({"action": action.key, "object": object_id}),
        "available_at": now + timedelta(days=action.pending_days),
        "expires_at": lot_expiry(now, program.expiry_months, program.timezone),
        "actor_user": actor.user_id,
        "actor_app": actor.app_id,
        "actor_label": actor.label,
        "now": now,
        "created_at": created_at,
    }
    written, entry_id, recorded, balance = write_action_award(
        {
            **fields,
            "award": award,
            "program": program.pk,
            "action": action.key,
            "object": object_id,
            "outcome": outcome,
            "earlier": probe.earlier_id,
            "idempotency_key": idempotency_key,
        },
        seen=probe.seen if unlocked else None,
    )
    if not written:
        return None
    if idempotency_key is not None and not recorded:  # the same key for another member, at the same moment
        raise IdempotencyConflict("This idempotency key was used concurrently.", "idempotency_key")
    if award and entry_id is None:
        outcome = ActionOutcome.ALREADY_AWARDED
    if entry_id is None:
        return _unawarded(outcome, probe, action)
    locked.balance = balance
    entry = written_action_entry(
        entry_id,
        locked,
        action,
        source_key,
        {"action": action.key, "object": object_id},
        (fields["available_at"], fields["expires_at"]),
        actor,
        now,
        created_at,
    )
    return ActionResult(outcome, entry, action)


def _unawarded(outcome: str, probe: _Probe, action: ClubAction) -> ActionResult:
    earlier = LedgerEntry.objects.filter(pk=probe.earlier_id).first() if probe.earlier_id else None
    return ActionResult(outcome, earlier, action)


def _replayed(probe: _Probe, locked: LoyaltyAccount, object_id: str) -> ActionResult:
    """A caller's retry answers the first outcome; other arguments under its key are a conflict."""
    action_key, account_id, earlier_object, outcome, entry_id = probe.recording
    if (action_key, account_id, earlier_object) != (probe.action.key, locked.pk, object_id):
        raise IdempotencyConflict(
            "This idempotency key was used for another action, member or object.", "idempotency_key"
        )
    entry = LedgerEntry.objects.filter(pk=entry_id).first() if entry_id else None
    return ActionResult(outcome, entry, probe.action)


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
    program = action.program
    require_live(program)
    return _award(program, account, action.key, object_id, occurrence, actor, now, None)


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
    require_live(program)
    return _award(program, account, action_key, object_id, idempotency_key, actor, now, idempotency_key)


def record_builtin(
    key: str, user_id: int | None, email: str, channel_slug: str | None = None, object_id: str = ""
):
    """What Saleor (or our own consent, birthday and NPS code) told us happened to a customer: awarded in
    the channel given, or in every program where the kind is switched on (a Saleor customer has no channel).
    `object_id` makes a per-object kind (an NPS answer: the surveyed order) award once per object.
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
