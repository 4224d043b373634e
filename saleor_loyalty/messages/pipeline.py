"""One path for every club message: consent → render → compliance gate → deliver → log.

`deliver` never raises for a message that cannot go out: the log row says why (blocked, skipped,
failed). Cart reminders pass a pre-claimed log row; club service messages get a fresh one.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from saleor_loyalty.messages import compliance, consent, rendering, sms, unsubscribe
from saleor_loyalty.messages.config import CATEGORIES, needs_marketing_consent
from saleor_loyalty.models import Medium, MessageLog, MessageStatus, MessagingSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    category: str
    medium: str
    channel_slug: str
    address: str
    language_code: str = ""
    context: dict = field(default_factory=dict)
    checkout_token: object = None
    step: int | None = None


def channel_settings(channel_slug: str) -> MessagingSettings:
    """The channel's messaging settings; unsaved defaults when the merchant has set none."""
    return MessagingSettings.objects.filter(channel_slug=channel_slug).first() or MessagingSettings(
        channel_slug=channel_slug
    )


def new_log(
    message: Outgoing, status: str, now: datetime, *, claim_key: str | None = None, reason: str = ""
) -> MessageLog:
    return MessageLog.objects.create(
        category=message.category,
        medium=message.medium,
        channel_slug=message.channel_slug,
        is_marketing=needs_marketing_consent(message.category),
        recipient=message.address[:254],
        subject_hash=consent.subject_hash(message.medium, message.address)
        if consent.normalize_address(message.medium, message.address)
        else "",
        checkout_token=message.checkout_token,
        step=message.step,
        claim_key=claim_key,
        status=status,
        reason=reason,
        created_at=now,
    )


def finish(
    log: MessageLog,
    status: str,
    reason: str = "",
    subject: str = "",
    sha: str = "",
    sent_at: datetime | None = None,
) -> MessageLog:
    log.status, log.reason, log.subject, log.content_sha256, log.sent_at = (
        status,
        reason,
        subject[:500],
        sha,
        sent_at,
    )
    log.save(update_fields=["status", "reason", "subject", "content_sha256", "sent_at"])
    return log


def _context(message: Outgoing, config: MessagingSettings, unsubscribe_url: str, language: str) -> dict:
    return {
        **message.context,
        "ad_label": compliance.required_label(config.country, language),
        "sender_name": config.sender_name,
        "contact_address": config.contact_address,
        "reply_to": config.reply_to or config.sender_email,
        "unsubscribe_url": unsubscribe_url,
    }


def deliver(
    message: Outgoing,
    log: MessageLog | None = None,
    now: datetime | None = None,
    config: MessagingSettings | None = None,
) -> MessageLog:
    if message.category not in CATEGORIES:
        raise ValueError(f"Unknown message category {message.category}")
    now = now or timezone.now()
    log = log or new_log(message, MessageStatus.CLAIMED, now)
    config = config or channel_settings(message.channel_slug)
    marketing = needs_marketing_consent(message.category)
    state = consent.state_for_hash(log.subject_hash, message.channel_slug, message.medium)
    if state.suppressed:
        return finish(log, MessageStatus.BLOCKED, "unsubscribed")
    consent_ok = state.may_market
    language = rendering.pick_language(message.language_code, config.default_language)
    unsubscribe_url = unsubscribe.link(message.medium, log.subject_hash)
    context = _context(message, config, unsubscribe_url, language)
    if message.medium == Medium.SMS:
        return _deliver_sms(message, log, config, marketing, consent_ok, language, context, now)
    rendered = rendering.render_email(message.category, language, context)
    if marketing:
        rendered.headers.update(
            {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": compliance.ONE_CLICK}
        )
    problems = compliance.check_email(
        rendered,
        marketing=marketing,
        consent_ok=consent_ok,
        country=config.country,
        language=language,
        sender_name=config.sender_name,
        sender_email=config.sender_email,
        contact_address=config.contact_address,
        unsubscribe_url=unsubscribe_url,
    )
    if problems:
        return finish(log, MessageStatus.BLOCKED, "; ".join(problems), rendered.subject, rendered.sha256)
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=f"{config.sender_name} <{config.sender_email}>",
        to=[message.address],
        reply_to=[config.reply_to or config.sender_email],
        headers=rendered.headers,
    )
    email.attach_alternative(rendered.html, "text/html")
    try:
        email.send()
    except Exception as error:  # the provider's failure is the log's business, not the caller's
        logger.exception("Email %s to %s failed", message.category, message.address)
        return finish(log, MessageStatus.FAILED, str(error)[:500], rendered.subject, rendered.sha256)
    return finish(log, MessageStatus.SENT, "", rendered.subject, rendered.sha256, sent_at=now)


def _deliver_sms(message, log, config, marketing, consent_ok, language, context, now) -> MessageLog:
    text = rendering.render_sms(message.category, language, context)
    problems = compliance.check_sms(
        text,
        marketing=marketing,
        consent_ok=consent_ok,
        country=config.country,
        language=language,
        sender_name=config.sender_name,
        unsubscribe_url=context["unsubscribe_url"],
    )
    sha = rendering.Rendered(subject="", text=text, html="").sha256
    if problems:
        return finish(log, MessageStatus.BLOCKED, "; ".join(problems), text[:100], sha)
    try:
        sms.backend().send(message.address, text)
    except Exception as error:
        logger.exception("SMS %s to %s failed", message.category, message.address)
        return finish(log, MessageStatus.FAILED, str(error)[:500], text[:100], sha)
    return finish(log, MessageStatus.SENT, "", text[:100], sha, sent_at=now)
