"""Club news "action credited": told once, after the award's row committed, through the consent-aware pipeline.

The award row is written once (its source key is unique), and this runs from that transaction's on-commit,
so a replayed action tells nothing. A messaging failure is logged and never reaches the points.
"""

import logging

from django.utils import timezone

from saleor_loyalty.messages import club, pipeline
from saleor_loyalty.models import ClubAction, LedgerEntry, Medium, MessagingSettings

logger = logging.getLogger(__name__)
CATEGORY = "action_credited"


def tell_action_credited(entry_id: int) -> None:
    try:
        entry = LedgerEntry.objects.select_related("account__program").get(pk=entry_id)
        account, program = entry.account, entry.account.program
        if not account.email or not program.gives_value():
            return
        if not MessagingSettings.objects.filter(
            channel_slug=program.channel_slug, club_messages_enabled=True
        ).exists():
            return
        action = ClubAction.objects.filter(program=program, key=entry.detail.get("action")).first()
        account.refresh_from_db(fields=["balance"])
        club.send(
            pipeline.Outgoing(
                category=CATEGORY,
                medium=Medium.EMAIL,
                channel_slug=program.channel_slug,
                address=account.email,
                context={
                    "points": entry.points,
                    "balance": account.balance,
                    "action_en": action.name_en if action else entry.reason,
                    "action_he": (action.name_he or action.name_en) if action else entry.reason,
                },
            ),
            timezone.now(),
        )
    except Exception:
        logger.exception("Action-credited message for ledger row %s failed", entry_id)
