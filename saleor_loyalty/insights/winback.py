"""Win-back and greeting flows: a run per trigger, each step re-checked, claimed once, then sent.

A run starts once per (flow, member, trigger): entering "at risk" or "lapsed" (a `SegmentEvent`), a
birthday or a membership anniversary (`greetings.py`). Its holdout membership is a hash of (program, flow
kind, member), so it is the same on every worker and every run: a held-out member gets no message and
their orders are counted the same way, for the lift.
Phase 1, in one transaction: take the due run with SKIP LOCKED, serialise on the person (advisory lock),
re-check (club on, flow on, any order since the run started, email, consent and suppression, the
person's email gap, quiet hours and Shabbat), then claim the step's message: `MessageLog.claim_key`
`flow:<flow>:<run>:<step>:email` is unique, so a step is claimed once, ever.
Phase 2, after commit: re-check order and consent, give the step's incentive (bonus points as one ledger
row keyed by the run and step, or one single-use Saleor voucher recorded on the claim row), render the
staff's content in the member's language and deliver through the §30A gate. A claim whose lease ran
out is retried by the same job with the same checks, on the same row (same idempotency key).
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q

from saleor_loyalty.ledger.accounts import append_entry, lock_account
from saleor_loyalty.messages import consent, leases, limits, pipeline, rendering, windows
from saleor_loyalty.messages.config import FLOW_CATEGORIES
from saleor_loyalty.models import (
    EntryKind,
    Flow,
    FlowKind,
    FlowRun,
    FlowRunState,
    IncentiveKind,
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    Medium,
    MessageLog,
    MessageStatus,
    NamedSegment,
    TierTranslation,
)
from saleor_loyalty.tiers.ladder import ladder

logger = logging.getLogger(__name__)

WINBACK_KINDS = {NamedSegment.AT_RISK: FlowKind.WINBACK_AT_RISK, NamedSegment.LAPSED: FlowKind.WINBACK_LAPSED}
CATEGORY = {
    FlowKind.WINBACK_AT_RISK: "winback",
    FlowKind.WINBACK_LAPSED: "winback",
    FlowKind.BIRTHDAY: "birthday_greeting",
    FlowKind.ANNIVERSARY: "anniversary_greeting",
}
assert set(CATEGORY.values()) == set(FLOW_CATEGORIES)


def in_holdout(program_id: int, kind: str, account_id: int, percent: int) -> bool:
    """Reproducible: the same member is in (or out of) a flow's holdout on every worker, every night."""
    digest = hashlib.sha256(f"holdout:{program_id}:{kind}:{account_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100 < percent


def claim_key(run: FlowRun, step: int) -> str:
    return f"flow:{run.flow_id}:{run.pk}:{step}:{Medium.EMAIL}"


def start_runs(flow: Flow, accounts: list[tuple[int, str]], trigger_key: str, now: datetime) -> int:
    """Start the flow for these (account id, email) members under one trigger; a repeat starts nothing."""
    if not flow.enabled or not flow.steps:
        return 0
    runs = []
    for account_id, email in accounts:
        held = in_holdout(flow.program_id, flow.kind, account_id, flow.holdout_percent)
        runs.append(
            FlowRun(
                flow=flow,
                account_id=account_id,
                trigger_key=trigger_key,
                state=FlowRunState.HOLDOUT if held else FlowRunState.ACTIVE,
                state_reason="holdout group" if held else "",
                email=email or "",
                started_at=now,
                next_action_at=None if held else now + timedelta(days=flow.steps[0]["after_days"]),
            )
        )
    started = FlowRun.objects.filter(
        flow=flow, trigger_key=trigger_key, account_id__in=[r.account_id for r in runs]
    )
    before = started.count()
    FlowRun.objects.bulk_create(runs, ignore_conflicts=True)  # the unique trigger key skips a repeat
    return started.count() - before


def watched_segments(program: LoyaltyProgram) -> list[str]:
    """The segments whose entries and exits a win-back flow acts on: those with a flow of their kind (a
    disabled one may still have runs to stop). The nightly run returns only these events to Python."""
    kinds = set(
        Flow.objects.filter(program=program, kind__in=WINBACK_KINDS.values()).values_list("kind", flat=True)
    )
    return [str(segment) for segment, kind in WINBACK_KINDS.items() if kind in kinds]


def start_on_entries(program: LoyaltyProgram, entries, now: datetime) -> None:
    """Members who just entered at risk or lapsed start that flow, keyed by the entry event."""
    for segment, kind in WINBACK_KINDS.items():
        entered = [event for event in entries if event.segment == segment]
        if not entered:
            continue
        flow = Flow.objects.filter(program=program, kind=kind, enabled=True).first()
        if flow is None:
            continue
        emails = dict(
            LoyaltyAccount.objects.filter(pk__in=[e.account_id for e in entered]).values_list("pk", "email")
        )
        for event in entered:
            start_runs(
                flow, [(event.account_id, emails.get(event.account_id, ""))], f"{segment}:{event.pk}", now
            )


def stop_on_exits(program: LoyaltyProgram, exits, now: datetime) -> None:
    """Leaving the segment (lapsing further, or ordering) ends that segment's active win-back."""
    for segment, kind in WINBACK_KINDS.items():
        gone = [event.account_id for event in exits if event.segment == segment]
        if gone:
            FlowRun.objects.filter(
                flow__program=program, flow__kind=kind, account_id__in=gone, state=FlowRunState.ACTIVE
            ).update(state=FlowRunState.STOPPED, state_reason="left the segment", next_action_at=None)


def ordered_since(account_id: int, since: datetime) -> bool:
    """Any order of the member (or a guest account merged into them) recorded since `since`."""
    return LedgerEntry.objects.filter(
        Q(account_id=account_id) | Q(account__merged_into_id=account_id),
        kind=EntryKind.EARN,
        occurred_at__gte=since,
    ).exists()


@dataclass
class Claim:
    run: FlowRun
    log: MessageLog
    message: pipeline.Outgoing


def process_due(shop, now: datetime, limit: int = 200) -> int:
    """The beat job: retry unconfirmed claims, then due steps, each bounded; returns messages sent."""
    sent = retry_stale(shop, now, limit)
    due = list(
        FlowRun.objects.filter(state=FlowRunState.ACTIVE, next_action_at__lte=now)
        .order_by("next_action_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sent + sum(1 for pk in due if process_one(pk, shop, now) == MessageStatus.SENT)


def process_one(pk: int, shop, now: datetime) -> str | None:
    with transaction.atomic():
        claim = _claim(pk, now)
    if claim is None:
        return None
    return _send(claim, shop, now).status


def _lock_person(subject: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"loyalty:{subject}"])


def _outgoing(run: FlowRun, step: int, context=None) -> pipeline.Outgoing:
    return pipeline.Outgoing(
        category=CATEGORY[run.flow.kind],
        medium=Medium.EMAIL,
        channel_slug=run.flow.program.channel_slug,
        address=run.email,
        language_code=run.language_code,
        context=context or {},
        step=step,
    )


def _log(run: FlowRun, status: str, reason: str, now: datetime) -> None:
    if run.email:
        pipeline.new_log(_outgoing(run, run.next_step), status, now, reason=reason)


def stop(run: FlowRun, reason: str) -> None:
    run.state, run.state_reason, run.next_action_at = FlowRunState.STOPPED, reason, None
    run.save(update_fields=["state", "state_reason", "next_action_at"])


def _advance(run: FlowRun) -> None:
    run.next_step += 1
    steps = run.flow.steps
    if run.next_step >= len(steps):
        run.state, run.next_action_at = FlowRunState.FINISHED, None
    else:
        run.next_action_at = run.started_at + timedelta(days=steps[run.next_step]["after_days"])
    run.save(update_fields=["next_step", "state", "next_action_at"])


def _stop_reason(run: FlowRun) -> str | None:
    program, flow = run.flow.program, run.flow
    if not program.gives_value():
        return "the club is switched off in this channel"
    if not flow.enabled:
        return "flow switched off"
    if run.next_step >= len(flow.steps):
        return "flow has fewer steps now"
    if flow.kind in WINBACK_KINDS.values() and ordered_since(run.account_id, run.started_at):
        return "ordered"
    if not run.email:
        return "no email"
    return None


def _claim(pk: int, now: datetime) -> Claim | None:
    run = (
        FlowRun.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("flow__program")
        .filter(pk=pk, state=FlowRunState.ACTIVE, next_action_at__lte=now)
        .first()
    )
    if run is None:
        return None
    address_hash = consent.subject_hash(Medium.EMAIL, run.email) if run.email else str(run.pk)
    _lock_person(address_hash)
    if (reason := _stop_reason(run)) is not None:
        _log(run, MessageStatus.SKIPPED, reason, now)
        stop(run, reason)
        return None
    channel = run.flow.program.channel_slug
    if not consent.state_for_hash(address_hash, channel, Medium.EMAIL).may_market:
        _log(run, MessageStatus.SKIPPED, "no recorded opt-in or unsubscribed", now)
        stop(run, "no consent")
        return None
    config = pipeline.channel_settings(channel)
    held = limits.email_gap_until(address_hash, now)
    window = windows.window_until(now, Medium.EMAIL, config)
    if held is None and window > now:
        held = (window, "quiet hours, Shabbat or holiday")
    if held is not None:
        _log(run, MessageStatus.DEFERRED, f"{held[1]}; until {held[0].isoformat()}", now)
        run.next_action_at = held[0]
        run.save(update_fields=["next_action_at"])
        return None
    step = run.next_step
    message = _outgoing(run, step)
    try:
        with transaction.atomic():
            log = pipeline.new_log(message, MessageStatus.CLAIMED, now, claim_key=claim_key(run, step))
    except IntegrityError:
        logger.info("Step %s of flow run %s was already claimed", step, run.pk)
        _advance(run)
        return None
    _advance(run)
    return Claim(run=run, log=log, message=message)


def retry_stale(shop, now: datetime, limit: int = 200) -> int:
    """Flow messages claimed but not confirmed sent within their lease: each retried by one worker."""
    stale = MessageLog.objects.filter(category__in=FLOW_CATEGORIES)
    sent = 0
    for log in leases.take_stale(stale, now, limit, lambda log: _retry_hold(log, now)):
        sent += _retry(log, shop, now).status == MessageStatus.SENT
    return sent


def _run_of(log: MessageLog) -> FlowRun | None:
    parts = (log.claim_key or "").split(":")
    if len(parts) != 5 or not parts[2].isdigit():
        return None
    return FlowRun.objects.select_related("flow__program").filter(pk=int(parts[2])).first()


def _retry_hold(log: MessageLog, now: datetime) -> tuple[datetime, str] | None:
    _lock_person(log.subject_hash)
    if gap := limits.email_gap_until(log.subject_hash, now, log):
        return gap
    window = windows.window_until(now, log.medium, pipeline.channel_settings(log.channel_slug))
    return (window, "quiet hours, Shabbat or holiday") if window > now else None


def _retry(log: MessageLog, shop, now: datetime) -> MessageLog:
    run = _run_of(log)
    if run is None or not log.recipient:
        return pipeline.finish(log, MessageStatus.CANCELLED, "recipient forgotten")
    if run.state == FlowRunState.STOPPED:
        return pipeline.finish(log, MessageStatus.CANCELLED, f"flow run stopped: {run.state_reason}")
    return _send(Claim(run=run, log=log, message=_outgoing(run, log.step)), shop, now)


def _content(flow: Flow, step: int, language: str) -> dict:
    content = flow.steps[step].get("content", {})
    chosen = content.get(language) or next(iter(content.values()), {"subject": "", "body": ""})
    return {"flow_subject": chosen.get("subject", ""), "flow_body": chosen.get("body", "")}


def _incentive(claim: Claim, shop, now: datetime) -> dict:
    """The step's incentive, given once: a ledger row keyed by run and step, or a voucher kept on the claim."""
    run, flow = claim.run, claim.run.flow
    if not flow.steps[claim.message.step].get("incentive") or flow.incentive == IncentiveKind.NONE:
        return {}
    if flow.incentive == IncentiveKind.POINTS and flow.incentive_points:
        with transaction.atomic():
            account = lock_account(LoyaltyAccount(pk=run.account_id))
            append_entry(
                account,
                kind=EntryKind.FLOW_BONUS,
                points=flow.incentive_points,
                source_key=f"flow:{run.pk}:{claim.message.step}",
                reason=f"{flow.get_kind_display()} bonus",
            )
        return {"bonus_points": flow.incentive_points}
    if flow.incentive == IncentiveKind.VOUCHER and flow.voucher_percent and shop is not None:
        if code := claim.log.context.get("incentive_code"):
            expires_at = datetime.fromisoformat(claim.log.context["incentive_expires_at"])
        else:
            expires_at = now + timedelta(days=flow.voucher_days)
            code = shop.create_single_use_voucher(
                flow.program.channel_slug, flow.voucher_percent, now, expires_at, f"Win-back run {run.pk}"
            )
            claim.log.context = {"incentive_code": code, "incentive_expires_at": expires_at.isoformat()}
            claim.log.save(update_fields=["context"])
        return {
            "incentive_code": code,
            "incentive_percent": flow.voucher_percent,
            "incentive_expires": expires_at.strftime("%d/%m/%Y"),
        }
    return {}


def _tier_gift(run: FlowRun, language: str) -> dict:
    account = LoyaltyAccount.objects.select_related("tier").get(pk=run.account_id)
    tier = account.tier
    if tier is None:
        tier = next(iter(ladder(run.flow.program)), None)  # null on an account: the first tier
    if tier is None:
        return {}
    return {
        "tier": TierTranslation.objects.name_for(tier.pk, tier.name, language),
        "gift_points": tier.birthday_points or None,
        "gift_credit": f"{tier.birthday_credit:.2f}" if tier.birthday_credit else None,
        "currency": run.flow.program.currency,
    }


def _send(claim: Claim, shop, now: datetime) -> MessageLog:
    run = claim.run
    if run.flow.kind in WINBACK_KINDS.values() and ordered_since(run.account_id, run.started_at):
        stop(run, "ordered")
        return pipeline.finish(claim.log, MessageStatus.CANCELLED, "ordered between claim and send")
    channel = run.flow.program.channel_slug
    if not consent.state_for_hash(claim.log.subject_hash, channel, Medium.EMAIL).may_market:
        stop(run, "no consent")
        return pipeline.finish(claim.log, MessageStatus.CANCELLED, "consent withdrawn between claim and send")
    config = pipeline.channel_settings(channel)
    language = rendering.pick_language(run.language_code, config.default_language)
    context = {**_content(run.flow, claim.message.step, language), **_incentive(claim, shop, now)}
    if run.flow.kind in (FlowKind.BIRTHDAY, FlowKind.ANNIVERSARY):
        context.update(_tier_gift(run, language))
    message = pipeline.Outgoing(**{**claim.message.__dict__, "context": context})
    log = pipeline.deliver(message, log=claim.log, now=now, config=config)
    if log.status == MessageStatus.SENT:
        FlowRun.objects.filter(pk=run.pk).update(messages_sent=F("messages_sent") + 1, last_sent_at=now)
    return log
