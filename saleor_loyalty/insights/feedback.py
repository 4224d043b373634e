"""What a mail provider tells us about a message we sent: a spam complaint, a bounce, an unsubscribe.

Invariant: one notice per (message, kind) is ever recorded (`loyalty_feedback_notice_uniq`), and its
effects happen in the transaction that inserted it, so a provider posting the same notice twice (SNS
retries, a replayed webhook) counts once. A complaint, a hard bounce and an unsubscribe suppress the
person's email everywhere (reasons "complaint", "bounce", "unsubscribed"); a soft bounce (a full mailbox)
is only counted. A campaign message's notice is also a tracking event of its variant, so results show it.

The message is named by our own Message-ID (`pipeline.message_id`), whose local part carries the log row
and an HMAC tag of it: a notice naming anything else is refused before the database is asked.
"""

import re
from datetime import datetime

from django.db import connection, transaction

from saleor_loyalty.insights import tracking
from saleor_loyalty.messages import consent, leases
from saleor_loyalty.models import CampaignRecipient, FeedbackNotice, Medium, MessageLog, TrackingKind

COMPLAINT, BOUNCE, SOFT_BOUNCE, UNSUBSCRIBE = "complaint", "bounce", "soft_bounce", "unsubscribe"
KINDS = (COMPLAINT, BOUNCE, SOFT_BOUNCE, UNSUBSCRIBE)
SUPPRESSING = {COMPLAINT: "complaint", BOUNCE: "bounce", UNSUBSCRIBE: "unsubscribed"}
TRACKED = {
    COMPLAINT: TrackingKind.COMPLAINT,
    BOUNCE: TrackingKind.BOUNCE,
    SOFT_BOUNCE: TrackingKind.SOFT_BOUNCE,
}
_MESSAGE_ID = re.compile(r"<?([A-Za-z0-9-]{1,64})@[^<>@\s]{1,255}>?")
_INSERT = (
    f"INSERT INTO {FeedbackNotice._meta.db_table} (message_id, kind, source, received_at) "
    "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id"
)


class FeedbackRefused(Exception):
    """A notice that cannot be taken: `status` and `code` are what the endpoint answers, nothing written."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def message_pk(message_id: str) -> int:
    """Our log row named by a Message-ID header value (with or without the angle brackets)."""
    found = _MESSAGE_ID.fullmatch((message_id or "").strip())
    pk = leases.message_pk(found.group(1)) if found else None
    if pk is None:
        raise FeedbackRefused(404, "unknown_message", "The Message-ID is not one of ours.")
    return pk


def record(message_id: str, kind: str, source: str, now: datetime, emails: tuple[str, ...] = ()) -> bool:
    """Record the notice; False when it was recorded before. `emails`: the addresses the provider names,
    one of which must be the message's own recipient (a notice cannot suppress somebody else)."""
    if kind not in KINDS:
        raise FeedbackRefused(400, "invalid_event", f"The event is one of {', '.join(KINDS)}.")
    pk = message_pk(message_id)
    log = MessageLog.objects.filter(pk=pk).values("medium", "subject_hash").first()
    if log is None:
        raise FeedbackRefused(404, "unknown_message", "No such message.")
    if log["medium"] != Medium.EMAIL:
        raise FeedbackRefused(422, "not_email", "The message was not an email.")
    named = {consent.subject_hash(Medium.EMAIL, email) for email in emails if email.strip()}
    if emails and log["subject_hash"] not in named:
        raise FeedbackRefused(422, "recipient_mismatch", "The address is not the message's recipient.")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_INSERT, [pk, kind, source, now])
            if cursor.fetchone() is None:
                return False
        if kind in SUPPRESSING and log["subject_hash"]:
            consent.suppress_hash(log["subject_hash"], Medium.EMAIL, reason=SUPPRESSING[kind], at=now)
        recipient = (
            CampaignRecipient.objects.filter(message_id=pk).values("campaign_id", "variant_id").first()
        )
        if recipient is not None and kind in TRACKED:
            tracking.record_event(
                TRACKED[kind], pk, recipient["campaign_id"], recipient["variant_id"], None, now
            )
    return True
