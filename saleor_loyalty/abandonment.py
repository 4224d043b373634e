"""Checkout activity, the raw material of cart-abandonment detection.

Saleor has no "abandoned" event and deletes checkouts on its own, so the club keeps its own record
keyed by checkout token (no foreign key).
"""

from datetime import datetime

from django.db import connection

from .models import CheckoutActivity

_UPSERT = f"""
INSERT INTO {CheckoutActivity._meta.db_table} AS seen
    (token, channel_slug, user_id, email, first_seen_at, last_seen_at)
VALUES (%s, %s, %s, %s, %s, %s)
ON CONFLICT (token) DO UPDATE SET
    channel_slug = EXCLUDED.channel_slug,
    user_id = COALESCE(EXCLUDED.user_id, seen.user_id),
    email = CASE WHEN EXCLUDED.email <> '' THEN EXCLUDED.email ELSE seen.email END,
    last_seen_at = GREATEST(seen.last_seen_at, EXCLUDED.last_seen_at)
"""


def record_checkout_activity(token: str, channel_slug: str, user_id: int | None, email: str,
                             seen_at: datetime) -> None:
    """One statement, so concurrent hooks never lose an update, and a late one never moves time back."""
    if seen_at.tzinfo is None:
        raise ValueError("seen_at must be timezone-aware")
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [token, channel_slug, user_id, email or "", seen_at, seen_at])
