"""One path for every club message: consent → render → compliance gate → deliver → log.

`deliver` never raises for a message that cannot go out: the log row says why (blocked, skipped,
failed). Cart reminders pass a pre-claimed log row; club service messages get a fresh one.
The row says SENT only once the provider accepted the message (LOGGED when the backend only logs).
A provider failure that may pass leaves it CLAIMED for the periodic retry (`leases`); a refusal, or
the last attempt, makes it FAILED with the reason. Each row is one idempotency key for the provider
(email: a stable Message-ID header; SMS: the Idempotency-Key), so a retry never sends twice.
"""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from functools import lru_cache

from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import timezone

from saleor_loyalty.messages import compliance, consent, leases, rendering, sms, unsubscribe
from saleor_loyalty.messages.config import CATEGORIES, email_timeout, message_lease, needs_marketing_consent
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
    """A decision row; a CLAIMED one is leased to the caller (its first attempt)."""
    claimed = status == MessageStatus.CLAIMED
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
        language_code=message.language_code,
        context=message.context,
        attempts=1 if claimed else 0,
        lease_until=now + message_lease() if claimed else None,
        created_at=now,
    )


def finish(
    log: MessageLog,
    status: str,
    reason: str = "",
    subject: str = "",
    sha: str = "",
    sent_at: datetime | None = None,
    provider_message_id: str = "",
    save: bool = True,
) -> MessageLog:
    """The row's final state; the lease ends with it (`save=False`: the caller writes a batch at once)."""
    log.status, log.reason, log.subject, log.content_sha256, log.sent_at = (
        status,
        reason,
        subject[:500],
        sha,
        sent_at,
    )
    log.lease_until, log.provider_message_id = None, provider_message_id
    if save:
        log.save(update_fields=FINAL_FIELDS)
    return log


FINAL_FIELDS = [
    "status",
    "reason",
    "subject",
    "content_sha256",
    "sent_at",
    "lease_until",
    "provider_message_id",
]


def _accepted(
    log: MessageLog, delivered: bool, subject: str, sha: str, now, provider_id: str = "", save=True
):
    if delivered:
        return finish(
            log, MessageStatus.SENT, "", subject, sha, sent_at=now, provider_message_id=provider_id, save=save
        )
    return finish(
        log, MessageStatus.LOGGED, "no provider configured: written to the log only", subject, sha, save=save
    )


def _provider_failed(log: MessageLog, error: Exception, permanent: bool, subject: str, sha: str, now):
    reason = f"{type(error).__name__}: {error}"[:500]
    if permanent:
        return finish(log, MessageStatus.FAILED, reason, subject, sha)
    log.subject, log.content_sha256 = subject[:500], sha
    return leases.retry_later(log, reason, now)


def _permanent_email_error(error: Exception) -> bool:
    """The SMTP server refused every recipient, or answered 5xx: resending the same mail cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600


def message_id(log: MessageLog, sender_email: str) -> str:
    """The same Message-ID for every attempt of a row: mailboxes and ESPs treat a repeat as one mail."""
    return f"<{leases.idempotency_key(log)}@{_domain(sender_email)}>"


@lru_cache(maxsize=64)
def _domain(sender_email: str) -> str:
    """The sender's domain, parsed once per sender rather than once per message of a batch."""
    return parseaddr(sender_email)[1].rpartition("@")[2] or "saleor-loyalty.invalid"


def _email_connection():
    connection = get_connection()
    if hasattr(connection, "timeout") and connection.timeout is None:
        connection.timeout = email_timeout()  # an SMTP call never hangs past the lease
    return connection


def message_context(context: dict, config: MessagingSettings, unsubscribe_url: str, language: str) -> dict:
    """What every template gets besides the message's own context: the sender, the label, the way out."""
    return {
        **context,
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
    connection=None,
) -> MessageLog:
    """`connection`: an open email connection to reuse; by default one per message (a campaign batch goes
    through `messages.batch`, which reads consent and links for the whole batch at once)."""
    if message.category not in CATEGORIES:
        raise ValueError(f"Unknown message category {message.category}")
    now = now or timezone.now()
    log = log or new_log(message, MessageStatus.CLAIMED, now)
    config = config or channel_settings(message.channel_slug)
    state = consent.state_for_hash(log.subject_hash, message.channel_slug, message.medium)
    if state.suppressed:
        return finish(log, MessageStatus.BLOCKED, "unsubscribed")
    unsubscribe_url = unsubscribe.link(message.medium, log.subject_hash)
    if message.medium == Medium.SMS:
        language = rendering.pick_language(message.language_code, config.default_language)
        context = message_context(message.context, config, unsubscribe_url, language)
        marketing = needs_marketing_consent(message.category)
        return _deliver_sms(message, log, config, marketing, state.may_market, language, context, now)
    return deliver_email(message, log, now, config, state, unsubscribe_url, connection or _email_connection())


