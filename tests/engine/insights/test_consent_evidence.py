"""Consent evidence: a person's full history out as JSON and CSV (audited), a validated, idempotent import in."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from saleor_loyalty.core.facts import Actor
from saleor_loyalty.insights import consent_evidence
from saleor_loyalty.insights.consent_evidence import ImportRejected, ImportTooLarge
from saleor_loyalty.messages import consent
from saleor_loyalty.models import ConsentEvent, ConsentImport, ConsentSource, EvidenceAccess, ImportedConsent
from tests.engine.graphql.test_authorization_matrix import snapshot

STAFF = Actor(user_id=9, label="staff@shop.co.il")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HEADER = "medium,address,action,occurred_at,wording,locale,origin,evidence\n"
GRANT = 'email,Dana@Example.co.il,grant,2024-05-01T10:00:00+03:00,"אני מסכימה לקבל דיוור",he,Old shop,form-v2 #1182\n'
WITHDRAW = "email,dana@example.co.il,withdraw,2025-01-02T08:00:00+02:00,,he,Old shop,ticket 55\n"


def test_export_shows_wording_place_time_and_withdrawal_and_is_audited(db):
    consent.record("il", "email", "dana@example.co.il", "grant", ConsentSource.CHECKOUT_CHECKBOX,
                   wording="Send me club news", locale="en", ip="198.51.100.4")  # fmt: skip
    consent.record("il", "email", "dana@example.co.il", "withdraw", ConsentSource.UNSUBSCRIBE_LINK)
    consent.suppress("email", "dana@example.co.il")
    exported = json.loads(consent_evidence.export_history("il", "email", "DANA@example.co.il", STAFF, "json"))
    assert [(e["action"], e["source"]) for e in exported["events"]] == [
        ("grant", "checkout_checkbox"),
        ("withdraw", "unsubscribe_link"),
    ]
    assert exported["events"][0]["wording"] == "Send me club news"
    assert exported["events"][0]["ip_hash"]
    assert exported["may_market_now"] is False
    assert exported["suppression"]["reason"] == "unsubscribed"
    rows = list(
        csv.DictReader(
            io.StringIO(consent_evidence.export_history("il", "email", "dana@example.co.il", STAFF, "csv"))
        )
    )
    assert [row["action"] for row in rows] == ["grant", "withdraw"]
    assert EvidenceAccess.objects.filter(actor_user_id=9).count() == 2


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("fax", "a@b.co"), "medium"),
        (("email", "not an address"), "address"),
        (("email", "a" * 300), "address"),
    ],
)
def test_export_refuses_bad_input_and_records_nothing(db, args, field):
    with pytest.raises(consent_evidence.EvidenceInputError) as refused:
        consent_evidence.export_history("il", *args, STAFF, "json")
    assert refused.value.field == field
    assert not EvidenceAccess.objects.exists()


def test_import_records_rows_with_their_evidence_and_twice_adds_nothing(db):
    text = HEADER + GRANT + WITHDRAW
    first = consent_evidence.import_consents("il", text, STAFF, NOW)
    again = consent_evidence.import_consents("il", text, STAFF, NOW)
    assert (first.created, first.already_imported) == (2, 0)
    assert (again.created, again.already_imported) == (0, 2)
    assert ConsentEvent.objects.filter(source=ConsentSource.IMPORT).count() == 2
    grant = ImportedConsent.objects.get(event__action="grant")
    assert (grant.origin, grant.evidence, grant.event.wording) == (
        "Old shop",
        "form-v2 #1182",
        "אני מסכימה לקבל דיוור",
    )
    assert ConsentImport.objects.count() == 2
    assert not consent.current_state("il", "email", "dana@example.co.il").granted  # the withdrawal is newest
    exported = json.loads(consent_evidence.export_history("il", "email", "dana@example.co.il", STAFF, "json"))
    assert exported["events"][0]["import_evidence"] == "form-v2 #1182"


def test_rows_are_recorded_oldest_first_whatever_the_file_order(db):
    consent_evidence.import_consents("il", HEADER + WITHDRAW + GRANT, STAFF, NOW)
    assert not consent.current_state("il", "email", "dana@example.co.il").granted


def test_one_bad_row_refuses_the_file_with_a_typed_error_per_row(db):
    text = (
        HEADER
        + GRANT
        + (
            "fax,dana@example.co.il,grant,2024-05-01T10:00:00+03:00,x,he,a,b\n"
            "email,noa@example.co.il,grant,2024-05-01T10:00:00,,he,,b\n"
            "sms,12,maybe,2099-01-01T00:00:00+00:00,x,he,a,b\n"
        )
    )
    before = snapshot()
    with pytest.raises(ImportRejected) as refused:
        consent_evidence.import_consents("il", text, STAFF, NOW)
    assert [(e.row, e.field, e.code) for e in refused.value.errors] == [
        (2, "medium", "invalid"),
        (3, "occurred_at", "invalid"),
        (3, "wording", "required"),
        (3, "origin", "required"),
        (4, "address", "invalid"),
        (4, "action", "invalid"),
        (4, "occurred_at", "out_of_range"),
    ]
    assert snapshot() == before


def test_an_old_grant_cannot_override_a_newer_withdrawal(db):
    consent.record("il", "email", "dana@example.co.il", "withdraw", ConsentSource.ACCOUNT_PAGE,
                   occurred_at=datetime(2025, 3, 1, tzinfo=UTC))  # fmt: skip
    before = snapshot()
    with pytest.raises(ImportRejected) as refused:
        consent_evidence.import_consents("il", HEADER + GRANT, STAFF, NOW)
    assert refused.value.errors[0].code == "older_than_recorded"
    assert snapshot() == before


def test_size_and_shape_caps(db):
    with pytest.raises(ImportTooLarge):
        consent_evidence.import_consents("il", HEADER + "x" * 1_000_001, STAFF, NOW)
    with pytest.raises(ImportTooLarge):
        consent_evidence.import_consents("il", HEADER + WITHDRAW * 5001, STAFF, NOW)
    with pytest.raises(consent_evidence.EvidenceInputError, match="Missing columns"):
        consent_evidence.import_consents("il", "medium,address\nemail,a@b.co\n", STAFF, NOW)
    with pytest.raises(consent_evidence.EvidenceInputError, match="no rows"):
        consent_evidence.import_consents("il", HEADER, STAFF, NOW)
    assert not ConsentImport.objects.exists()
