"""Reminder sequences: each due step is re-checked, claimed once, and only then sent.

Phase 1, in one transaction: take the abandoned checkout with SKIP LOCKED (another worker has it →
skip), serialise on the person (advisory lock on the email hash, so two carts of one person never
race past the caps), re-check everything (order since, checkout gone or empty, payment running,
consent, suppression, caps, quiet windows), then insert the step's claim row. The claim's unique
key (checkout, step, medium) is the backstop: a step can be claimed once, ever.
Phase 2, after commit: re-check purchase and consent once more (a purchase between claim and send
cancels the message), then render and deliver through the compliance gate.
A claim whose send was never confirmed (the worker died, the provider failed) is retried by the same
job once its lease runs out (`messages.leases`): the same log row, so the same idempotency key, after
the same checks as a first send (order, cart, consent, suppression, email gap, quiet windows).
A deferral moves `next_action_at`; nothing is dropped silently: every decision is a log row.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction

from saleor_loyalty.messages import consent, leases, limits, pipeline, rendering, windows
from saleor_loyalty.messages.config import CART_REMINDER, sequence_gap_days
from saleor_loyalty.models import (
    AbandonedCheckout,
    LoyaltyProgram,
    Medium,
    MessageLog,
    MessageStatus,
    MessagingSettings,
    RecoveryState,
)
from saleor_loyalty.recovery import attribution, reminder_content, restore
from saleor_loyalty.recovery.abandonment import snapshot_lines, steps_of

logger = logging.getLogger(__name__)

PAYMENT_RETRY = timedelta(minutes=30)


@dataclass
class Claim:
    row: AbandonedCheckout
    config: MessagingSettings
    log: MessageLog
    message: pipeline.Outgoing
    restore_token: str


def claim_key(checkout_token, step: int, medium: str) -> str:
    return f"{checkout_token}:{step}:{medium}"


def process_due(shop, now: datetime, limit: int = 200) -> int:
    """The beat job: retry unconfirmed claims, then send what is due, at most `limit` of each per run;
    returns messages sent."""
    sent = retry_stale(shop, now, limit)
    due = list(
        AbandonedCheckout.objects.filter(state=RecoveryState.ACTIVE, next_action_at__lte=now)
        .order_by("next_action_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sent + sum(1 for pk in due if process_one(pk, shop, now) == MessageStatus.SENT)


def retry_stale(shop, now: datetime, limit: int = 200) -> int:
    """Reminders claimed but not confirmed sent within their lease: each retried by one worker."""
    stale = MessageLog.objects.filter(category=CART_REMINDER)
    sent = 0
    for log in leases.take_stale(stale, now, limit, lambda log: _retry_hold(log, now)):
        sent += _retry(log, shop, now).status == MessageStatus.SENT
    return sent


def _retry_hold(log: MessageLog, now: datetime) -> tuple[datetime, str] | None:
    """The caps and windows a first send passes, asked again under the person's lock."""
    row = AbandonedCheckout.objects.filter(checkout_token=log.checkout_token).first()
    if row is None:
        return None
    _lock_person(row.email_hash or str(row.checkout_token))
    if log.medium == Medium.EMAIL and (gap := limits.email_gap_until(log.subject_hash, now, log)):
        return gap
    window = windows.window_until(now, log.medium, pipeline.channel_settings(log.channel_slug))
    return (window, "quiet hours, Shabbat or holiday") if window > now else None


def _retry(log: MessageLog, shop, now: datetime) -> MessageLog:
    row = AbandonedCheckout.objects.filter(checkout_token=log.checkout_token).first()
    if row is None or not log.recipient:
        return pipeline.finish(log, MessageStatus.CANCELLED, "recipient forgotten")
    if row.state in (RecoveryState.PURCHASED, RecoveryState.RECOVERED, RecoveryState.STOPPED):
        return pipeline.finish(log, MessageStatus.CANCELLED, f"sequence {row.state}: {row.state_reason}")
    if now >= row.lost_at:
        return pipeline.finish(log, MessageStatus.CANCELLED, "cart lost before the retry")
    current = shop.checkout_now(row.checkout_token)
    if current is None:
        return pipeline.finish(log, MessageStatus.CANCELLED, "checkout deleted by Saleor")
    if not current.lines or current.total_gross <= 0:
        return pipeline.finish(log, MessageStatus.CANCELLED, "cart emptied")
    if current.payment_in_progress:  # not the message's fault: the attempt is given back
        log.attempts, log.lease_until = log.attempts - 1, now + PAYMENT_RETRY
        log.reason = f"payment in progress; until {log.lease_until.isoformat()}"
        log.save(update_fields=["attempts", "lease_until", "reason"])
        return log
    _refresh_snapshot(row, current)
    claim = Claim(
        row=row,
        config=pipeline.channel_settings(row.channel_slug),
        log=log,
        message=_outgoing(row, log.medium, log.step, log.recipient),
        restore_token=restore.mint(row.checkout_token, row.channel_slug, now),
    )
    return _send(claim, shop, now)


