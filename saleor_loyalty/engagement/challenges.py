"""Challenge progress, derived from the ledger and recorded facts: never a counter of its own that could drift.

A member's facts are read in one statement for any number of members (`member_facts`):
- orders: earn rows (one per paid order) with their net spend and whether they still count (not fully
  refunded or cancelled), by the same refunded-share rule tiers use, plus the categories recorded for
  the order (`OrderCategories`); a guest account merged into the member counts as the member's own;
- actions: the award rows `engagement.actions` writes (kind ACTION, `detail = {"action": <kind>,
  "object": <id>}`), once per object; the actions code never reverses an award (staff corrections are
  ADJUSTMENT rows, not tied to an action), and only rows that gave points count;
- completions already recorded.
Everything else is pure: each metric turns the facts into dated events and a window sums them, with
dates taken in the program's timezone (a window crossing a DST change still starts and ends at local
midnight). A refund before completion lowers progress by itself; a completion, once recorded, stays.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from saleor_loyalty.core.clock import local_date
from saleor_loyalty.ledger.accounts import int_array
from saleor_loyalty.models import (
    Challenge,
    ChallengeCompletion,
    ChallengeMetric,
    ChallengeWindow,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    OrderCategories,
)
from saleor_loyalty.tiers.ladder import REFUNDED_SHARE_LATERAL

LEGACY_ROLLING_KEY = "rolling"
FOREVER = 10**9  # a day number after any date

_LEDGER = LedgerEntry._meta.db_table
_ACCOUNTS = LoyaltyAccount._meta.db_table

_DAY = "((({column}) AT TIME ZONE %(tz)s)::date - DATE '1970-01-01')"  # local day number, DST-exact
# One index range per member and kind (LATERAL), never a scan of the ledger: a batch of 2,000 members
# costs the same whatever the ledger's size.
# A batch's members and the guest accounts merged into them (`holder`: whose facts they are).
MEMBERS_SQL = f"""member AS (
    SELECT batch.id AS holder, batch.id AS id FROM unnest(%(accounts)s::bigint[]) AS batch(id)
    UNION ALL
    SELECT g.merged_into_id, g.id FROM {_ACCOUNTS} g WHERE g.merged_into_id = ANY(%(accounts)s::bigint[])
)"""
# A member `m`'s paid orders: local day, spend net of refunds, still counting, recorded categories
# (`OFFSET 0` keeps it one index range per member: never flattened into a scan of the whole ledger).
ORDERS_LATERAL = f"""CROSS JOIN LATERAL (
    SELECT {_DAY.format(column="e.occurred_at")} AS day, ROUND(e.money_amount * (1 - r.share), 2) AS spend,
           r.share < 1 AS counts, c.category_ids
    FROM {_LEDGER} e {REFUNDED_SHARE_LATERAL}
    LEFT JOIN {OrderCategories._meta.db_table} c ON c.order_id = e.order_id
    WHERE e.account_id = m.id AND e.kind = %(earn)s OFFSET 0
) o"""
# A member `m`'s actions that gave points, once per (kind, object), dated by the first.
ACTIONS_LATERAL = f"""CROSS JOIN LATERAL (
    SELECT e.detail ->> 'action' AS action, MIN({_DAY.format(column="e.occurred_at")}) AS day FROM {_LEDGER} e
    WHERE e.account_id = m.id AND e.kind = %(action)s AND e.points > 0
    GROUP BY e.detail ->> 'action', e.detail ->> 'object'
) a"""
FACTS_SQL = f"""
WITH {MEMBERS_SQL}
SELECT m.holder, 'o', o.day, o.spend, o.counts, o.category_ids, NULL::text, NULL::bigint, NULL::timestamptz
FROM member m {ORDERS_LATERAL}
UNION ALL
SELECT m.holder, 'a', a.day, NULL, true, NULL, a.action, NULL, NULL
FROM member m {ACTIONS_LATERAL}
UNION ALL
SELECT d.account_id, 'c', NULL, NULL, true, NULL, d.window_key, d.challenge_id, d.completed_at
FROM unnest(%(accounts)s::bigint[]) AS batch(id) JOIN {ChallengeCompletion._meta.db_table} d ON d.account_id = batch.id
"""
EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    return (day - EPOCH).days


@dataclass(frozen=True)
class OrderFact:
    day: int  # local day number in the program's timezone (days since 1970-01-01)
    spend: Decimal
    counts: bool  # not fully refunded or cancelled
    categories: tuple[int, ...] = ()


@dataclass
class MemberFacts:
    """What a member did, as the ledger and the recorded order categories say, dated by local day."""

    orders: list[OrderFact] = field(default_factory=list)
    actions: list[tuple[str, int]] = field(default_factory=list)
    completed: dict[tuple[int, str], datetime] = field(default_factory=dict)


def member_facts(account_ids: list[int], tz: str) -> dict[int, MemberFacts]:
    """Every listed member's facts in one statement (a member with none gets empty facts)."""
    facts = {account_id: MemberFacts() for account_id in account_ids}
    if not account_ids:
        return facts
    with connection.cursor() as cursor:
        cursor.execute(
            FACTS_SQL,
            {
                "accounts": int_array(account_ids),
                "earn": EntryKind.EARN,
                "action": EntryKind.ACTION,
                "tz": tz,
            },
        )
        for holder, kind, day, spend, counts, categories, text, challenge_id, moment in cursor.fetchall():
            member = facts[holder]
            if kind == "o":
                member.orders.append(OrderFact(day, spend or Decimal(0), counts, tuple(categories or ())))
            elif kind == "a":
                member.actions.append((text, day))
            else:
                member.completed[(challenge_id, text)] = moment
    for member in facts.values():
        member.orders.sort(key=lambda order: order.day)
    return facts


