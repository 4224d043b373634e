"""Many claimed emails of one channel delivered over one open connection, in a constant number of queries.

The same rules as `pipeline.deliver`, read for the whole batch at once just before sending: consent and
suppression (one query: an unsubscribe after the claim still stops the message) and the unsubscribe
links (one read). Each message is rendered, passes the §30A gate and goes out with its row's stable
Message-ID; the accepted and blocked rows are written in one statement at the end. A worker that dies
before that statement leaves its rows CLAIMED: the lease runs out and the messaging beat sends them again
under the same Message-ID, so the mailbox sees one mail (at least once, never a second distinct mail).
"""

from datetime import datetime

from saleor_loyalty.core import bulk
from saleor_loyalty.messages import consent, pipeline, unsubscribe
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
    done, finished = [], []
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
        )
        done.append(log)
        if log.status != MessageStatus.CLAIMED:  # a retryable failure was written with its new lease
            finished.append(log)
    bulk.update_rows(finished, pipeline.FINAL_FIELDS)
    return done