def process_one(pk: int, shop, now: datetime) -> str | None:
    with transaction.atomic():
        claim = _claim(pk, shop, now)
    if claim is None:
        return None
    return _send(claim, shop, now).status


def _lock_person(email_hash: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"loyalty:{email_hash}"])


def _log(row, medium, step, status, reason, now, address=""):
    address = address or (row.phone if medium == Medium.SMS else row.email)
    return pipeline.new_log(_outgoing(row, medium, step, address), status, now, reason=reason)


def _outgoing(row, medium, step, address, context=None):
    return pipeline.Outgoing(
        category=CART_REMINDER,
        medium=medium,
        channel_slug=row.channel_slug,
        address=address,
        language_code=row.language_code,
        context=context or {},
        checkout_token=row.checkout_token,
        step=step,
    )


def stop(row: AbandonedCheckout, reason: str, now: datetime, state: str = RecoveryState.STOPPED) -> None:
    row.state, row.state_reason, row.next_action_at = state, reason, None
    row.save(update_fields=["state", "state_reason", "next_action_at", "updated_at"])


def _defer(row, medium, step, until: datetime, reason: str, now) -> None:
    if until >= row.lost_at:
        _log(
            row, medium, step, MessageStatus.SKIPPED, f"{reason}; next chance is after the cart is lost", now
        )
        stop(row, "lost", now)
        return
    _log(row, medium, step, MessageStatus.DEFERRED, f"{reason}; until {until.isoformat()}", now)
    row.next_action_at = until
    row.save(update_fields=["next_action_at", "updated_at"])


def _advance(row, steps, now, sent: bool) -> None:
    """Plan the next step from the cart's last change, but never closer to this one than the plan spaces them."""
    current = row.next_step
    row.next_step = current + 1
    if sent:
        row.reminders_sent += 1
        row.last_reminded_at = now
        row.sequence_started_at = row.sequence_started_at or now
    if row.next_step >= len(steps):
        row.state, row.next_action_at = RecoveryState.FINISHED, None
    else:
        planned = row.checkout_changed_at + timedelta(minutes=steps[row.next_step]["after_minutes"])
        spacing = timedelta(minutes=steps[row.next_step]["after_minutes"] - steps[current]["after_minutes"])
        row.next_action_at = max(planned, now + spacing)
    row.save()


def _caps(row, medium, address_hash, now) -> tuple[datetime, str] | None:
    gap = timedelta(days=sequence_gap_days())
    if row.sequence_started_at is None:
        other = (
            AbandonedCheckout.objects.filter(email_hash=row.email_hash, sequence_started_at__gt=now - gap)
            .exclude(pk=row.pk)
            .order_by("-sequence_started_at")
            .first()
        )
        if other is not None:
            return other.sequence_started_at + gap, "one reminder sequence per person per 7 days"
    if medium == Medium.EMAIL:
        return limits.email_gap_until(address_hash, now)
    return None