@dataclass(frozen=True)
class Progress:
    """One member's standing in one challenge (`value` is what decides completion; `current` what to show)."""

    challenge: Challenge
    current: Decimal
    target: Decimal
    value: Decimal
    window_key: str
    window_start: date
    window_end: date | None
    completed_at: datetime | None

    @property
    def percent(self) -> Decimal:
        if self.completed_at is not None or not self.target:
            return Decimal(100)
        return min(Decimal(100), (self.current * 100 / self.target).quantize(Decimal("0.1")))

    @property
    def reached(self) -> bool:
        return self.value >= self.target


def target_of(challenge: Challenge) -> Decimal:
    if challenge.metric == ChallengeMetric.SPEND:
        return challenge.target_amount or Decimal(0)
    return Decimal(challenge.target)


def window_key(challenge: Challenge) -> str | None:
    """What a fixed window's completion and reward are keyed by (its dates); None for a rolling challenge,
    whose every completion is keyed by the run of days it was reached in (`rolling_key`)."""
    if challenge.window == ChallengeWindow.ROLLING:
        return None
    return f"{challenge.starts_on.isoformat()}..{challenge.ends_on.isoformat() if challenge.ends_on else ''}"


def rolling_key(first: int, last: int) -> str:
    return f"{(EPOCH + timedelta(days=first)).isoformat()}..{(EPOCH + timedelta(days=last)).isoformat()}"


def _events(challenge: Challenge, facts: MemberFacts) -> list[tuple[int, object]]:
    """The member's facts as (local day, amount) for this challenge's metric, oldest first."""
    metric = challenge.metric
    if metric == ChallengeMetric.SPEND:
        return [(o.day, o.spend) for o in facts.orders]
    if metric == ChallengeMetric.ACTIONS:
        return sorted((day, 1) for kind, day in facts.actions if kind == challenge.action_kind)
    counting = [o for o in facts.orders if o.counts]
    if metric == ChallengeMetric.NEW_CATEGORY:
        first_seen: dict[int, int] = {}
        for order in counting:  # a category is new on the member's first (still counting) order in it
            for category in order.categories:
                first_seen.setdefault(category, order.day)
        return sorted((day, 1) for day in first_seen.values())
    return [(o.day, 1) for o in counting]


def _longest_streak(days: list[int]) -> int:
    months = sorted({(d := EPOCH + timedelta(days=day)).year * 12 + d.month for day in days})
    best = run = 0
    for i, month in enumerate(months):
        run = run + 1 if i and month == months[i - 1] + 1 else 1
        best = max(best, run)
    return best


def _first_reach(events: list[tuple[int, object]], days: int, target):
    """The first local day a run of `days` days reaches the target: (that day, the run's total), or None
    (two pointers over dated events)."""
    total = 0
    low = 0
    for day, amount in events:
        total += amount
        while events[low][0] <= day - days:
            total -= events[low][1]
            low += 1
        if total >= target:
            return day, total
    return None


