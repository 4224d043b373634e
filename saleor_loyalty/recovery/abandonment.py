"""Cart-abandonment detection: checkout activity and the sweep that snapshots abandoned checkouts.

Saleor has no "abandoned" event and deletes checkouts on its own, so the club keeps its own records
keyed by checkout token (no foreign key). The sweep walks each channel's checkouts by
(last_change, token) from a stored cursor, so it resumes where it stopped, reads a bounded number
of batches per run, and two workers never sweep the same channel at once (the cursor row is taken
with SKIP LOCKED). Snapshots are upserts: seeing a checkout again is harmless, and a changed cart
restarts the clock of the steps it has not had yet.
"""

import json
import random
from datetime import datetime, timedelta

from django.db import connection, transaction

from saleor_loyalty.messages.config import DEFAULT_STEPS
from saleor_loyalty.messages.consent import subject_hash
from saleor_loyalty.models import (
    AbandonedCheckout,
    CheckoutActivity,
    Medium,
    MessagingSettings,
    RecoveryState,
    SweepCursor,
)

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

SWEEP_OVERLAP = timedelta(minutes=10)
MIN_ABANDON_MINUTES, MAX_ABANDON_MINUTES = 5, 24 * 60


def record_checkout_activity(
    token: str, channel_slug: str, user_id: int | None, email: str, seen_at: datetime
) -> None:
    """One statement, so concurrent hooks never lose an update, and a late one never moves time back."""
    if seen_at.tzinfo is None:
        raise ValueError("seen_at must be timezone-aware")
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [token, channel_slug, user_id, email or "", seen_at, seen_at])


def steps_of(config: MessagingSettings) -> list[dict]:
    return list(config.steps or DEFAULT_STEPS)


def abandon_after(config: MessagingSettings) -> timedelta:
    minutes = min(max(config.abandon_after_minutes, MIN_ABANDON_MINUTES), MAX_ABANDON_MINUTES)
    return timedelta(minutes=minutes)


_SNAPSHOT = f"""
INSERT INTO {AbandonedCheckout._meta.db_table} AS ab
    (checkout_token, channel_slug, user_id, email, email_hash, phone, language_code, currency, total_gross,
     lines, checkout_changed_at, detected_at, lost_at, state, state_reason, next_step, next_action_at,
     reminders_sent, updated_at)
SELECT token, %(channel)s, user_id, email, email_hash, phone, language, currency, total, lines::jsonb, changed,
       %(now)s, lost_at, state, '', 0, first_at, 0, %(now)s
FROM unnest(%(tokens)s::uuid[], %(user_ids)s::bigint[], %(emails)s::text[], %(email_hashes)s::text[],
            %(phones)s::text[], %(languages)s::text[], %(currencies)s::text[], %(totals)s::numeric[],
            %(lines)s::text[], %(changed)s::timestamptz[], %(lost_at)s::timestamptz[], %(states)s::text[],
            %(first_at)s::timestamptz[])
     AS batch(token, user_id, email, email_hash, phone, language, currency, total, lines, changed, lost_at, state,
              first_at)
ON CONFLICT (checkout_token) DO UPDATE SET
    user_id = EXCLUDED.user_id, email = EXCLUDED.email, email_hash = EXCLUDED.email_hash, phone = EXCLUDED.phone,
    language_code = EXCLUDED.language_code, total_gross = EXCLUDED.total_gross, lines = EXCLUDED.lines,
    checkout_changed_at = EXCLUDED.checkout_changed_at, lost_at = EXCLUDED.lost_at, updated_at = EXCLUDED.updated_at,
    state = CASE WHEN ab.state = 'stopped' AND ab.next_step < %(step_count)s THEN 'active' ELSE ab.state END,
    state_reason = CASE WHEN ab.state = 'stopped' AND ab.next_step < %(step_count)s THEN '' ELSE ab.state_reason END,
    next_action_at = CASE
        WHEN ab.state NOT IN ('active', 'stopped') THEN ab.next_action_at
        WHEN ab.next_step >= %(step_count)s THEN NULL
        ELSE EXCLUDED.checkout_changed_at + make_interval(mins => (%(delays)s::int[])[ab.next_step + 1])
    END
WHERE ab.checkout_changed_at < EXCLUDED.checkout_changed_at
"""


