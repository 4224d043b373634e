"""A batch's completions computed set-based: one statement per batch, only what is reached comes back.

Invariant: for every member of the batch it answers exactly the (challenge, window) the per-member rules
(`challenges.progress`, then `due`) would complete; a property test holds the two equal on random worlds.

The full pass reads its batch as one range of account ids (literal bounds: each table through its account
index, each row once, no per-member loop); the incremental pass reads a list of changed members. From the
members' ledger rows (and their merged guests') come the facts the per-member path reads: paid orders and
their refunded share (the tiers' rule), categories, actions once per object, completions, dated by local
day in the program's timezone. The statement is built for the live challenges: each is totalled straight
from its own source, a metric no challenge uses reads nothing, and
- a fixed window is an aggregate with a FILTER on its days (a streak: the longest run of consecutive
  months); it is reached when the total reaches the target and no completion has the window's key;
- a rolling window is reached on the first local day after the member's last completed run on which the
  `window_days` days ending that day reach the target (a running sum: each event enters on its day and
  leaves `window_days` later); its key is that run, never reaching back into the last one.
Categories are read like the ledger rows, by the batch's accounts (the earn's account is on each
category row: one range of a covering index, no lookup per order), and used only for members with a
new-category challenge still open. Reversals are read from the member's own accounts: one is written on
the account holding its order (the guest's, or the member's once merged), never elsewhere.
"""

from datetime import date
from decimal import Decimal

from django.db import connection, transaction

from saleor_loyalty.engagement.challenges import (
    FOREVER,
    LEGACY_ROLLING_KEY,
    Progress,
    day_number,
    target_of,
    window_key,
)
from saleor_loyalty.ledger.accounts import int_array
from saleor_loyalty.models import (
    Challenge,
    ChallengeCompletion,
    ChallengeMetric,
    ChallengeWindow,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    OrderCategories,
)
from saleor_loyalty.tiers.ladder import _REVERSED, _SHARE

_ACCOUNTS, _LEDGER = LoyaltyAccount._meta.db_table, LedgerEntry._meta.db_table
_COMPLETIONS, _CATEGORIES = ChallengeCompletion._meta.db_table, OrderCategories._meta.db_table
_ORDER_METRICS = {
    ChallengeMetric.SPEND,
    ChallengeMetric.PAID_ORDERS,
    ChallengeMetric.MONTHLY_STREAK,
    ChallengeMetric.NEW_CATEGORY,
}
_COLUMNS = (
    "e.account_id, e.id, e.kind, e.occurred_at, e.money_amount, e.points, e.forgiven_points, e.order_id, e.detail, "
    "e.reverses_id"
)
_LATERAL = "CROSS JOIN LATERAL (SELECT {columns} FROM {ledger} e WHERE e.account_id = m.id AND e.kind IN ({kinds}) OFFSET 0) e"
_CATEGORIES_LATERAL = f"""CROSS JOIN LATERAL (
        SELECT c.order_id, c.category_ids FROM {_CATEGORIES} c WHERE c.account_id = m.id OFFSET 0
    ) c"""

