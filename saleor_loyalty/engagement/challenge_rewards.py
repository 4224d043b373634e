"""Completing a challenge: one completion row, its points and its badge, each once, under the account lock.

Evaluation runs for one member on each order event (`evaluate_member`, from `tasks.sync_order_task`)
and for the members a pass of the beat job visits (`challenge_passes`). Both compute progress from the facts
without a lock, then lock only the members with something newly reached. The completion is keyed by
(challenge, member, window) in a unique constraint and the points row by
`challenge:<challenge>:<account>:<window>` in the ledger's, so replays, two workers and concurrent
order events reward once. A challenge archived or switched off meanwhile is re-read under the lock.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from saleor_loyalty.core.facts import OrderFacts
from saleor_loyalty.engagement.badges import BADGE_AWARD_UNIQUE
from saleor_loyalty.engagement.challenges import (
    Progress,
    member_progress,
)
from saleor_loyalty.ledger.accounts import effective_account
from saleor_loyalty.ledger.awards import Award, append_awards, lock_accounts
from saleor_loyalty.ledger.orders import earn_source_key
from saleor_loyalty.models import (
    BadgeAward,
    Challenge,
    ChallengeCompletion,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    OrderCategories,
)

LATE_EVENT_GRACE_DAYS = 7  # the beat job still completes fixed windows this long after they end
COMPLETION_UNIQUE = "loyalty_challenge_completion_uniq"


def challenge_source_key(challenge_id: int, account_id: int, key: str) -> str:
    return f"challenge:{challenge_id}:{account_id}:{key}"


@dataclass(frozen=True)
class Completed:
    """A completion this call recorded (a model instance per row would cost a batch more than its SQL)."""

    id: int
    challenge_id: int
    account_id: int
    window_key: str
    points: int


def due(progresses) -> list[Progress]:
    """What the member reached and has not completed yet."""
    return [item for item in progresses if item.completed_at is None and item.reached]


_COMPLETE_SQL = f"""
INSERT INTO {ChallengeCompletion._meta.db_table} (challenge_id, account_id, window_key, points, completed_at)
SELECT v.challenge, v.account, v.key, v.points, %(now)s
FROM jsonb_to_recordset(%(rows)s::jsonb) AS v(challenge bigint, account bigint, key text, points int)
ON CONFLICT ON CONSTRAINT {COMPLETION_UNIQUE} DO NOTHING
RETURNING id, challenge_id, account_id, window_key, points
"""
_BADGES_SQL = f"""
INSERT INTO {BadgeAward._meta.db_table} (badge_id, account_id, challenge_id, earned_at)
SELECT DISTINCT ON (v.badge, v.account) v.badge, v.account, v.challenge, %(now)s
FROM jsonb_to_recordset(%(rows)s::jsonb) AS v(badge bigint, account bigint, challenge bigint)
ORDER BY v.badge, v.account, v.challenge
ON CONFLICT ON CONSTRAINT {BADGE_AWARD_UNIQUE} DO NOTHING
"""


def complete(reached: dict[int, list[Progress]], now: datetime) -> list[Completed]:
    """Record what members newly reached, set-based: completions, then their points and badges, each once.

    The accounts are locked first (pk order); a completion already there (a replay, another worker)
    is skipped by its unique constraint and gives nothing again. Call inside a transaction or not.
    """
    items = [item for progresses in reached.values() for item in progresses]
    with transaction.atomic():
        lock_accounts(reached)
        live = set(
            Challenge.objects.filter(
                pk__in={item.challenge.pk for item in items}, is_active=True, archived_at__isnull=True
            ).values_list("pk", flat=True)
        )
        rows = [(account_id, item) for account_id, progresses in reached.items() for item in progresses]
        rows = [(account_id, item) for account_id, item in rows if item.challenge.pk in live]
        if not rows:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                _COMPLETE_SQL,
                {
                    "now": now,
                    "rows": json.dumps(
                        [
                            {
                                "challenge": item.challenge.pk,
                                "account": account_id,
                                "key": item.window_key,
                                "points": item.challenge.reward_points,
                            }
                            for account_id, item in rows
                        ]
                    ),
                },
            )
            done = [Completed(*row) for row in cursor.fetchall()]
            challenges = {item.challenge.pk: item.challenge for _, item in rows}
            append_awards(
                EntryKind.CHALLENGE,
                [
                    Award(
                        c.account_id,
                        c.points,
                        challenge_source_key(c.challenge_id, c.account_id, c.window_key),
                        f"Challenge completed: {challenges[c.challenge_id].name}",
                        {"challenge": c.challenge_id, "window": c.window_key},
                    )
                    for c in done
                ],
                now,
            )
            badged = [c for c in done if challenges[c.challenge_id].badge_id]
            if badged:
                cursor.execute(
                    _BADGES_SQL,
                    {
                        "now": now,
                        "rows": json.dumps(
                            [
                                {
                                    "badge": challenges[c.challenge_id].badge_id,
                                    "account": c.account_id,
                                    "challenge": c.challenge_id,
                                }
                                for c in badged
                            ]
                        ),
                    },
                )
    return done


def evaluate_member(program: LoyaltyProgram, account: LoyaltyAccount, now: datetime | None = None):
    """Complete whatever the member reached; two queries when nothing is newly reached."""
    now = now or timezone.now()
    if not program.gives_value():
        return []
    reached = due(member_progress(program, account, now, LATE_EVENT_GRACE_DAYS))
    return complete({account.pk: reached}, now) if reached else []


_CATEGORIES_SQL = f"""
INSERT INTO {OrderCategories._meta.db_table} AS c (order_id, account_id, category_ids, recorded_at)
VALUES (%(order)s, %(account)s, %(categories)s, %(now)s)
ON CONFLICT (order_id) DO UPDATE SET account_id = EXCLUDED.account_id
WHERE c.account_id IS NULL AND EXCLUDED.account_id IS NOT NULL
"""


def record_order_categories(facts: OrderFacts, category_ids, account_id: int | None) -> None:
    """The categories of a paid order's lines, once per order (the ledger does not keep them), on the
    account holding the order's earn; a row recorded before the earn existed gets that account now
    (this hook runs after every ledger sync of the order, so the one that wrote the earn fills it in)."""
    if facts.is_paid and category_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                _CATEGORIES_SQL,
                {
                    "order": facts.order_id,
                    "account": account_id,
                    "categories": sorted(set(category_ids)),
                    "now": timezone.now(),
                },
            )


def on_order(facts: OrderFacts, category_ids=(), now: datetime | None = None) -> list[Completed]:
    """After the ledger synced an order: record its categories, then evaluate the member holding it."""
    earn = (
        LedgerEntry.objects.filter(kind=EntryKind.EARN, source_key=earn_source_key(facts.order_id))
        .select_related("account__program")
        .first()
    )
    record_order_categories(facts, category_ids, earn and earn.account_id)
    if earn is None:
        return []
    holder = effective_account(earn.account)
    return evaluate_member(holder.program, holder, now)
