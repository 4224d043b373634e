"""Tiers: the program's ladder, what counts towards it, and the rules that move a member on it.

- What counts is derived from the ledger, never kept as a separate counter: spend is the accrual
  base of earn rows net of what their reversals refunded (a refund counts against the order's own
  window), points are earned points net of reversals plus staff adjustments, orders are earn rows
  not fully refunded or cancelled. Birthday gifts and challenge rewards do not count. A guest
  account merged into a member counts as the member's own: its orders, net of their refunds, in
  their own windows (the merge_in row itself is a balance move and counts nothing).
- Going up is immediate (a paid order or a staff adjustment crossing an entry threshold), in the
  same transaction that wrote the ledger row, with the account row locked.
- Going down only happens at the nightly evaluation (`tier_evaluation.py`): below the retain
  threshold a grace period starts, and only when it has run out does the member move down, to the
  highest tier whose retain threshold is met, never below a staff-set floor. A refund therefore
  never downgrades on the spot.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from operator import attrgetter
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from saleor_loyalty.core.clock import add_months, local_date
from saleor_loyalty.core.facts import NO_TIER, Actor, EarnTier
from saleor_loyalty.models import (
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    Tier,
    TierBasis,
    TierEvent,
    TierTranslation,
    TierWindow,
)

DEFAULT_TIERS = (
    {
        "name": "Regular",
        "entry_threshold": Decimal(0),
        "retain_threshold": Decimal(0),
        "earn_multiplier": Decimal(1),
        "birthday_points": 50,
    },
    {
        "name": "Gold",
        "entry_threshold": Decimal(2000),
        "retain_threshold": Decimal(1500),
        "earn_multiplier": Decimal("1.5"),
        "discount_percent": Decimal(5),
        "free_shipping": True,
        "birthday_points": 200,
    },
    {
        "name": "Platinum",
        "entry_threshold": Decimal(6000),
        "retain_threshold": Decimal(4500),
        "earn_multiplier": Decimal(2),
        "discount_percent": Decimal(10),
        "free_shipping": True,
        "early_access": True,
        "birthday_points": 500,
    },
)


DEFAULT_TRANSLATIONS = {"he": ("רגיל", "זהב", "פלטינום")}


def ensure_default_tiers(program: LoyaltyProgram) -> list[Tier]:
    """Give a program without tiers the default Regular / Gold / Platinum ladder, named in Hebrew too."""
    if not Tier.objects.filter(program=program).exists():
        tiers = Tier.objects.bulk_create(
            [Tier(program=program, position=i, **values) for i, values in enumerate(DEFAULT_TIERS)]
        )
        TierTranslation.objects.bulk_create(
            [
                TierTranslation(tier=tier, language_code=code, name=name)
                for code, names in DEFAULT_TRANSLATIONS.items()
                for tier, name in zip(tiers, names, strict=True)
            ]
        )
    return list(Tier.objects.filter(program=program).order_by("position"))


def ladder(program: LoyaltyProgram) -> list[Tier]:
    """The tiers in position order (`tier.program` costs no query); free when a read loaded them with it."""
    loaded = getattr(program, "_prefetched_objects_cache", {}).get("tiers")
    if loaded is not None:
        return sorted(loaded, key=attrgetter("position"))
    return list(program.tiers.order_by("position"))


def current_tier(account: LoyaltyAccount | None, tiers: list[Tier]) -> Tier | None:
    """The member's tier; an account that never moved is in the first tier."""
    if not tiers:
        return None
    if account is not None and account.tier_id is not None:
        for tier in tiers:
            if tier.pk == account.tier_id:
                return tier
    return tiers[0]


def _local_midnight(day: date, tz_name: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz_name))


def window_start(program: LoyaltyProgram, now: datetime) -> datetime | None:
    """First instant that counts: local 1 January, local midnight 12 months ago, or None for lifetime."""
    today = local_date(now, program.timezone)
    if program.tier_window == TierWindow.CALENDAR_YEAR:
        return _local_midnight(date(today.year, 1, 1), program.timezone)
    if program.tier_window == TierWindow.ROLLING_12_MONTHS:
        return _local_midnight(add_months(today, -12), program.timezone)
    return None


def window_end_date(program: LoyaltyProgram, now: datetime) -> date | None:
    """The local date the current window closes on (calendar year only; the others slide or never end)."""
    if program.tier_window == TierWindow.CALENDAR_YEAR:
        return date(local_date(now, program.timezone).year, 12, 31)
    return None