# Whose facts: `entry` (the holders' ledger rows of the kinds the statement reads, their guests' included);
# `accounts` picks the holders' completions.
_RANGE = {
    "ctes": f"""guest AS MATERIALIZED (
    SELECT g.merged_into_id AS holder, g.id FROM {_ACCOUNTS} g
    WHERE g.merged_into_id > %(after)s AND g.merged_into_id <= %(until)s AND g.program_id = %(program)s
),
entry AS MATERIALIZED (  -- the members' rows in one index range (a hashed list of the members in it)
    SELECT e.account_id AS holder, {_COLUMNS} FROM {_LEDGER} e
    WHERE e.account_id > %(after)s AND e.account_id <= %(until)s AND e.kind IN ({{kinds}}) AND e.account_id IN (
        SELECT a.id FROM {_ACCOUNTS} a
        WHERE a.id > %(after)s AND a.id <= %(until)s AND a.program_id = %(program)s AND a.merged_into_id IS NULL
    )
    UNION ALL  -- and their guests' rows, each guest's through its own index range
    SELECT m.holder, e.* FROM guest m {_LATERAL.format(columns=_COLUMNS, ledger=_LEDGER, kinds="{kinds}")}
)""",
    # an account of the range that is no member holds no facts: its completions match nothing
    "accounts": "d.account_id > %(after)s AND d.account_id <= %(until)s",
    # the categories on the range's accounts and their guests' (extra rows match no order of the batch)
    "categories": f"""category AS MATERIALIZED (
    SELECT c.order_id, c.category_ids FROM {_CATEGORIES} c
    WHERE c.account_id > %(after)s AND c.account_id <= %(until)s
    UNION ALL
    SELECT c.* FROM guest m {_CATEGORIES_LATERAL}
)""",
}
_LIST = {
    "ctes": f"""member AS MATERIALIZED (
    SELECT batch.id AS holder, batch.id FROM unnest(%(accounts)s::bigint[]) AS batch(id)
    UNION ALL
    SELECT g.merged_into_id, g.id FROM {_ACCOUNTS} g WHERE g.merged_into_id = ANY(%(accounts)s::bigint[])
),
entry AS MATERIALIZED (
    SELECT m.holder, e.* FROM member m {_LATERAL.format(columns=_COLUMNS, ledger=_LEDGER, kinds="{kinds}")}
)""",
    "accounts": "d.account_id = ANY(%(accounts)s::bigint[])",
    "categories": f"""category AS MATERIALIZED (
    SELECT c.* FROM member m {_CATEGORIES_LATERAL}
)""",
}
_DAY = "((e.occurred_at AT TIME ZONE %(tz)s)::date - DATE '1970-01-01')"  # local day number, DST-exact
_ORDERS_SQL = f"""reversed AS (
    SELECT x.reverses_id, {_REVERSED} FROM entry x WHERE x.kind = %(reversal)s GROUP BY x.reverses_id
),
orders AS MATERIALIZED (  -- paid orders: local day, spend net of refunds (whole cents), whether they still count
    SELECT e.holder, e.order_id, {_DAY} AS day, (ROUND(e.money_amount * (1 - s.share), 2) * 100)::bigint AS cents,
           s.share < 1 AS counts
    FROM entry e LEFT JOIN reversed r ON r.reverses_id = e.id
    CROSS JOIN LATERAL (SELECT CASE WHEN r.points IS NULL THEN 0 ELSE {_SHARE} END AS share) s
    WHERE e.kind = %(earn)s
)"""
_ACTIONS_SQL = f"""actions AS MATERIALIZED (  -- actions that gave points, once per (account, kind, object), by the first
    SELECT e.holder, e.detail ->> 'action' AS action, MIN({_DAY}) AS day FROM entry e
    WHERE e.kind = %(action)s AND e.points > 0 AND e.detail ->> 'action' IN ({{kinds}})
    GROUP BY e.holder, e.account_id, e.detail ->> 'action', e.detail ->> 'object'
)"""
# A category is new on the member's first still-counting order in it, over all history; only members
# with a still-counting order inside some new-category window can have one new there. An order's
# categories come from the batch's account read (`category`, hashed by order); an order it did not
# find (categories recorded before its earn, or none) is looked up by order id, as the reference does.
_FIRST_SEEN_SQL = f"""{{categories}},
first_seen AS MATERIALIZED (
    SELECT o.holder, MIN(o.day) AS day FROM orders o LEFT JOIN category c ON c.order_id = o.order_id
    CROSS JOIN unnest(COALESCE(
        c.category_ids, (SELECT x.category_ids FROM {_CATEGORIES} x WHERE x.order_id = o.order_id)
    )) AS k(id)
    WHERE o.counts {{skip}} AND o.holder IN (
        SELECT s.holder FROM orders s WHERE s.counts AND s.day BETWEEN {{first}} AND {{last}}
    )
    GROUP BY o.holder, k.id
)"""
_ISO_DAY = "to_char(DATE '1970-01-01' + ({day}), 'YYYY-MM-DD')"
_RUN_END = f"""CASE WHEN d.window_key = %(legacy)s THEN {FOREVER}
    ELSE split_part(d.window_key, '..', 2)::date - DATE '1970-01-01' END"""
_MONTH = "EXTRACT(YEAR FROM DATE '1970-01-01' + s.day)::int * 12 + EXTRACT(MONTH FROM DATE '1970-01-01' + s.day)::int"


def _done(i: int, holder: str) -> str:
    """Whether `holder` completed fixed challenge `i`'s window (a hashed lookup in its completions)."""
    return f"{holder} IN (SELECT holder FROM done{i})"


def _source(i: int, metric: str) -> tuple[str, str, str]:
    """Where challenge `i`'s events come from: (table, amount, condition). Spend is summed in whole cents
    (integer sums cost a fraction of decimal ones): its target is given in cents too (`_params`)."""
    if metric == ChallengeMetric.SPEND:
        return "orders", "COALESCE(s.cents, 0)", "true"
    if metric == ChallengeMetric.ACTIONS:
        return "actions", "1", f"s.action = %(a{i})s"
    if metric == ChallengeMetric.NEW_CATEGORY:
        return "first_seen", "1", "true"
    return "orders", "1", "s.counts"  # paid orders, monthly streak