def snapshot_lines(lines) -> list[dict]:
    """A cart's lines as the reminder shows them and as accrual would count them (net, gift cards)."""
    return [
        {
            "name": line.name,
            "quantity": line.quantity,
            "total": str(line.total_gross),
            "net": str(line.total_net if line.total_net is not None else line.total_gross),
            "gift_card": line.is_gift_card,
        }
        for line in lines
    ]


def _row(checkout, config, steps) -> tuple:
    email = (checkout.email or "").strip().lower()
    holdout = config.holdout_percent and random.random() * 100 < config.holdout_percent
    lines = json.dumps(snapshot_lines(checkout.lines))
    return (
        checkout.token,
        checkout.user_id,
        email,
        subject_hash(Medium.EMAIL, email) if email else "",
        checkout.phone or "",
        checkout.language_code or "",
        checkout.currency,
        checkout.total_gross,
        lines,
        checkout.last_change,
        checkout.last_change + timedelta(days=config.lost_after_days),
        RecoveryState.HOLDOUT if holdout else RecoveryState.ACTIVE,
        None if holdout else checkout.last_change + timedelta(minutes=steps[0]["after_minutes"]),
    )


def snapshot(checkouts, config: MessagingSettings, now: datetime) -> None:
    """Record a batch of abandoned checkouts in one statement; an unchanged one is left alone, a
    changed one restarts the clock of the steps it has not had."""
    steps = steps_of(config)
    columns = list(zip(*[_row(checkout, config, steps) for checkout in checkouts], strict=False))
    names = (
        "tokens",
        "user_ids",
        "emails",
        "email_hashes",
        "phones",
        "languages",
        "currencies",
        "totals",
        "lines",
        "changed",
        "lost_at",
        "states",
        "first_at",
    )
    params = {name: list(values) for name, values in zip(names, columns, strict=False)}
    params.update(
        channel=config.channel_slug,
        now=now,
        step_count=len(steps),
        delays=[int(step["after_minutes"]) for step in steps],
    )
    with connection.cursor() as cursor:
        cursor.execute(_SNAPSHOT, params)


def sweep_channel(
    shop, config: MessagingSettings, now: datetime, batch_size: int = 500, max_batches: int = 20
) -> int:
    """Snapshot one channel's newly abandoned checkouts; returns how many were seen (0 if another worker has it)."""
    SweepCursor.objects.get_or_create(channel_slug=config.channel_slug)
    seen = 0
    with transaction.atomic():
        cursor = (
            SweepCursor.objects.select_for_update(skip_locked=True)
            .filter(channel_slug=config.channel_slug)
            .first()
        )
        if cursor is None:
            return 0
        cutoff = now - abandon_after(config)
        after = (cursor.last_change - SWEEP_OVERLAP, None) if cursor.last_change else None
        for _ in range(max_batches):
            batch = shop.abandoned_candidates(config.channel_slug, cutoff, after, batch_size)
            if not batch:
                break
            snapshot(batch, config, now)
            seen += len(batch)
            after = (batch[-1].last_change, batch[-1].token)
            cursor.last_change, cursor.last_token = after
            if len(batch) < batch_size:
                break
        cursor.save()
    return seen


def sweep(shop, now: datetime, batch_size: int = 500, max_batches: int = 20) -> int:
    """The beat job: every channel with recovery switched on."""
    return sum(
        sweep_channel(shop, config, now, batch_size, max_batches)
        for config in MessagingSettings.objects.filter(recovery_enabled=True).order_by("pk")
    )
