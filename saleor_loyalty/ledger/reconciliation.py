"""Nightly reconciliation: every account's cached balance against its rows, every card against its credit.

Invariant: reconciliation only finds and records; it never changes a balance, a row or a card. A
drift is repaired only by an explicit staff action (`repair`), which writes one typed `correction`
row keyed by the finding (`reconcile:<finding id>`, so a repeated repair writes once) under the
account's lock, in the same transaction that moves the cached balance.

The job walks accounts by id from a `JobCursor` claimed with SKIP LOCKED at each batch (resumable:
the cursor is saved with the batch's findings; safe on several workers: a second worker finds the
cursor taken and returns). When the walk reaches the end, the pass is over and the next one starts
a night later (`PASS_INTERVAL`). At most one open finding exists per (account, check), a unique
constraint: a drift seen again, or by two workers, is recorded and logged once.

- Points: one statement reads the cached balance and the sum of the rows together (one snapshot),
  so a writer committing meanwhile can never look like drift.
- Store credit: the member's Saleor card balance (through the injected cards port) against what
  the credit rows put on it (`card_amount`) less what Saleor itself took off it for orders net of
  what it gave back (`cards.spent`). These are two reads, so a drift is confirmed by reading again.
"""

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from saleor_loyalty.core.facts import Actor
from saleor_loyalty.core.jobs import JobRun, claim_cursor
from saleor_loyalty.exceptions import FindingNotFound, LoyaltyError, ReasonRequired
from saleor_loyalty.ledger.accounts import append_entry, lock_account
from saleor_loyalty.models import (
    CreditEntry,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    ReconciliationCheck,
    ReconciliationFinding,
    StoreCreditCard,
)

logger = logging.getLogger(__name__)

RECONCILE_JOB = "reconcile-accounts"
PASS_INTERVAL = timedelta(hours=20)  # one pass a night, whichever hour the beat runs it
DEFAULT_BATCH = 500

_BATCH_SQL = f"""
SELECT a.id, a.user_id, p.currency, a.balance, COALESCE(rows.total, 0)
FROM {LoyaltyAccount._meta.db_table} a
JOIN {LoyaltyProgram._meta.db_table} p ON p.id = a.program_id
CROSS JOIN LATERAL (
    SELECT SUM(e.points) AS total FROM {LedgerEntry._meta.db_table} e WHERE e.account_id = a.id
) AS rows
WHERE a.id > %(after)s
ORDER BY a.id
LIMIT %(limit)s
"""


@dataclass(frozen=True)
class Drift:
    account_id: int
    kind: str
    expected: Decimal
    found: Decimal
    detail: dict


def correction_source_key(finding_id: int) -> str:
    return f"reconcile:{finding_id}"


def _card_drift(user_id: int, currency: str, cards) -> tuple[Decimal, Decimal, dict] | None:
    """(expected, found, detail) of the member's card in this currency, or None without a card."""
    card = StoreCreditCard.objects.filter(user_id=user_id, currency=currency).first()
    if card is None or not cards.exists(card.gift_card_id):
        return None  # no card yet, or staff deleted it (the next credit makes a new one)
    put_on = CreditEntry.objects.filter(account__user_id=user_id, currency=currency).aggregate(
        total=Sum("card_amount")
    )["total"] or Decimal(0)
    spent = cards.spent(card.gift_card_id)
    found = cards.balance(card.gift_card_id)
    detail = {"gift_card_id": card.gift_card_id, "put_on_by_club": str(put_on), "spent_in_saleor": str(spent)}
    return put_on - spent, found, detail


def _drifts(rows, cards) -> list[Drift]:
    drifts = []
    for account_id, user_id, currency, balance, total in rows:
        if balance != total:
            drifts.append(Drift(account_id, ReconciliationCheck.POINTS, Decimal(total), Decimal(balance), {}))
        if user_id is None or cards is None:
            continue
        first = _card_drift(user_id, currency, cards)
        if first is None or first[0] == first[1]:
            continue
        again = _card_drift(user_id, currency, cards)  # a spend or credit between two reads is not drift
        if again is not None and again[:2] == first[:2]:
            drifts.append(Drift(account_id, ReconciliationCheck.STORE_CREDIT, *again))
    return drifts


_INSERT_FINDING_SQL = f"""
INSERT INTO {ReconciliationFinding._meta.db_table}
    (account_id, kind, expected, found, drift, detail, found_at, resolution, resolved_by)
VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s, '', '')
ON CONFLICT DO NOTHING
RETURNING id
"""