def _fixed(table: str, rules: list[tuple[int, str]]) -> str:
    """One aggregate over a source: a FILTER per fixed window, then the windows reached and not completed."""
    totals = ", ".join(
        f"SUM({amount}) FILTER (WHERE {condition} AND s.day BETWEEN %(f{i})s AND %(l{i})s) AS v{i}"
        for i, (_, amount, condition) in ((i, _source(i, metric)) for i, metric in rules)
    )
    values = ", ".join(
        f"(%(c{i})s::bigint, %(k{i})s::text, t.v{i}, %(t{i})s::numeric, %(u{i})s::numeric, {_done(i, 't.holder')})"
        for i, _ in rules
    )
    return f"""SELECT t.holder, x.challenge, x.key, x.value / x.unit
    FROM (SELECT s.holder, {totals} FROM {table} s GROUP BY s.holder) t
    CROSS JOIN LATERAL (VALUES {values}) x(challenge, key, value, target, unit, done)
    WHERE x.value >= x.target AND NOT x.done"""


def _streak(i: int) -> str:
    """Consecutive months share `month - rank`: the longest such island in the window."""
    return f"""SELECT r.holder, %(c{i})s::bigint, %(k{i})s::text, MAX(r.run)::numeric FROM (
        SELECT holder, COUNT(*) AS run FROM (
            SELECT holder, month - ROW_NUMBER() OVER (PARTITION BY holder ORDER BY month) AS island FROM (
                SELECT DISTINCT s.holder, {_MONTH} AS month FROM orders s
                WHERE s.counts AND s.day BETWEEN %(f{i})s AND %(l{i})s AND NOT {_done(i, "s.holder")}
            ) m
        ) islands GROUP BY holder, island
    ) r GROUP BY r.holder HAVING MAX(r.run) >= %(t{i})s"""


def _rolling(i: int, metric: str) -> tuple[str, str]:
    """The first day after the last completed run whose `window_days` days reach the target: (CTE, branch)."""
    table, amount, condition = _source(i, metric)
    after = f"COALESCE(d.run, %(f{i})s - 1)"
    cte = f"""open{i} AS MATERIALIZED (
    SELECT s.holder, s.day, {amount} AS amount, {after} AS after FROM {table} s LEFT JOIN run{i} d ON d.holder = s.holder
    WHERE {condition} AND s.day >= %(f{i})s AND s.day > {after}
)"""
    start = _ISO_DAY.format(day=f"GREATEST(t.after + 1, t.day - %(d{i})s + 1)")
    branch = f"""SELECT DISTINCT ON (t.holder) t.holder, %(c{i})s::bigint, {start} || '..' || {_ISO_DAY.format(day="t.day")},
           t.value / %(u{i})s::numeric
    FROM (
        SELECT holder, day, after, entering, SUM(amount) OVER (PARTITION BY holder ORDER BY day) AS value FROM (
            SELECT holder, day, amount, after, true AS entering FROM open{i}
            UNION ALL
            SELECT holder, day + %(d{i})s, -amount, after, false FROM open{i}
        ) moves
    ) t WHERE t.entering AND t.value >= %(t{i})s
    ORDER BY t.holder, t.day"""
    return cte, branch


def _first_seen(challenges: list[Challenge], batch: dict) -> str:
    """Categories of the orders of members with a new-category challenge open (any rolling one, else one
    of the fixed ones not completed) and an order inside one of their windows."""
    ours = [(i, c) for i, c in enumerate(challenges) if c.metric == ChallengeMetric.NEW_CATEGORY]
    first = "LEAST(" + ", ".join(f"%(f{i})s" for i, _ in ours) + ")"
    last = "GREATEST(" + ", ".join(f"%(l{i})s" for i, _ in ours) + ")"
    skip = ""
    if not any(c.window == ChallengeWindow.ROLLING for _, c in ours):
        skip = "AND NOT (" + " AND ".join(_done(i, "o.holder") for i, _ in ours) + ")"
    return _FIRST_SEEN_SQL.format(categories=batch["categories"], skip=skip, first=first, last=last)


def _params(i: int, challenge: Challenge) -> dict:
    rolling = challenge.window == ChallengeWindow.ROLLING
    unit = 100 if challenge.metric == ChallengeMetric.SPEND else 1  # spend: cents
    return {
        f"c{i}": challenge.pk,
        f"k{i}": window_key(challenge),
        f"f{i}": day_number(challenge.starts_on),
        f"l{i}": day_number(challenge.ends_on) if challenge.ends_on and not rolling else FOREVER,
        f"t{i}": target_of(challenge) * unit,
        f"u{i}": unit,
        f"d{i}": challenge.window_days,
        f"a{i}": challenge.action_kind,
    }


