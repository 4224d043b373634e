"""Marketing consent per person, channel and medium, and the person-level suppression list.

A person is the hash of their normalised address on that medium (email or phone), so consent and
refusals follow the person across guest checkouts and accounts, and are stored without the address.
Consent is append-only evidence; the current state is the latest event, outranked by a suppression
written after it. Unsubscribing withdraws everywhere on that medium at once.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from saleor_loyalty.exceptions import (
    ConsentWordingRequired,
    ExplicitOptInRequired,
    InvalidConsentInput,
    PhoneNotOwned,
)
from saleor_loyalty.models import ConsentAction, ConsentEvent, ConsentSource, Medium, Suppression

MAX_WORDING = 4000


def normalize_address(medium: str, address: str) -> str:
    address = (address or "").strip()
    if medium == Medium.SMS:
        return "".join(ch for ch in address if ch.isdigit() or ch == "+")
    return address.lower()


def require_owned_phone(phone: str, owned_phones) -> str:
    """The number, when it is one the person has shown to be theirs (on their account or their checkout)."""
    wanted = normalize_address(Medium.SMS, phone)
    if not wanted or wanted not in {normalize_address(Medium.SMS, owned) for owned in owned_phones if owned}:
        raise PhoneNotOwned(
            "Consent by SMS can be given only for your own number (on your account or checkout)."
        )
    return phone


def subject_hash(medium: str, address: str) -> str:
    normalized = normalize_address(medium, address)
    if not normalized:
        raise InvalidConsentInput("An email address or phone number is required.", "address")
    return hashlib.sha256(f"{medium}:{normalized}".encode()).hexdigest()


def ip_hash(ip: str | None) -> str:
    """Keyed, so the stored value proves the same origin without keeping the address."""
    if not ip:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ConsentState:
    granted: bool
    suppressed: bool
    updated_at: datetime | None
    source: str = ""

    @property
    def may_market(self) -> bool:
        return self.granted and not self.suppressed


_STATE_SQL = f"""
SELECT e.action, e.occurred_at, e.source,
       (SELECT s.suppressed_at FROM {Suppression._meta.db_table} s
         WHERE s.subject_hash = %(subject)s AND s.medium = %(medium)s)
FROM (SELECT 1) one
LEFT JOIN LATERAL (
    SELECT action, occurred_at, source FROM {ConsentEvent._meta.db_table}
    WHERE subject_hash = %(subject)s AND channel_slug = %(channel)s AND medium = %(medium)s
    ORDER BY id DESC LIMIT 1
) e ON true
"""


def state_for_hash(subject: str, channel_slug: str, medium: str) -> ConsentState:
    """Current consent in one indexed query: latest event for the person, and any suppression."""
    with connection.cursor() as cursor:
        cursor.execute(_STATE_SQL, {"subject": subject, "channel": channel_slug, "medium": medium})
        action, occurred_at, source, suppressed_at = cursor.fetchone()
    granted = action == ConsentAction.GRANT
    suppressed = suppressed_at is not None and (not granted or suppressed_at >= occurred_at)
    updated = max((t for t in (occurred_at, suppressed_at) if t is not None), default=None)
    return ConsentState(
        granted=granted and not suppressed, suppressed=suppressed, updated_at=updated, source=source or ""
    )


_STATES_SQL = f"""
SELECT x.s, e.action, e.occurred_at, e.source,
       (SELECT s.suppressed_at FROM {Suppression._meta.db_table} s
         WHERE s.subject_hash = x.s AND s.medium = %(medium)s)
FROM unnest(%(subjects)s::text[]) x(s)
LEFT JOIN LATERAL (
    SELECT action, occurred_at, source FROM {ConsentEvent._meta.db_table}
    WHERE subject_hash = x.s AND channel_slug = %(channel)s AND medium = %(medium)s
    ORDER BY id DESC LIMIT 1
) e ON true
"""


def states_for_hashes(subjects, channel_slug: str, medium: str) -> dict[str, ConsentState]:
    """`state_for_hash` for many people in one query (a campaign batch); same rule, same answer."""
    subjects = sorted(set(subjects))
    if not subjects:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_STATES_SQL, {"subjects": subjects, "channel": channel_slug, "medium": medium})
        rows = cursor.fetchall()
    found = {}
    for subject, action, occurred_at, source, suppressed_at in rows:
        granted = action == ConsentAction.GRANT
        suppressed = suppressed_at is not None and (not granted or suppressed_at >= occurred_at)
        updated = max((t for t in (occurred_at, suppressed_at) if t is not None), default=None)
        found[subject] = ConsentState(
            granted=granted and not suppressed, suppressed=suppressed, updated_at=updated, source=source or ""
        )
    return found


def current_state(channel_slug: str, medium: str, address: str) -> ConsentState:
    return state_for_hash(subject_hash(medium, address), channel_slug, medium)


def record(
    channel_slug: str,
    medium: str,
    address: str,
    action: str,
    source: str,
    *,
    wording: str = "",
    locale: str = "",
    ip: str | None = None,
    user_id: int | None = None,
    occurred_at: datetime | None = None,
    opt_in: bool = False,
) -> ConsentEvent:
    """Append a grant or withdrawal. A grant needs the exact wording shown; a withdrawal takes effect now.

    A newsletter sign-up grants only with an explicit opt-in (`opt_in is True`): a pre-ticked or
    implied sign-up is no consent under §30A.
    """
    if medium not in Medium.values:
        raise InvalidConsentInput(f"Unknown medium '{medium}'.", "medium")
    if action not in ConsentAction.values:
        raise InvalidConsentInput(f"Unknown action '{action}'.", "action")
    if source not in ConsentSource.values:
        raise InvalidConsentInput(f"Unknown source '{source}'.", "source")
    if action == ConsentAction.GRANT and source == ConsentSource.NEWSLETTER_SIGNUP and opt_in is not True:
        raise ExplicitOptInRequired("Newsletter sign-up needs an explicit opt-in.")
    wording = (wording or "").strip()
    if action == ConsentAction.GRANT and not wording:
        raise ConsentWordingRequired("Record the exact wording the person agreed to.", "wording")
    if len(wording) > MAX_WORDING:
        raise InvalidConsentInput(f"The wording can be at most {MAX_WORDING} characters.", "wording")
    subject = subject_hash(medium, address)
    return ConsentEvent.objects.create(
        subject_hash=subject,
        user_id=user_id,
        channel_slug=channel_slug,
        medium=medium,
        action=action,
        source=source,
        wording=wording,
        locale=(locale or "")[:16],
        ip_hash=ip_hash(ip),
        occurred_at=occurred_at or timezone.now(),
    )


def suppress_hash(
    subject: str, medium: str, reason: str = "unsubscribed", at: datetime | None = None
) -> None:
    """Person-level stop on a medium in every channel, effective for the very next send check."""
    at = at or timezone.now()
    with transaction.atomic():
        Suppression.objects.update_or_create(
            subject_hash=subject,
            medium=medium,
            defaults={"reason": reason, "suppressed_at": at},
        )


def suppress(medium: str, address: str, reason: str = "unsubscribed") -> None:
    suppress_hash(subject_hash(medium, address), medium, reason)