_TABLE = LedgerEntry._meta.db_table
BASIS_COLUMNS = (TierBasis.SPEND, TierBasis.POINTS, TierBasis.ORDERS)
_KINDS = {"earn": EntryKind.EARN, "adjustment": EntryKind.ADJUSTMENT, "reversal": EntryKind.EARN_REVERSAL}
AMOUNT_PLACES = Decimal("0.0001")

_ACCOUNTS = LoyaltyAccount._meta.db_table
_SINCE = "(%(since)s::timestamptz IS NULL OR {alias}.occurred_at >= %(since)s::timestamptz)"
# The refunded share of one earn `e` from its reversals `r` (aggregated by `_REVERSED`): all of it when
# cancelled; else the accrual base the refunds took back (recorded on each reversal since refunds by
# line), or for older reversals the refunded money against the refund basis recorded at earn time.
_SHARE = """CASE WHEN r.cancelled THEN 1 ELSE LEAST(1, GREATEST(
    COALESCE(r.base_reversed / NULLIF(e.money_amount, 0), 0),
    COALESCE(r.refunded / NULLIF((e.detail ->> 'refund_basis')::numeric, 0), 0))) END"""
_REVERSED = """bool_or(x.money_amount IS NULL) AS cancelled,
    MAX((x.detail ->> 'base_reversed')::numeric) AS base_reversed,
    MAX(x.money_amount) FILTER (WHERE NOT x.detail ? 'base_reversed') AS refunded,
    SUM(x.forgiven_points - x.points) AS points"""

# `r.share` (0-1 refunded) and `r.points` (reversed) of an earn row `e`; also read by challenge progress.
REFUNDED_SHARE_LATERAL = f"""LEFT JOIN LATERAL (
    SELECT r.points, CASE WHEN r.points IS NULL THEN 0 ELSE {_SHARE} END AS share
    FROM (SELECT {_REVERSED} FROM {_TABLE} x WHERE x.reverses_id = e.id) r
) r ON e.kind = %(earn)s"""

QUALIFICATION_SQL = f"""
WITH merged AS (
    SELECT g.id, g.merged_into_id AS holder
    FROM {_ACCOUNTS} g JOIN unnest(%(accounts)s::bigint[]) AS batch(id) ON batch.id = g.merged_into_id
    WHERE g.merged_into_id BETWEEN %(low)s AND %(high)s
), counted AS (
    SELECT e.id, e.account_id, e.kind, e.points, e.money_amount
    FROM {_TABLE} e JOIN unnest(%(accounts)s::bigint[]) AS batch(id) ON batch.id = e.account_id
    WHERE e.account_id BETWEEN %(low)s AND %(high)s AND e.kind IN (%(earn)s, %(adjustment)s)
      AND {_SINCE.format(alias="e")}
    UNION ALL
    SELECT e.id, m.holder, e.kind, e.points, e.money_amount
    FROM merged m JOIN {_TABLE} e ON e.account_id = m.id
    WHERE e.kind IN (%(earn)s, %(adjustment)s) AND {_SINCE.format(alias="e")}
), reversal AS (
    SELECT x.id, x.reverses_id, x.money_amount, x.points, x.forgiven_points FROM {_TABLE} x
    WHERE x.account_id BETWEEN %(low)s AND %(high)s AND x.kind = %(reversal)s
    UNION ALL
    SELECT x.id, x.reverses_id, x.money_amount, x.points, x.forgiven_points
    FROM merged m JOIN {_TABLE} x ON x.account_id = m.id WHERE x.kind = %(reversal)s
), reversed AS (
    SELECT x.reverses_id, {_REVERSED.replace("x.detail", "d.detail")}
    FROM reversal x JOIN {_TABLE} d ON d.id = x.id GROUP BY x.reverses_id
), refunded_share AS (
    SELECT r.reverses_id, r.points, {_SHARE} AS share
    FROM reversed r JOIN {_TABLE} e ON e.id = r.reverses_id
)
SELECT c.account_id,
       COALESCE(SUM(CASE WHEN c.kind = %(earn)s THEN c.money_amount * (1 - COALESCE(r.share, 0)) END), 0) AS spend,
       COALESCE(SUM(c.points - COALESCE(r.points, 0)), 0) AS points,
       COUNT(*) FILTER (WHERE c.kind = %(earn)s AND COALESCE(r.share, 0) < 1) AS orders
FROM counted c LEFT JOIN refunded_share r ON r.reverses_id = c.id
GROUP BY c.account_id
"""
# Batches are keyset ranges of account ids: the batch's own rows are one range scan of the covering index
# `loyalty_entry_tier_qual_idx`; only refunded earns (and their reversals) are read from the table. A reversal
# sits on the account that held its earn: the batch range, or a guest merged into a member of the batch.


