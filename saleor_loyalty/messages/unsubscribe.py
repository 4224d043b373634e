"""Signed unsubscribe links: no login, never expire, cannot be forged, and reveal nothing about the person.

The link carries a random key (`UnsubscribeKey`, one per person and medium, 128 bits) signed with
HMAC-SHA256 under the deployment's SECRET_KEY. The key is not derived from the address or its hash,
so a link holder cannot test a guessed address against it; a tampered key or signature is refused
before the database is asked. GET shows a confirmation form (mail scanners follow links); POST
unsubscribes, including the RFC 8058 one-click POST that mail clients send with
`List-Unsubscribe=One-Click`. An SMS carries the short form `<key>.<tag>`: the same key with a
64-bit HMAC tag, checked before the database is asked as the full signature is.

Links of the earlier form (the person's hash in a signed payload) keep working while
LOYALTY_ACCEPT_LEGACY_UNSUBSCRIBE_LINKS is on: their signature still proves the server issued them,
so accepting them tells nobody anything the link did not already show. No new link has that form.
"""

import hmac
import secrets

from django.core import signing
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.html import escape

from saleor_loyalty.messages import consent
from saleor_loyalty.messages.config import legacy_unsubscribe_links, public_url
from saleor_loyalty.models import Medium, UnsubscribeKey

SALT = "saleor_loyalty.unsubscribe.key"
SHORT_SALT, SHORT_TAG = "saleor_loyalty.unsubscribe.short", 16
LEGACY_SALT = "saleor_loyalty.unsubscribe"
PATH_PREFIX = "/unsubscribe/"
URL_PREFIX = "/plugins/global/saleor.loyalty/unsubscribe/"


def _signer(salt: str) -> signing.Signer:
    return signing.Signer(salt=salt, algorithm="sha256")


def key_for(medium: str, subject: str) -> str:
    """The person's key on this medium, made once (concurrent first messages agree on one)."""
    found = UnsubscribeKey.objects.filter(subject_hash=subject, medium=medium).values_list("key", flat=True)
    if not found:
        UnsubscribeKey.objects.bulk_create(
            [
                UnsubscribeKey(
                    key=secrets.token_urlsafe(16),
                    subject_hash=subject,
                    medium=medium,
                    created_at=timezone.now(),
                )
            ],
            ignore_conflicts=True,
        )
    return found.get()


def make_token(medium: str, subject: str) -> str:
    return _signer(SALT).sign(key_for(medium, subject))


def _read_legacy(token: str) -> tuple[str, str] | None:
    if not legacy_unsubscribe_links():
        return None
    try:
        data = _signer(LEGACY_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("m") not in Medium.values or not isinstance(data.get("s"), str):
        return None
    return data["m"], data["s"]


def _short_tag(key: str) -> str:
    return salted_hmac(SHORT_SALT, key, algorithm="sha256").hexdigest()[:SHORT_TAG]


def _read_short(token: str) -> str | None:
    key, _, tag = token.rpartition(".")
    return key if key and hmac.compare_digest(_short_tag(key), tag) else None


def read_token(token: str, known_keys: dict | None = None) -> tuple[str, str] | None:
    """(medium, person hash) of a link the server issued, else None. `known_keys` (key -> (medium, hash),
    as `links` returns them): keys already read from the database, so a batch's links are checked without it."""
    if ":" not in token and "." in token:  # the short form of SMS links (keys never hold a dot)
        key = _read_short(token)
        if key is None:
            return None
    else:
        try:
            key = _signer(SALT).unsign(token)
        except signing.BadSignature:
            return _read_legacy(token)
    if known_keys is not None and key in known_keys:
        return known_keys[key]
    return UnsubscribeKey.objects.filter(key=key).values_list("medium", "subject_hash").first()


def _url(key: str, short: bool = False) -> str:
    token = f"{key}.{_short_tag(key)}" if short else _signer(SALT).sign(key)
    return f"{public_url()}{URL_PREFIX}{token}/"


def link(medium: str, subject: str) -> str:
    return _url(key_for(medium, subject))


def links(medium: str, subjects, short: bool = False) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """`link` for many people at once: one read, plus one insert when some have no key yet (concurrent first
    messages still agree on one key: the insert ignores conflicts and the keys are read after it).
    Returns person hash -> link and key -> (medium, person hash) for `read_token`. `short`: the SMS form,
    the random key with a 64-bit tag instead of a full signature (every character of a text costs)."""
    subjects = sorted(set(subjects))

    def read():
        return dict(
            UnsubscribeKey.objects.filter(medium=medium, subject_hash__in=subjects).values_list(
                "subject_hash", "key"
            )
        )

    keys = read()
    missing = [subject for subject in subjects if subject not in keys]
    if missing:
        now = timezone.now()
        UnsubscribeKey.objects.bulk_create(
            [
                UnsubscribeKey(key=secrets.token_urlsafe(16), subject_hash=s, medium=medium, created_at=now)
                for s in missing
            ],
            ignore_conflicts=True,
        )
        keys = read()
    return (
        {subject: _url(key, short) for subject, key in keys.items()},
        {key: (medium, subject) for subject, key in keys.items()},
    )


_PAGE = """<!doctype html><html lang="he" dir="rtl"><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family:sans-serif;max-width:36em;margin:3em auto"><p>{body}</p>{form}</body></html>"""
_FORM = """<form method="post"><input type="hidden" name="confirm" value="1">
<button type="submit">הסירו אותי / Unsubscribe me</button></form>"""


def handle(request, path: str) -> HttpResponse:
    """`path` is what follows the plugin id: /unsubscribe/<token>/."""
    token = path[len(PATH_PREFIX) :].strip("/")
    parsed = read_token(token)
    if parsed is None:
        return HttpResponseBadRequest(
            _PAGE.format(
                title="Invalid link", body="הקישור אינו תקין. / This unsubscribe link is not valid.", form=""
            )
        )
    medium, subject = parsed
    if request.method == "POST":
        consent.suppress_hash(subject, medium, reason="unsubscribed")
        return HttpResponse(
            _PAGE.format(
                title="Unsubscribed",
                body="הוסרת מרשימת הדיוור. / You will get no more marketing messages.",
                form="",
            )
        )
    if request.method == "GET":
        return HttpResponse(
            _PAGE.format(
                title="Unsubscribe",
                body=escape("להסרה מדיוור שיווקי לחצו כאן. / Confirm to stop marketing messages."),
                form=_FORM,
            )
        )
    return HttpResponse(status=405)
