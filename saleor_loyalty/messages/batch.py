"""Many claimed emails of one channel delivered over one open connection, in a constant number of queries.

The same rules as `pipeline.deliver`, read for the whole batch at once just before sending: consent and
suppression (one query: an unsubscribe after the claim still stops the message) and the unsubscribe
links (one read). Each message is rendered (by one `BatchRenderer` for the batch: the same bytes as
Django's render), passes the §30A gate and gets its row's stable Message-ID. Over an open SMTP connection
its bytes are written by `lean_mime` (the same bytes Django makes) and the batch's messages then go to the
session's `sendmail` back to back (`Outbox`); the accepted and blocked rows are written in one statement at
the end. A worker that dies before that statement leaves its rows CLAIMED: the lease runs out and the
messaging beat sends them again under the same Message-ID, so the mailbox sees one mail (at least once,
never a second distinct mail).
"""

import logging
from datetime import datetime
from functools import partial

from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from saleor_loyalty.core import bulk
from saleor_loyalty.messages import consent, lean_mime, pipeline, unsubscribe
from saleor_loyalty.messages.batch_rendering import BatchRenderer
from saleor_loyalty.models import Medium, MessageLog, MessageStatus, MessagingSettings

logger = logging.getLogger(__name__)


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
    outbox = smtp_outbox(connection, config)
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
            send=outbox.add if outbox else None,
            render=render,
        )
        done.append(log)
    if outbox:
        outbox.transmit(now)
    # a retryable failure was written with its new lease (and stays CLAIMED); the rest are written at once
    bulk.update_rows([log for log in done if log.status != MessageStatus.CLAIMED], pipeline.FINAL_FIELDS)
    return done


class Outbox:
    """A batch's emails that passed the gate, written to an open SMTP session back to back once all are made.

    Rendering a message between two SMTP conversations left the server idle for that time, and on a busy
    machine the next command's round trip waited for it to be scheduled again (MAIL took about three times
    as long as RCPT); made first and then sent in one run, the conversations follow each other as in a raw
    smtplib loop. A row passed to `add` reads accepted until `transmit` has sent it: it is written only after
    `transmit`, which turns a failed send into that row's failure (retried, or FAILED when refused for good),
    as `pipeline.deliver_email` does when it sends itself. The session stays in the worker's thread: in a
    thread of its own, each of its round trips waited for the GIL behind the rendering of the next message.
    """

    def __init__(self, smtp, writer: lean_mime.Writer):
        self.smtp, self.writer = smtp, writer
        self.queued: list = []  # (log, its final fields before it read accepted, rendered, a send callable)

    def add(self, message, log, config, rendered, connection) -> None:
        """A `send` for `pipeline.deliver_email`: the message's bytes, kept for `transmit`."""
        headers = {**rendered.headers, "Message-ID": pipeline.message_id(log, config.sender_email)}
        before = {name: getattr(log, name) for name in pipeline.FINAL_FIELDS}
        try:
            data = self.writer.message(
                rendered.subject, message.address, rendered.text, rendered.html, headers
            )
        except lean_mime.Unsupported:
            send = pipeline.email_message(message, log, config, rendered, connection).send
        else:
            send = partial(
                self.smtp.sendmail, self.writer.envelope_from, self.writer.envelope_to(message.address), data
            )
        self.queued.append((log, before, rendered, send))

    def transmit(self, now: datetime) -> None:
        queued, self.queued = self.queued, []
        for log, before, rendered, send in queued:
            try:
                send()
            except Exception as error:  # as in `pipeline.deliver_email`: the row's business, not the batch's
                logger.exception("Email %s (log %s) failed", log.category, log.pk)
                for name, value in before.items():  # the row as it was when its send was attempted
                    setattr(log, name, value)
                pipeline.email_failed(log, error, rendered, now)


def smtp_outbox(connection, config: MessagingSettings) -> Outbox | None:
    """An `Outbox` writing `lean_mime`'s bytes straight to `connection`'s open SMTP session; None (Django sends
    each message as it passes the gate) for any other backend, one that swallows failures (the row must
    learn of them), or a sender address Django refuses (each message then fails on its row the regular way)."""
    smtp = getattr(connection, "connection", None)
    if not isinstance(connection, SmtpBackend) or smtp is None or connection.fail_silently:
        return None
    try:
        writer = lean_mime.Writer(
            f"{config.sender_name} <{config.sender_email}>", config.reply_to or config.sender_email
        )
    except ValueError:
        return None
    return Outbox(smtp, writer)
