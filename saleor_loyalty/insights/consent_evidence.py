"""Consent evidence for §30A: one person's full history out (JSON, CSV), consents gathered elsewhere in.

Under §30A the sender must prove consent: what wording the person agreed to, where, when, and how
they withdrew. The export answers that from the append-only `ConsentEvent` rows and the
person-level suppression, and records who looked (`EvidenceAccess`).

The import takes a staff CSV (source IMPORT, with origin and evidence columns). Policy: all or
nothing. Every row is checked first; any bad row refuses the file with a typed error per row and
nothing is written. Rows already imported (same content fingerprint) are skipped, so importing a
file twice adds nothing. A row older than the newest record of that person on that channel and
medium is refused: the current state is the newest record, and an old grant imported today must
not silently override a newer withdrawal. Each import is audited (`ConsentImport`).
"""

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max

from saleor_loyalty.core.facts import Actor
from saleor_loyalty.error_codes import LoyaltyErrorCode
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.messages import consent
from saleor_loyalty.models import (
    ConsentAction,
    ConsentEvent,
    ConsentImport,
    ConsentSource,
    EvidenceAccess,
    ImportedConsent,
    Medium,
    Suppression,
)

MAX_BYTES = 1_000_000
MAX_ROWS = 5000
MAX_ADDRESS = 254
MAX_ORIGIN = 255
MAX_EVIDENCE = 2000
COLUMNS = ("medium", "address", "action", "occurred_at", "wording", "locale", "origin", "evidence")
EXPORT_COLUMNS = (
    "occurred_at", "recorded_at", "channel", "medium", "action", "source", "wording", "locale",
    "ip_hash", "user_id", "import_origin", "import_evidence",
)  # fmt: skip


class EvidenceInputError(LoyaltyError):
    """A request the evidence export or import cannot take."""


class ImportTooLarge(EvidenceInputError):
    code = LoyaltyErrorCode.REQUEST_TOO_LARGE


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row (the header is row 0)
    field: str
    message: str
    code: str


class ImportRejected(EvidenceInputError):
    """Some rows are bad: the file is refused whole and nothing is written."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} row(s) are invalid; nothing was imported.", "csv")
        self.errors = errors


def _address_error(medium: str, address: str) -> str | None:
    if not address or len(address) > MAX_ADDRESS:
        return f"An address of 1 to {MAX_ADDRESS} characters is required."
    if medium == Medium.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            return "Not an email address."
    elif not 7 <= len(consent.normalize_address(Medium.SMS, address).lstrip("+")) <= 15:
        return "Not a phone number (7 to 15 digits)."
    return None


def export_history(channel_slug: str, medium: str, address: str, actor: Actor, file_format: str) -> str:
    """The person's consent history on one channel and medium as JSON or CSV; the read is audited."""
    if medium not in Medium.values:
        raise EvidenceInputError(f"Unknown medium '{medium}'.", "medium")
    if file_format not in ("json", "csv"):
        raise EvidenceInputError("The format is json or csv.", "format")
    if (problem := _address_error(medium, (address or "").strip())) is not None:
        raise EvidenceInputError(problem, "address")
    subject = consent.subject_hash(medium, address)
    events = list(
        ConsentEvent.objects.filter(subject_hash=subject, channel_slug=channel_slug, medium=medium)
        .select_related("import_evidence")
        .order_by("occurred_at", "id")
    )
    rows = [_event_row(event) for event in events]
    state = consent.state_for_hash(subject, channel_slug, medium)
    suppression = Suppression.objects.filter(subject_hash=subject, medium=medium).first()
    EvidenceAccess.objects.create(
        channel_slug=channel_slug,
        subject_hash=subject,
        medium=medium,
        file_format=file_format,
        actor_user_id=actor.user_id,
        actor_app_id=actor.app_id,
        actor_label=actor.label[:255],
    )
    if file_format == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    return json.dumps(
        {
            "channel": channel_slug,
            "medium": medium,
            "subject_hash": subject,
            "may_market_now": state.may_market,
            "events": rows,
            "suppression": {
                "reason": suppression.reason,
                "suppressed_at": suppression.suppressed_at.isoformat(),
                "scope": "every channel on this medium",
            }
            if suppression
            else None,
        },
        ensure_ascii=False,
        indent=2,
    )


def _event_row(event: ConsentEvent) -> dict:
    imported = getattr(event, "import_evidence", None)
    return {
        "occurred_at": event.occurred_at.isoformat(),
        "recorded_at": event.created_at.isoformat(),
        "channel": event.channel_slug,
        "medium": event.medium,
        "action": event.action,
        "source": event.source,
        "wording": event.wording,
        "locale": event.locale,
        "ip_hash": event.ip_hash,
        "user_id": event.user_id,
        "import_origin": imported.origin if imported else "",
        "import_evidence": imported.evidence if imported else "",
    }


@dataclass(frozen=True)
class _Row:
    number: int
    medium: str
    address: str
    action: str
    occurred_at: datetime
    wording: str
    locale: str
    origin: str
    evidence: str

    def key(self, channel_slug: str) -> str:
        subject = consent.subject_hash(self.medium, self.address)
        text = "\x1f".join(
            (channel_slug, self.medium, subject, self.action, self.occurred_at.isoformat(), self.wording,
             self.origin, self.evidence)
        )  # fmt: skip
        return hashlib.sha256(text.encode()).hexdigest()


