"""Club news from what the club recorded: points earned, tier upgrades, cashback and actions credited,
referral rewards and badges earned, each told once.

Points earned are told right after the order's ledger row commits (`tell_points_earned`); a
messaging failure is logged and never reaches the points.

The facts are append-only rows (`TierEvent`, `CreditEntry`, referral and ACTION `LedgerEntry` rows), so the job only has to walk them by id
from a cursor; it starts at the newest row the first time, so switching it on never mails history.
One worker at a time (single-runner lock); the cursor moves in the transaction that claims each
row's message, which is delivered after commit (a crash in between leaves a claim the messaging beat
retries); consent, the §30A gate, caps, quiet hours and Shabbat apply there.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from saleor_loyalty.core.facts import OrderFacts
from saleor_loyalty.core.jobs import JobRun, single_runner
from saleor_loyalty.messages import club, pipeline, rendering
from saleor_loyalty.models import (
    BadgeAward,
    ClubAction,
    CreditEntry,
    CreditKind,
    EntryKind,
    JobCursor,
    LedgerEntry,
    LoyaltyProgram,
    Medium,
    MessagingSettings,
    TierCause,
    TierEvent,
    TierTranslation,
)

logger = logging.getLogger(__name__)

NEWS_JOB = "club-news"
UPGRADES = (TierCause.ORDER_UPGRADE, TierCause.ADJUSTMENT_UPGRADE, TierCause.EVALUATION_UPGRADE)


def _channels_with_club_news() -> set[str]:
    """Channels that switched club news on, less those whose club program is switched off."""
    return (
        set(
            MessagingSettings.objects.filter(club_messages_enabled=True).values_list(
                "channel_slug", flat=True
            )
        )
        - LoyaltyProgram.paused_channels()
    )


def _walk(name: str, rows, message_for, channels: set[str], now: datetime, limit: int, run: JobRun) -> None:
    cursor, created = JobCursor.objects.get_or_create(name=name)
    if created:
        cursor.last_id = rows.aggregate(newest=Max("id"))["newest"] or 0
        cursor.save(update_fields=["last_id", "updated_at"])
    for row in rows.filter(id__gt=cursor.last_id).select_related("account__program").order_by("id")[:limit]:
        run.seen += 1
        account, claimed = row.account, None
        with transaction.atomic():  # the claim and the cursor move together: a crash never tells twice
            if account.email and account.program.channel_slug in channels:
                message = message_for(row, account.program.channel_slug, account.email)
                claimed = (message, club.claim(message, now))
                run.written += 1
            cursor.last_id = row.id
            cursor.save(update_fields=["last_id", "updated_at"])
        if claimed is not None:
            club.deliver(*claimed, now)


def _tier_upgrade(event: TierEvent, channel_slug: str, email: str) -> pipeline.Outgoing:
    return pipeline.Outgoing(
        category="tier_upgrade",
        medium=Medium.EMAIL,
        channel_slug=channel_slug,
        address=email,
        context={
            "tier": TierTranslation.objects.name_for(
                event.to_tier_id,
                event.to_tier_name,
                rendering.pick_language("", pipeline.channel_settings(channel_slug).default_language),
            )
        },
    )


def _cashback_credited(entry: CreditEntry, channel_slug: str, email: str) -> pipeline.Outgoing:
    """A credit row's `card_amount` is what went on the card (its `amount`, the claim, is 0: earned before)."""
    return pipeline.Outgoing(
        category="cashback_credited",
        medium=Medium.EMAIL,
        channel_slug=channel_slug,
        address=email,
        context={"amount": f"{entry.card_amount:.2f}", "currency": entry.currency},
    )


def _referral_rewarded(entry: LedgerEntry, channel_slug: str, email: str) -> pipeline.Outgoing:
    """The referrer's reward row (`referral:<id>`, written once): the points and the new balance."""
    return pipeline.Outgoing(
        category="referral_rewarded",
        medium=Medium.EMAIL,
        channel_slug=channel_slug,
        address=email,
        context={"points": entry.points, "code": entry.detail.get("code", "")},
    )


def _action_credited(entry: LedgerEntry, channel_slug: str, email: str) -> pipeline.Outgoing:
    """An action's award (a review, a share): its name in both languages, the template picks one."""
    action = ClubAction.objects.filter(
        program_id=entry.account.program_id, key=entry.detail.get("action")
    ).first()
    name_en = action.name_en if action else entry.reason
    return pipeline.Outgoing(
        category="action_credited",
        medium=Medium.EMAIL,
        channel_slug=channel_slug,
        address=email,
        context={
            "points": entry.points,
            "action_en": name_en,
            "action_he": (action.name_he or name_en) if action else name_en,
        },
    )


def _badge_earned(award: BadgeAward, channel_slug: str, email: str) -> pipeline.Outgoing:
    """Both names go along; the template of the language the pipeline picks shows its own."""
    badge = award.badge
    return pipeline.Outgoing(
        category="badge_earned",
        medium=Medium.EMAIL,
        channel_slug=channel_slug,
        address=email,
        context={"badge": badge.name, "badge_he": badge.name_he or badge.name},
    )


def tell_points_earned(order: OrderFacts, entry: LedgerEntry, now: datetime) -> None:
    """The order's earn, told once to the buyer where the channel has club news on (the earn row is
    written once, so this runs once per order)."""
    if not order.email:
        return
    try:
        if not MessagingSettings.objects.filter(
            channel_slug=order.channel_slug, club_messages_enabled=True
        ).exists():
            return
        entry.account.refresh_from_db(fields=["balance"])
        club.send(
            pipeline.Outgoing(
                category="points_earned",
                medium=Medium.EMAIL,
                channel_slug=order.channel_slug,
                address=order.email,
                language_code=order.language_code,
                context={
                    "points": entry.points,
                    "balance": entry.account.balance,
                    "order_number": order.number,
                },
            ),
            now,
        )
    except Exception:
        logger.exception("Points-earned message for order %s failed", order.order_id)


def send_club_news(now: datetime | None = None, limit: int = 200) -> JobRun:
    now = now or timezone.now()
    run = JobRun()
    with single_runner(NEWS_JOB) as mine:
        if mine:
            channels = _channels_with_club_news()
            _walk(
                f"{NEWS_JOB}:tier",
                TierEvent.objects.filter(cause__in=UPGRADES),
                _tier_upgrade,
                channels,
                now,
                limit,
                run,
            )
            _walk(
                f"{NEWS_JOB}:cashback",
                CreditEntry.objects.filter(kind=CreditKind.CASHBACK_CREDIT),
                _cashback_credited,
                channels,
                now,
                limit,
                run,
            )
            _walk(
                f"{NEWS_JOB}:referral",
                LedgerEntry.objects.filter(kind=EntryKind.REFERRAL_REWARD),
                _referral_rewarded,
                channels,
                now,
                limit,
                run,
            )
            _walk(
                f"{NEWS_JOB}:action",
                LedgerEntry.objects.filter(kind=EntryKind.ACTION),
                _action_credited,
                channels,
                now,
                limit,
                run,
            )
            _walk(
                f"{NEWS_JOB}:badge",
                BadgeAward.objects.select_related("badge"),
                _badge_earned,
                channels,
                now,
                limit,
                run,
            )
    return run