def _statement(challenges: list[Challenge], batch: dict) -> tuple[str, dict]:
    """The statement for these challenges and its per-challenge parameters (`c`, `k`, `f`, `l`, `t`, `d`, `a` + i)."""
    params, completions, ctes, branches = {}, [], [], []
    fixed: dict[str, list[tuple[int, str]]] = {}
    for i, challenge in enumerate(challenges):
        params |= _params(i, challenge)
        of = f"FROM {_COMPLETIONS} d WHERE d.challenge_id = %(c{i})s AND {batch['accounts']}"
        if challenge.window == ChallengeWindow.ROLLING:
            completions.append(
                f"run{i} AS (SELECT d.account_id AS holder, MAX({_RUN_END}) AS run {of} GROUP BY 1)"
            )
            cte, branch = _rolling(i, challenge.metric)
            ctes.append(cte)
            branches.append(branch)
        else:
            completions.append(f"done{i} AS (SELECT d.account_id AS holder {of} AND d.window_key = %(k{i})s)")
            if challenge.metric == ChallengeMetric.MONTHLY_STREAK:
                branches.append(_streak(i))
            else:
                fixed.setdefault(_source(i, challenge.metric)[0], []).append((i, challenge.metric))
    metrics = {challenge.metric for challenge in challenges}
    kinds = ["%(action)s"] if ChallengeMetric.ACTIONS in metrics else []
    facts = []
    if metrics & _ORDER_METRICS:
        kinds += ["%(earn)s", "%(reversal)s"]
        facts.append(_ORDERS_SQL)
    if ChallengeMetric.ACTIONS in metrics:
        action_kinds = sorted({c.action_kind for c in challenges if c.metric == ChallengeMetric.ACTIONS})
        params |= {f"kind{n}": kind for n, kind in enumerate(action_kinds)}
        facts.append(_ACTIONS_SQL.format(kinds=", ".join(f"%(kind{n})s" for n in range(len(action_kinds)))))
    if ChallengeMetric.NEW_CATEGORY in metrics:
        facts.append(_first_seen(challenges, batch))
    ctes = [batch["ctes"].format(kinds=", ".join(kinds)), *completions, *facts, *ctes]
    branches = [_fixed(table, rules) for table, rules in fixed.items()] + branches
    union = "\nUNION ALL\n".join(f"({branch})" for branch in branches)
    return f"WITH {',\n'.join(ctes)}\nSELECT * FROM (\n{union}\n) x ORDER BY 1, 2", params


def _reached(challenges: list[Challenge], tz: str, batch: dict, values: dict) -> dict[int, list[Progress]]:
    sql, params = _statement(challenges, batch)
    params |= values | {
        "earn": EntryKind.EARN,
        "reversal": EntryKind.EARN_REVERSAL,
        "action": EntryKind.ACTION,
        "tz": tz,
        "legacy": LEGACY_ROLLING_KEY,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        # The CTEs' row estimates are far off (a handful where there are thousands): JIT compiling would
        # cost more than the statement, and nested loops over them would be quadratic (hash joins
        # instead; the LATERAL index lookups still loop, as nothing else can run them).
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_id = {challenge.pk: challenge for challenge in challenges}
    reached: dict[int, list[Progress]] = {}
    for holder, challenge_id, key, value in rows:
        challenge = by_id[challenge_id]
        first, last = key.split("..")
        value = Decimal(value)
        reached.setdefault(holder, []).append(
            Progress(
                challenge=challenge,
                current=value,
                target=target_of(challenge),
                value=value,
                window_key=key,
                window_start=date.fromisoformat(first),
                window_end=date.fromisoformat(last) if last else None,
                completed_at=None,
            )
        )
    return reached


def reached_in_range(
    program_id: int, after: int, until: int, challenges: list[Challenge], tz: str
) -> dict[int, list[Progress]]:
    """What the program's members with ids in (after, until] reached and have not completed, by member
    (members with nothing new are absent); each `Progress` carries what completing needs."""
    if not challenges or until <= after:
        return {}
    return _reached(challenges, tz, _RANGE, {"program": program_id, "after": after, "until": until})


def reached_in_batch(
    account_ids: list[int], challenges: list[Challenge], tz: str
) -> dict[int, list[Progress]]:
    """The same for listed members (unmerged accounts): the incremental pass's changed members."""
    if not account_ids or not challenges:
        return {}
    return _reached(challenges, tz, _LIST, {"accounts": int_array(account_ids)})