def _claim(pk: int, shop, now: datetime) -> Claim | None:
    row = (
        AbandonedCheckout.objects.select_for_update(skip_locked=True)
        .filter(pk=pk, state=RecoveryState.ACTIVE, next_action_at__lte=now)
        .first()
    )
    if row is None:
        return None
    _lock_person(row.email_hash or str(row.checkout_token))
    config = pipeline.channel_settings(row.channel_slug)
    steps = steps_of(config)
    step_index = row.next_step
    medium = steps[step_index]["medium"]
    if now >= row.lost_at:
        stop(row, "lost", now)
        return None
    if not LoyaltyProgram.channel_gives_value(row.channel_slug):
        _log(row, medium, step_index, MessageStatus.SKIPPED, "the club is switched off in this channel", now)
        stop(row, "program_inactive", now)  # a later change of the cart starts it again
        return None
    order = shop.order_since(row.checkout_token, row.user_id, row.email, row.checkout_changed_at)
    if order is not None:
        _log(row, medium, step_index, MessageStatus.SKIPPED, "the person ordered", now)
        attribution.record_order(order, now)
        AbandonedCheckout.objects.filter(pk=row.pk, state=RecoveryState.ACTIVE).update(
            state=RecoveryState.PURCHASED, state_reason="ordered", next_action_at=None
        )
        return None
    current = shop.checkout_now(row.checkout_token)
    if current is None:
        _log(row, medium, step_index, MessageStatus.SKIPPED, "checkout deleted by Saleor", now)
        stop(row, "checkout_deleted", now)
        return None
    if not current.lines or current.total_gross <= 0:
        _log(row, medium, step_index, MessageStatus.SKIPPED, "cart emptied", now)
        stop(row, "emptied", now)
        return None
    if current.payment_in_progress:
        _defer(row, medium, step_index, now + PAYMENT_RETRY, "payment in progress", now)
        return None
    _refresh_snapshot(row, current)
    address = row.email if medium == Medium.EMAIL else row.phone
    if not address:
        _log(row, medium, step_index, MessageStatus.SKIPPED, f"no {medium} address", now)
        _advance(row, steps, now, sent=False)
        return None
    address_hash = consent.subject_hash(medium, address)
    state = consent.state_for_hash(address_hash, row.channel_slug, medium)
    if not state.may_market:
        reason = "unsubscribed" if state.suppressed else "no recorded opt-in"
        _log(row, medium, step_index, MessageStatus.SKIPPED, reason, now, address)
        _advance(row, steps, now, sent=False)
        return None
    capped = _caps(row, medium, address_hash, now)
    if capped is not None:
        _defer(row, medium, step_index, capped[0], capped[1], now)
        return None
    window = windows.window_until(now, medium, config)
    if window > now:
        _defer(row, medium, step_index, window, "quiet hours, Shabbat or holiday", now)
        return None
    message = _outgoing(row, medium, step_index, address)
    try:
        with transaction.atomic():
            log = pipeline.new_log(
                message,
                MessageStatus.CLAIMED,
                now,
                claim_key=claim_key(row.checkout_token, step_index, medium),
            )
    except IntegrityError:
        logger.info("Step %s of %s was already claimed", step_index, row.checkout_token)
        _advance(row, steps, now, sent=False)
        return None
    token = restore.mint(row.checkout_token, row.channel_slug, now)
    _advance(row, steps, now, sent=True)
    return Claim(row=row, config=config, log=log, message=message, restore_token=token)


def _refresh_snapshot(row, current) -> None:
    """The message shows the cart as it is now, not as it was when it was first seen."""
    row.total_gross = current.total_gross
    row.lines = snapshot_lines(current.lines)


def _incentive(claim: Claim, shop, now: datetime) -> dict:
    """The last step's single-use voucher, created once per claimed step and recorded on its log row
    (a retried send offers the same code)."""
    config = claim.config
    if code := claim.log.context.get("incentive_code"):
        expires_at = datetime.fromisoformat(claim.log.context["incentive_expires_at"])
    else:
        expires_at = now + timedelta(hours=config.incentive_hours)
        code = shop.create_single_use_voucher(
            claim.row.channel_slug,
            config.last_step_discount_percent,
            now,
            expires_at,
            f"Cart recovery {claim.row.checkout_token}",
        )
        claim.log.context = {"incentive_code": code, "incentive_expires_at": expires_at.isoformat()}
        claim.log.save(update_fields=["context"])
    return {
        "incentive_code": code,
        "incentive_percent": config.last_step_discount_percent,
        "incentive_expires": expires_at.astimezone(ZoneInfo(config.timezone)).strftime("%d/%m/%Y %H:%M"),
    }


def _send(claim: Claim, shop, now: datetime) -> MessageLog:
    row, config = claim.row, claim.config
    order = shop.order_since(row.checkout_token, row.user_id, row.email, row.checkout_changed_at)
    if order is not None:
        attribution.record_order(order, now)
        return pipeline.finish(claim.log, MessageStatus.CANCELLED, "ordered between claim and send")
    if not consent.state_for_hash(claim.log.subject_hash, row.channel_slug, claim.message.medium).may_market:
        return pipeline.finish(claim.log, MessageStatus.CANCELLED, "consent withdrawn between claim and send")
    if not config.restore_url_template:
        return pipeline.finish(claim.log, MessageStatus.BLOCKED, "restore URL template missing")
    steps = steps_of(config)
    last_step = claim.message.step == len(steps) - 1
    context = {
        "lines": row.lines,
        "total": row.total_gross.normalize(),
        "currency": row.currency,
        "restore_url": config.restore_url_template.replace("{token}", claim.restore_token),
        "step": claim.message.step,
        "last_step": last_step,
        **reminder_content.for_cart(
            row.channel_slug,
            row.user_id,
            row.email,
            row.lines,
            now,
            rendering.pick_language(row.language_code, config.default_language),
        ),
    }
    if last_step and config.last_step_discount_percent:
        context.update(_incentive(claim, shop, now))
    message = pipeline.Outgoing(**{**claim.message.__dict__, "context": context})
    return pipeline.deliver(message, log=claim.log, now=now, config=config)