def _last_completed_run(challenge: Challenge, facts: MemberFacts):
    """The member's latest completed run of a rolling challenge: (first day, last day, key, when), or None.
    A completion keyed `rolling` (before rolling challenges could repeat) never ends."""
    latest = None
    for (challenge_id, key), moment in facts.completed.items():
        if challenge_id == challenge.pk:
            if key == LEGACY_ROLLING_KEY:
                run = (day_number(challenge.starts_on), FOREVER, key, moment)
            else:
                first, last = key.split("..")
                run = (
                    day_number(date.fromisoformat(first)),
                    day_number(date.fromisoformat(last)),
                    key,
                    moment,
                )
            if latest is None or run[1] > latest[1]:
                latest = run
    return latest


def _rolling_progress(challenge: Challenge, events, facts: MemberFacts, today: date) -> Progress:
    """A rolling challenge completes again after each completed run: only days after the last run count,
    and a new run is the `window_days` days ending on the day the target is reached (never reaching back
    into the last run)."""
    days, target = challenge.window_days, target_of(challenge)
    last = _last_completed_run(challenge, facts)
    after = last[1] if last else day_number(challenge.starts_on) - 1
    counting = [event for event in events if event[0] > after]
    today_number = day_number(today)
    reached = _first_reach(counting, days, target)
    if reached is not None:
        first, (day, total) = max(after + 1, reached[0] - days + 1), reached
        current = value = total
        key, start, end, moment = (
            rolling_key(first, day),
            EPOCH + timedelta(days=first),
            EPOCH + timedelta(days=day),
            None,
        )
    elif last is not None and today_number <= last[1]:  # still within the run just completed
        current, value = target, sum(amount for _, amount in counting)
        key, start, moment = last[2], EPOCH + timedelta(days=last[0]), last[3]
        end = None if last[1] == FOREVER else EPOCH + timedelta(days=last[1])
    else:
        first = max(after + 1, today_number - days + 1)
        current = value = sum(amount for day, amount in counting if day >= first)
        key, start, end, moment = rolling_key(first, today_number), EPOCH + timedelta(days=first), today, None
    return Progress(challenge, Decimal(current), target, Decimal(value), key, start, end, moment)


def progress(challenge: Challenge, facts: MemberFacts, today: date) -> Progress:
    """Where the member stands: in a fixed window, its total; in a rolling one, the run of days that
    reached the target, or else the last `window_days` local days since the last completed run."""
    first = day_number(challenge.starts_on)
    events = [event for event in _events(challenge, facts) if event[0] >= first]
    if challenge.window == ChallengeWindow.ROLLING:
        return _rolling_progress(challenge, events, facts, today)
    key, start, end = window_key(challenge), challenge.starts_on, challenge.ends_on
    if end is not None:
        last = day_number(end)
        events = [event for event in events if event[0] <= last]
    current = value = sum(amount for _, amount in events)
    if challenge.metric == ChallengeMetric.MONTHLY_STREAK:
        current = value = _longest_streak([day for day, _ in events])
    return Progress(
        challenge=challenge,
        current=Decimal(current),
        target=target_of(challenge),
        value=Decimal(value),
        window_key=key,
        window_start=start,
        window_end=end,
        completed_at=facts.completed.get((challenge.pk, key)),
    )


def live_challenges(program: LoyaltyProgram, today: date, grace_days: int = 0):
    """Challenges that can still make progress: switched on, not archived, and (fixed) not ended more than
    `grace_days` ago (late order events are dated by payment, so a short grace lets them still count)."""
    ended_before = today - timedelta(days=grace_days)
    return (
        Challenge.objects.filter(program=program, is_active=True, archived_at__isnull=True)
        .exclude(window=ChallengeWindow.FIXED, ends_on__lt=ended_before)
        .select_related("program", "badge")
        .order_by("pk")
    )


def member_progress(
    program: LoyaltyProgram, account: LoyaltyAccount | None, now: datetime | None = None, grace_days: int = 0
):
    """The member's progress in every live challenge: two queries (the challenges, the member's facts)."""
    now = now or timezone.now()
    today = local_date(now, program.timezone)
    challenges = list(live_challenges(program, today, grace_days))
    if not challenges:
        return []
    facts = member_facts([account.pk], program.timezone)[account.pk] if account is not None else MemberFacts()
    return [progress(challenge, facts, today) for challenge in challenges]