def _record(drifts: list[Drift], now: datetime) -> int:
    """Insert the findings that are not open yet (the open-finding constraint refuses the others: seen
    on an earlier night, or by another worker); log each new one once. Returns how many were new."""
    new = 0
    for drift in drifts:
        difference = drift.found - drift.expected
        with connection.cursor() as db:
            db.execute(
                _INSERT_FINDING_SQL,
                [
                    drift.account_id,
                    drift.kind,
                    drift.expected,
                    drift.found,
                    difference,
                    json.dumps(drift.detail),
                    now,
                ],
            )
            inserted = db.fetchone()
        if inserted is None:
            continue
        new += 1
        logger.warning(
            "loyalty reconciliation drift account=%s check=%s expected=%s found=%s drift=%s finding=%s",
            drift.account_id,
            drift.kind,
            drift.expected,
            drift.found,
            difference,
            inserted[0],
            extra={
                "loyalty_account_id": drift.account_id,
                "reconciliation_check": drift.kind,
                "reconciliation_finding_id": inserted[0],
                "expected": str(drift.expected),
                "found": str(drift.found),
                "drift": str(difference),
            },
        )
    return new


def reconcile_accounts(
    cards=None, now: datetime | None = None, batch_size: int = DEFAULT_BATCH, max_batches: int | None = None
) -> JobRun:
    """Beat job: check accounts batch by batch from the cursor; `written` counts new findings.

    `cards` is the store-credit port (the Saleor adapter's gift cards); without it only points are checked.
    """
    now = now or timezone.now()
    run = JobRun()
    while max_batches is None or run.batches < max_batches:
        with transaction.atomic():
            cursor = claim_cursor(RECONCILE_JOB)
            if cursor is None:
                break  # another worker is on this batch
            if cursor.last_id == 0 and cursor.moment is not None and now - cursor.moment < PASS_INTERVAL:
                break  # tonight's pass is done
            with connection.cursor() as db:
                db.execute(_BATCH_SQL, {"after": cursor.last_id, "limit": batch_size})
                rows = db.fetchall()
            if not rows:
                cursor.last_id, cursor.moment = 0, now
                cursor.save(update_fields=["last_id", "moment", "updated_at"])
                break
            run.written += _record(_drifts(rows, cards), now)
            cursor.last_id = rows[-1][0]
            cursor.save(update_fields=["last_id", "updated_at"])
        run.batches += 1
        run.seen += len(rows)
    return run


def open_findings(program: LoyaltyProgram):
    return (
        ReconciliationFinding.objects.filter(account__program=program, resolved_at__isnull=True)
        .select_related("account")
        .order_by("pk")
    )


def repair(
    program: LoyaltyProgram, finding_id: int, reason: str, actor: Actor, now: datetime | None = None
) -> tuple[ReconciliationFinding, LedgerEntry | None]:
    """Staff repair of a points finding: one `correction` row of the drift as it is now, under the
    account's lock, and the cached balance becomes the sum of the rows (the member keeps the balance
    they were shown; a correction row explains it). A repeated repair writes nothing.

    Store-credit findings are repaired on the card in Saleor (see docs/program-guide.md); here
    they answer a typed error.
    """
    if not (reason or "").strip():
        raise ReasonRequired("A repair must say why: the correction row is an audit record.")
    now = now or timezone.now()
    with transaction.atomic():
        finding = (
            ReconciliationFinding.objects.select_for_update()
            .filter(pk=finding_id, account__program=program)
            .first()
        )
        if finding is None:
            raise FindingNotFound("No reconciliation finding with that id in this channel.")
        if finding.resolved_at is not None:
            return finding, None
        if finding.kind != ReconciliationCheck.POINTS:
            raise LoyaltyError("Store-credit drift is repaired on the card in Saleor.", "finding_id")
        account = lock_account(finding.account)
        total = LedgerEntry.objects.filter(account=account).aggregate(total=Sum("points"))["total"] or 0
        drift = account.balance - total
        entry = None
        if drift:
            cached = account.balance
            account.balance = total  # the cache restarts from the rows; the correction row moves it back
            entry = append_entry(
                account,
                kind=EntryKind.CORRECTION,
                points=drift,
                source_key=correction_source_key(finding.pk),
                actor=actor,
                reason=reason.strip(),
                detail={
                    "finding": finding.pk,
                    "found_drift": str(finding.drift),
                    "cached": cached,
                    "rows": total,
                },
            )
        finding.resolved_at, finding.resolved_by, finding.correction = now, actor.label, entry
        finding.resolution = "repaired" if entry is not None else "no_drift"
        finding.save(update_fields=["resolved_at", "resolved_by", "correction", "resolution"])
    return finding, entry
