"""Many claimed emails of one channel delivered over one open connection, in a constant number of queries.

The same rules as `pipeline.deliver`, read for the whole batch at once just before sending: consent and
suppression (one query: an unsubscribe after the claim still stops the message) and the unsubscribe
links (one read). Each message is rendered, passes the §30A gate and goes out with its row's stable
Message-ID (over an open SMTP connection its bytes are written by `lean_mime`, the same bytes Django
makes, and handed to the session's `sendmail`); the accepted and blocked rows are written in one statement
at the end. A worker that dies before that statement leaves its rows CLAIMED: the lease runs out and the messaging beat sends them again
under the same Message-ID, so the mailbox sees one mail (at least once, never a second distinct mail).
"""

from datetime import datetime

from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from saleor_loyalty.core import bulk
from saleor_loyalty.messages import consent, lean_mime, pipeline, unsubscribe
from saleor_loyalty.messages.batch_rendering import BatchRenderer
from saleor_loyalty.models import Medium, MessageLog, MessageStatus, MessagingSettings


def deliver_emails(
    batch: list[tuple[pipeline.Outgoing, MessageLog]], now: datetime, config: MessagingSettings, connection
) -> list[MessageLog]:
    """Deliver `batch` (messages with their CLAIMED rows, all of `config`'s channel) over `connection`."""
    if not batch:
        return []
    subjects = [log.subject_hash for _, log in batch]
    states = consent.states_for_hashes(subjects, config.channel_slug, Medium.EMAIL)
    urls, known_keys = unsubscribe.links(Medium.EMAIL, subjects)
    done = []
    send = smtp_sender(connection, config)
    render = BatchRenderer().render_email
    for message, log in batch:
        if message.medium != Medium.EMAIL or message.channel_slug != config.channel_slug:
            raise ValueError("A batch holds emails of one channel.")
        log = pipeline.deliver_email(
            message,
            log,
            now,
            config,
            states[log.subject_hash],
            urls[log.subject_hash],
            connection,
            known_keys=known_keys,
            save=False,
            send=send,
            render=render,
        )
        done.append(log)
    # a retryable failure was written with its new lease (and stays CLAIMED); the rest are written at once
    bulk.update_rows([log for log in done if log.status != MessageStatus.CLAIMED], pipeline.FINAL_FIELDS)
    return done


def smtp_sender(connection, config: MessagingSettings):
    """A `send` for `pipeline.deliver_email` writing `lean_mime`'s bytes straight to `connection`'s open SMTP
    session; None (Django sends) for any other backend, one that swallows failures (the row must learn of
    them), or a sender address Django refuses (each message then fails on its row the regular way).

    The session stays in the worker's thread: in a thread of its own, each of its four round trips per
    message waited for the GIL behind the rendering of the next message and the batch got slower."""
    smtp = getattr(connection, "connection", None)
    if not isinstance(connection, SmtpBackend) or smtp is None or connection.fail_silently:
        return None
    try:
        writer = lean_mime.Writer(
            f"{config.sender_name} <{config.sender_email}>", config.reply_to or config.sender_email
        )
    except ValueError:
        return None

    def send(message, log, config, rendered, connection) -> None:
        headers = {**rendered.headers, "Message-ID": pipeline.message_id(log, config.sender_email)}
        try:
            data = writer.message(rendered.subject, message.address, rendered.text, rendered.html, headers)
        except lean_mime.Unsupported:
            pipeline.email_message(message, log, config, rendered, connection).send()
            return
        smtp.sendmail(writer.envelope_from, writer.envelope_to(message.address), data)

    return send