def _check_row(number: int, raw: dict, now: datetime) -> tuple[_Row | None, list[RowError]]:
    def value(name):
        return (raw.get(name) or "").strip()

    errors = []

    def bad(field, message, code=LoyaltyErrorCode.INVALID):
        errors.append(RowError(number, field, message, code.value))

    medium, action = value("medium").lower(), value("action").lower()
    if medium not in Medium.values:
        bad("medium", "medium is email or sms.")
    elif (problem := _address_error(medium, value("address"))) is not None:
        bad("address", problem)
    if action not in ConsentAction.values:
        bad("action", "action is grant or withdraw.")
    try:
        occurred_at = datetime.fromisoformat(value("occurred_at"))
    except ValueError:
        occurred_at = None
        bad("occurred_at", "occurred_at is an ISO date and time with a timezone.")
    if occurred_at is not None and occurred_at.tzinfo is None:
        bad("occurred_at", "occurred_at needs a timezone (e.g. 2024-05-01T10:00:00+03:00).")
    elif occurred_at is not None and occurred_at > now:
        bad("occurred_at", "occurred_at is in the future.", LoyaltyErrorCode.OUT_OF_RANGE)
    if action == ConsentAction.GRANT and not value("wording"):
        bad("wording", "A grant needs the exact wording the person agreed to.", LoyaltyErrorCode.REQUIRED)
    if len(value("wording")) > consent.MAX_WORDING:
        bad("wording", f"The wording is at most {consent.MAX_WORDING} characters.")
    if not value("origin") or len(value("origin")) > MAX_ORIGIN:
        bad("origin", f"Say where it was gathered (1 to {MAX_ORIGIN} characters).", LoyaltyErrorCode.REQUIRED)
    if not value("evidence") or len(value("evidence")) > MAX_EVIDENCE:
        bad("evidence", f"Point to the proof (1 to {MAX_EVIDENCE} characters).", LoyaltyErrorCode.REQUIRED)
    if errors:
        return None, errors
    row = _Row(number, medium, value("address"), action, occurred_at, value("wording"), value("locale")[:16],
               value("origin"), value("evidence"))  # fmt: skip
    return row, []


def _parse(csv_text: str, now: datetime) -> list[_Row]:
    if len(csv_text.encode()) > MAX_BYTES:
        raise ImportTooLarge(f"The file is larger than {MAX_BYTES // 1000} kB.", "csv")
    reader = csv.DictReader(io.StringIO(csv_text))
    missing = [name for name in COLUMNS if name not in (reader.fieldnames or ())]
    if missing:
        raise EvidenceInputError(f"Missing columns: {', '.join(missing)}.", "csv")
    rows, errors = [], []
    for number, raw in enumerate(reader, start=1):
        if number > MAX_ROWS:
            raise ImportTooLarge(f"At most {MAX_ROWS} rows per file.", "csv")
        row, problems = _check_row(number, raw, now)
        rows += [row] if row else []
        errors += problems
    if not rows and not errors:
        raise EvidenceInputError("The file has no rows.", "csv")
    if errors:
        raise ImportRejected(errors)
    return rows


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int
    already_imported: int


def import_consents(channel_slug: str, csv_text: str, actor: Actor, now: datetime) -> ImportResult:
    """Check the whole file, then record its new rows oldest first (so ids follow time); all or nothing."""
    rows = sorted(_parse(csv_text, now), key=lambda row: (row.occurred_at, row.number))
    keys = {row.number: row.key(channel_slug) for row in rows}
    known = set(
        ImportedConsent.objects.filter(row_key__in=set(keys.values())).values_list("row_key", flat=True)
    )
    fresh = [row for row in rows if keys[row.number] not in known]
    errors = []
    for row in fresh:
        subject = consent.subject_hash(row.medium, row.address)
        newest = ConsentEvent.objects.filter(
            subject_hash=subject, channel_slug=channel_slug, medium=row.medium
        ).aggregate(newest=Max("occurred_at"))["newest"]
        if newest is not None and row.occurred_at < newest:
            errors.append(
                RowError(row.number, "occurred_at", "Older than this person's newest consent record here; "
                         "importing it would override newer evidence.", LoyaltyErrorCode.OLDER_THAN_RECORDED.value)
            )  # fmt: skip
    if errors:
        raise ImportRejected(sorted(errors, key=lambda error: error.row))
    with transaction.atomic():
        batch = ConsentImport.objects.create(
            channel_slug=channel_slug,
            file_sha256=hashlib.sha256(csv_text.encode()).hexdigest(),
            rows=len(rows),
            actor_user_id=actor.user_id,
            actor_app_id=actor.app_id,
            actor_label=actor.label[:255],
        )
        created = 0
        for row in fresh:
            created += _record(channel_slug, row, keys[row.number], batch)
        batch.created, batch.already_imported = created, len(rows) - created
        batch.save(update_fields=["created", "already_imported"])
    return ImportResult(rows=len(rows), created=created, already_imported=len(rows) - created)


def _record(channel_slug: str, row: _Row, key: str, batch: ConsentImport) -> int:
    """One row's event and evidence in one savepoint: a concurrent import of the same row keeps one."""
    try:
        with transaction.atomic():
            event = consent.record(
                channel_slug, row.medium, row.address, row.action, ConsentSource.IMPORT,
                wording=row.wording, locale=row.locale, occurred_at=row.occurred_at,
            )  # fmt: skip
            ImportedConsent.objects.create(
                row_key=key, consent_import=batch, event=event, origin=row.origin, evidence=row.evidence
            )
            return 1
    except IntegrityError:
        if ImportedConsent.objects.filter(row_key=key).exists():
            return 0
        raise
