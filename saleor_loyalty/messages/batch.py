"""Many claimed emails of one channel delivered over one open connection, in a constant number of queries.

The same rules as `pipeline.deliver`, read for the whole batch at once just before sending: consent and
suppression (one query: an unsubscribe after the claim still stops the message) and the unsubscribe
links (one read). Each message is rendered, passes the §30A gate and goes out with its row's stable
Message-ID (over an open SMTP connection its bytes are written by `lean_mime`, the same bytes Django makes,
and handed to the connection's `sendmail`); the accepted and blocked rows are written in one statement at the end. A worker that dies
before that statement leaves its rows CLAIMED: the lease runs out and the messaging beat sends them again
under the same Message-ID, so the mailbox sees one mail (at least once, never a second distinct mail).
"""

import queue
import threading
from datetime import datetime

from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from saleor_loyalty.core import bulk
from saleor_loyalty.messages import consent, lean_mime, pipeline, unsubscribe
from saleor_loyalty.models import Medium, MessageLog, MessageStatus, MessagingSettings

STREAM_DEPTH = 64  # messages rendered ahead of the SMTP session at most


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
    stream = SmtpStream.start(connection, config)
    try:
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
                send=stream and stream.send,
            )
            done.append(log)
    finally:
        failures = stream.finish() if stream else {}
    for log in done:
        if log.pk in failures:
            pipeline.failed_after_hand_over(log, failures[log.pk], now)
    # a retryable failure was written with its new lease (and stays CLAIMED); the rest are written at once
    bulk.update_rows([log for log in done if log.status != MessageStatus.CLAIMED], pipeline.FINAL_FIELDS)
    return done


class SmtpStream:
    """The batch's SMTP session in a thread of its own: while it waits for the server's replies to one
    message, the worker renders and gates the next (the GIL is free during socket waits), so a batch costs
    about the larger of the two, not their sum. Each message's bytes come from `lean_mime`; a failure is
    kept by row and handed back by `finish`, after which the rows are written as a synchronous send would."""

    def __init__(self, smtp, writer: lean_mime.Writer):
        self.smtp, self.writer = smtp, writer
        self.queue: queue.Queue = queue.Queue(maxsize=STREAM_DEPTH)
        self.failures: dict[int, Exception] = {}
        self.thread = threading.Thread(target=self._run, name="loyalty-smtp", daemon=True)

    @classmethod
    def start(cls, connection, config: MessagingSettings):
        """A running stream on `connection`'s open SMTP session; None (Django sends each message) for any
        other backend, or one that swallows failures (the row must learn of them)."""
        smtp = getattr(connection, "connection", None)
        if not isinstance(connection, SmtpBackend) or smtp is None or connection.fail_silently:
            return None
        from_email = f"{config.sender_name} <{config.sender_email}>"
        try:
            writer = lean_mime.Writer(from_email, config.reply_to or config.sender_email)
        except ValueError:  # an address Django refuses: each message fails on its row the regular way
            return None
        stream = cls(smtp, writer)
        stream.thread.start()
        return stream

    def send(self, message, log, config, rendered, connection) -> None:
        """`pipeline.deliver_email`'s hand-over: the bytes are queued; Django's own path for what `lean_mime`
        cannot write exactly (sent in order, after the queue drained)."""
        headers = {**rendered.headers, "Message-ID": pipeline.message_id(log, config.sender_email)}
        try:
            data = self.writer.message(
                rendered.subject, message.address, rendered.text, rendered.html, headers
            )
        except lean_mime.Unsupported:
            self.queue.join()
            pipeline.email_message(message, log, config, rendered, connection).send()
            return
        self.queue.put((log.pk, self.writer.envelope_to(message.address), data))

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            pk, recipients, data = item
            try:
                self.smtp.sendmail(self.writer.envelope_from, recipients, data)
            except Exception as error:  # kept for the row; the next messages still try the session
                self.failures[pk] = error
            finally:
                self.queue.task_done()

    def finish(self) -> dict[int, Exception]:
        """Wait for every queued message; the failures by row id."""
        self.queue.put(None)
        self.thread.join()
        return self.failures