def qualifying_amounts(program: LoyaltyProgram, account_ids: list[int], now: datetime) -> dict[int, Decimal]:
    """Each account's spend or points in the program's window, in one query for the whole batch.

    A refund is measured against the refund basis recorded at earn time, so a refund of half the
    order takes half of that order's base out of spend; a cancellation takes all of it.
    """
    if not account_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            QUALIFICATION_SQL,
            {
                **_KINDS,
                "accounts": list(account_ids),
                "low": min(account_ids),
                "high": max(account_ids),
                "since": window_start(program, now),
            },
        )
        rows = cursor.fetchall()
    index = BASIS_COLUMNS.index(program.tier_basis) + 1  # the queries answer every basis at once
    amounts = {account_id: Decimal(0) for account_id in account_ids}
    for row in rows:
        amounts[row[0]] = Decimal(row[index]).quantize(AMOUNT_PLACES)
    return amounts


MEMBER_QUALIFICATION_SQL = f"""
SELECT COALESCE(SUM(CASE WHEN e.kind = %(earn)s THEN e.money_amount * (1 - COALESCE(r.share, 0)) END), 0),
       COALESCE(SUM(e.points - COALESCE(r.points, 0)), 0),
       COUNT(*) FILTER (WHERE e.kind = %(earn)s AND r.share < 1)
FROM (
    SELECT e.id, e.kind, e.points, e.money_amount, e.detail FROM {_TABLE} e
    WHERE e.account_id = %(account)s AND e.kind IN (%(earn)s, %(adjustment)s) AND {_SINCE.format(alias="e")}
    UNION ALL
    SELECT e.id, e.kind, e.points, e.money_amount, e.detail FROM {_ACCOUNTS} g JOIN {_TABLE} e ON e.account_id = g.id
    WHERE g.merged_into_id = %(account)s AND e.kind IN (%(earn)s, %(adjustment)s) AND {_SINCE.format(alias="e")}
) e
{REFUNDED_SHARE_LATERAL}
"""


def qualifying_amount(program: LoyaltyProgram, account: LoyaltyAccount | None, now: datetime) -> Decimal:
    """One member's amount (the accrual path): the batch query's rule planned for one account (a test keeps
    the two in agreement), about half its cost."""
    if account is None:
        return Decimal(0)
    with connection.cursor() as cursor:
        cursor.execute(
            MEMBER_QUALIFICATION_SQL, {**_KINDS, "account": account.pk, "since": window_start(program, now)}
        )
        row = cursor.fetchone()
    return Decimal(row[BASIS_COLUMNS.index(program.tier_basis)]).quantize(AMOUNT_PLACES)


def highest_entered(tiers: list[Tier], amount: Decimal) -> Tier | None:
    return next((tier for tier in reversed(tiers) if tier.entry_threshold <= amount), None)


def highest_retained(tiers: list[Tier], amount: Decimal) -> Tier | None:
    return next((tier for tier in reversed(tiers) if tier.retain_threshold <= amount), None)


def record_event(
    account: LoyaltyAccount,
    cause: str,
    from_tier: Tier | None,
    to_tier: Tier | None,
    *,
    amount: Decimal | None = None,
    order_id=None,
    reason: str = "",
    actor: Actor | None = None,
) -> TierEvent:
    actor = actor or Actor()
    return TierEvent.objects.create(
        account=account,
        cause=cause,
        from_tier_id=from_tier.pk if from_tier else None,
        to_tier_id=to_tier.pk if to_tier else None,
        from_tier_name=from_tier.name if from_tier else "",
        to_tier_name=to_tier.name if to_tier else "",
        qualifying_amount=amount,
        order_id=order_id,
        reason=reason,
        actor_user_id=actor.user_id,
        actor_app_id=actor.app_id,
        actor_label=actor.label,
    )