def deliver_email(
    message: Outgoing,
    log: MessageLog,
    now: datetime,
    config: MessagingSettings,
    state: consent.ConsentState,
    unsubscribe_url: str,
    connection,
    known_keys: dict | None = None,
    save: bool = True,
    send=None,
    render=None,
) -> MessageLog:
    """One email whose consent state and unsubscribe link the caller read (`known_keys`: the link keys it read,
    so the gate checks the link without asking the database). `save=False` leaves an accepted or blocked row
    for the caller to write with its batch; a provider failure is always written at once. `send(message, log,
    config, rendered, connection)` hands over a message that passed the gate (default: Django's email);
    `render`: `rendering.render_email` or one that returns the same (a batch's `BatchRenderer`)."""
    if state.suppressed:
        return finish(log, MessageStatus.BLOCKED, "unsubscribed", save=save)
    marketing = needs_marketing_consent(message.category)
    language = rendering.pick_language(message.language_code, config.default_language)
    context = message_context(message.context, config, unsubscribe_url, language)
    rendered = (render or rendering.render_email)(message.category, language, context)
    if marketing:
        rendered.headers.update(
            {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": compliance.ONE_CLICK}
        )
    problems = compliance.check_email(
        rendered,
        marketing=marketing,
        consent_ok=state.may_market,
        country=config.country,
        language=language,
        sender_name=config.sender_name,
        sender_email=config.sender_email,
        contact_address=config.contact_address,
        unsubscribe_url=unsubscribe_url,
        known_keys=known_keys,
    )
    if problems:
        return finish(
            log, MessageStatus.BLOCKED, "; ".join(problems), rendered.subject, rendered.sha256, save=save
        )
    try:
        (send or _send_through_django)(message, log, config, rendered, connection)
    except Exception as error:  # the provider's failure is the log's business, not the caller's
        logger.exception("Email %s (log %s) failed", message.category, log.pk)
        return email_failed(log, error, rendered, now)
    return _accepted(log, True, rendered.subject, rendered.sha256, now, save=save)


def email_failed(
    log: MessageLog, error: Exception, rendered: rendering.Rendered, now: datetime
) -> MessageLog:
    """The row of an email whose send raised `error`: retried later, or FAILED when the server refused it
    for good (written at once either way)."""
    return _provider_failed(log, error, _permanent_email_error(error), rendered.subject, rendered.sha256, now)


def email_message(
    message: Outgoing, log: MessageLog, config: MessagingSettings, rendered: rendering.Rendered, connection
) -> EmailMultiAlternatives:
    """The email of a row that passed the gate, as Django sends it (`messages.lean_mime` writes the same)."""
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=f"{config.sender_name} <{config.sender_email}>",
        to=[message.address],
        reply_to=[config.reply_to or config.sender_email],
        headers={**rendered.headers, "Message-ID": message_id(log, config.sender_email)},
        connection=connection,
    )
    email.attach_alternative(rendered.html, "text/html")
    email.idempotency_key = leases.idempotency_key(
        log
    )  # for email backends that pass one on to their provider
    return email


def _send_through_django(message, log, config, rendered, connection) -> None:
    email_message(message, log, config, rendered, connection).send()


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
    backend = sms.backend()
    try:
        provider_id = backend.send(message.address, text, leases.idempotency_key(log))
    except Exception as error:  # as for email: logged on the row, retried unless refused for good
        logger.exception("SMS %s (log %s) failed", message.category, log.pk)
        return _provider_failed(log, error, isinstance(error, sms.SmsRejected), text[:100], sha, now)
    return _accepted(log, backend.delivers, text[:100], sha, now, provider_id)
