"""Restore links: a random 256-bit secret per reminder, stored only as its SHA-256.

A token names exactly one checkout, expires after 7 days, and only tells the storefront which
checkout to reopen. It never signs anyone in: a forwarded email gives the cart, not the account.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings

from saleor_loyalty.exceptions import RestoreTokenInvalid
from saleor_loyalty.models import RestoreToken


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def validity() -> timedelta:
    return timedelta(days=int(getattr(settings, "LOYALTY_RESTORE_TOKEN_DAYS", 7)))


def mint(checkout_token, channel_slug: str, now: datetime) -> str:
    raw = secrets.token_urlsafe(32)
    RestoreToken.objects.create(
        token_hash=_hash(raw),
        checkout_token=checkout_token,
        channel_slug=channel_slug,
        expires_at=now + validity(),
        created_at=now,
    )
    return raw


def resolve(raw: str, now: datetime, checkout_exists=None) -> RestoreToken:
    """The token's record, or RestoreTokenInvalid for an unknown (forged) or expired one, or one whose
    cart is gone (`checkout_exists(token)` asks Saleor; Saleor deletes old checkouts on its own)."""
    if not raw or len(raw) > 128:
        raise RestoreTokenInvalid("This restore link is not valid.")
    record = RestoreToken.objects.filter(token_hash=_hash(raw)).first()
    if record is None:
        raise RestoreTokenInvalid("This restore link is not valid.")
    if record.expires_at <= now:
        raise RestoreTokenInvalid("This restore link has expired.")
    if checkout_exists is not None and not checkout_exists(record.checkout_token):
        raise RestoreTokenInvalid("This cart no longer exists.")
    return record