def move_to(account: LoyaltyAccount, tier: Tier, cause: str, now: datetime, **event) -> None:
    """Change a locked account's tier and record why; the caller holds the account's row lock."""
    candidates = Tier.objects.filter(Q(pk=account.tier_id or 0) | Q(program_id=tier.program_id, position=0))
    by_id = {t.pk: t for t in candidates}
    previous = by_id.get(account.tier_id) or next((t for t in by_id.values() if t.position == 0), None)
    LoyaltyAccount.objects.filter(pk=account.pk).update(
        tier=tier, tier_since=now, tier_downgrade_due_on=None, updated_at=now
    )
    account.tier_id, account.tier_since, account.tier_downgrade_due_on = tier.pk, now, None
    record_event(account, cause, previous, tier, **event)


_UNKNOWN = object()


def upgrade_if_qualified(
    account: LoyaltyAccount,
    program: LoyaltyProgram,
    cause: str,
    *,
    order_id=None,
    actor: Actor | None = None,
    now: datetime | None = None,
    next_entry=_UNKNOWN,
    reason: str = "",
) -> Tier | None:
    """Move a locked account up at once when its qualifying amount reached a higher entry threshold.

    Called inside the ledger's transaction right after a row that can count was written. The
    accrual path passes `next_entry` (read with the account lock), so a member at the top costs no
    query and one below it costs one qualification query. Returns the new tier, if any.
    """
    now = now or timezone.now()
    if next_entry is None:
        return None
    if next_entry is not _UNKNOWN:
        amount = qualifying_amount(program, account, now)
        if amount < next_entry:
            return None
    tiers = ladder(program)
    current = current_tier(account, tiers)
    if current is None or current.pk == tiers[-1].pk:
        return None
    if next_entry is _UNKNOWN:
        amount = qualifying_amount(program, account, now)
    target = highest_entered(tiers, amount)
    if target is None or target.position <= current.position:
        return None
    move_to(account, target, cause, now, amount=amount, order_id=order_id, actor=actor, reason=reason)
    return target


@dataclass(frozen=True)
class TierStanding:
    """Everything the storefront shows about a member's tier, from one qualification amount (maybe pre-read)."""

    tier: Tier | None
    next_tier: Tier | None
    basis: str
    current: Decimal
    target: Decimal | None
    remaining: Decimal | None
    percent: Decimal | None
    retain_amount: Decimal | None
    retain_by: date | None


def standing(
    program: LoyaltyProgram, account: LoyaltyAccount | None, now: datetime | None = None, amount=None
) -> TierStanding:
    now = now or timezone.now()
    tiers = ladder(program)
    tier = current_tier(account, tiers)
    if amount is None:
        amount = qualifying_amount(program, account, now) if tier is not None else Decimal(0)
    next_tier = next((t for t in tiers if tier and t.position > tier.position), None)
    target = remaining = percent = None
    if next_tier is not None:
        target = next_tier.entry_threshold
        remaining = max(target - amount, Decimal(0))
        percent = (
            min(Decimal(100), (amount * 100 / target).quantize(Decimal("0.1"))) if target else Decimal(100)
        )
    retain_amount = retain_by = None
    if tier is not None and tier.position > 0:
        retain_amount = max(tier.retain_threshold - amount, Decimal(0))
        due = account.tier_downgrade_due_on if account else None
        retain_by = due or window_end_date(program, now)
    return TierStanding(
        tier=tier,
        next_tier=next_tier,
        basis=program.tier_basis,
        current=amount,
        target=target,
        remaining=remaining,
        percent=percent,
        retain_amount=retain_amount,
        retain_by=retain_by,
    )


def earn_tier(program: LoyaltyProgram, account: LoyaltyAccount | None) -> EarnTier:
    """The member's tier as accrual would record it now (for previews; accrual reads it in its lock query)."""
    tier = current_tier(account, ladder(program))
    return EarnTier(tier.pk, tier.name, tier.earn_multiplier) if tier is not None else NO_TIER


def cashback_percent_for(program: LoyaltyProgram, account: LoyaltyAccount | None) -> Decimal:
    """The member's tier rate when their tier sets one (Platinum 5 %), else the program's."""
    tier = current_tier(account, ladder(program))
    if tier is not None and tier.cashback_percent is not None:
        return tier.cashback_percent
    return program.cashback_percent


def grace_end(program: LoyaltyProgram, today: date) -> date:
    return today + timedelta(days=program.tier_grace_days)
