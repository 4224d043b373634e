"""A batch's completions computed set-based: grouped SQL over the same facts, only completions come back.

The full pass visits every member; computing each member's progress in Python costs it the facts of
every member. Here one statement per batch reads the facts the per-member path reads (`challenges`:
the same orders, refunded share, categories, actions and completions, dated by local day in the
program's timezone) and answers only (member, challenge, window) that are reached and not yet
completed, by the per-member rules, which stay the reference (`challenges.progress`):
- a fixed window: the sum of its events (a streak: the longest run of consecutive months) reaches
  the target and no completion has the window's key;
- a rolling window: the first local day after the member's last completed run on which the
  `window_days` days ending that day reach the target; its key is that run (never reaching back
  into the last run), so each run completes once and the next starts after it.
"""

import json
from datetime import date
from decimal import Decimal

from django.db import connection, transaction

from saleor_loyalty.engagement.challenges import (
    ACTIONS_LATERAL,
    FOREVER,
    LEGACY_ROLLING_KEY,
    MEMBERS_SQL,
    ORDERS_LATERAL,
    Progress,
    day_number,
    target_of,
    window_key,
)
from saleor_loyalty.ledger.accounts import int_array
from saleor_loyalty.models import Challenge, ChallengeCompletion, ChallengeMetric, ChallengeWindow, EntryKind

_COMPLETIONS = ChallengeCompletion._meta.db_table
_ISO_DAY = "to_char(DATE '1970-01-01' + ({day}), 'YYYY-MM-DD')"
_REACHED_SQL = f"""
WITH {MEMBERS_SQL},
rule AS MATERIALIZED (
    SELECT * FROM jsonb_to_recordset(%(rules)s::jsonb) AS r(
        id bigint, metric text, rolling boolean, first int, last int, days int, target numeric, action text, key text)
),
orders AS MATERIALIZED (SELECT m.holder, o.* FROM member m {ORDERS_LATERAL}),
actions AS MATERIALIZED (SELECT m.holder, a.* FROM member m {ACTIONS_LATERAL}),
first_seen AS (  -- a category is new on the member's first still-counting order in it, over all history
    SELECT o.holder, MIN(o.day) AS day FROM orders o CROSS JOIN unnest(o.category_ids) AS c(id)
    WHERE o.counts GROUP BY o.holder, c.id
),
event AS MATERIALIZED (
    SELECT r.id AS challenge, x.holder, x.day, x.amount FROM rule r JOIN (
        SELECT 'spend' AS metric, o.holder, o.day, COALESCE(o.spend, 0) AS amount, NULL AS action FROM orders o
        UNION ALL
        SELECT 'paid_orders', o.holder, o.day, 1, NULL FROM orders o WHERE o.counts
        UNION ALL
        SELECT 'monthly_streak', o.holder, o.day, 1, NULL FROM orders o WHERE o.counts
        UNION ALL
        SELECT 'new_category', f.holder, f.day, 1, NULL FROM first_seen f
        UNION ALL
        SELECT 'actions', a.holder, a.day, 1, a.action FROM actions a
    ) x ON x.metric = r.metric AND x.day BETWEEN r.first AND r.last AND (r.action IS NULL OR x.action = r.action)
),
done AS (  -- per member and challenge: its fixed window completed, and the end of its last rolling run
    SELECT d.challenge_id AS challenge, d.account_id AS holder, bool_or(d.window_key = r.key) AS fixed_done,
           MAX(CASE WHEN NOT r.rolling THEN NULL WHEN d.window_key = %(legacy)s THEN {FOREVER}
                    ELSE split_part(d.window_key, '..', 2)::date - DATE '1970-01-01' END) AS last_run
    FROM unnest(%(accounts)s::bigint[]) AS batch(id)
    CROSS JOIN LATERAL (SELECT * FROM {_COMPLETIONS} d WHERE d.account_id = batch.id OFFSET 0) d
    JOIN rule r ON r.id = d.challenge_id
    GROUP BY d.challenge_id, d.account_id
),
fixed AS (
    SELECT e.challenge, e.holder, SUM(e.amount) AS value
    FROM event e JOIN rule r ON r.id = e.challenge AND NOT r.rolling AND r.metric <> 'monthly_streak'
    GROUP BY e.challenge, e.holder
),
months AS (
    SELECT DISTINCT e.challenge, e.holder, EXTRACT(YEAR FROM DATE '1970-01-01' + e.day)::int * 12
           + EXTRACT(MONTH FROM DATE '1970-01-01' + e.day)::int AS month
    FROM event e JOIN rule r ON r.id = e.challenge AND r.metric = 'monthly_streak'
),
streak AS (  -- consecutive months share month - rank: the longest such island
    SELECT s.challenge, s.holder, MAX(s.run) AS value FROM (
        SELECT challenge, holder, COUNT(*) AS run FROM (
            SELECT challenge, holder, month - ROW_NUMBER() OVER (PARTITION BY challenge, holder ORDER BY month) AS island
            FROM months
        ) i GROUP BY challenge, holder, island
    ) s GROUP BY s.challenge, s.holder
),
open_run AS (  -- a rolling challenge's events after the member's last completed run
    SELECT e.challenge, e.holder, e.day, e.amount, r.days, COALESCE(d.last_run, r.first - 1) AS after
    FROM event e JOIN rule r ON r.id = e.challenge AND r.rolling
    LEFT JOIN done d ON d.challenge = e.challenge AND d.holder = e.holder
    WHERE e.day > COALESCE(d.last_run, r.first - 1)
),
run_total AS (  -- an event enters on its day and leaves `days` days later: on a day, the running sum is
                -- the total of the `days` days ending that day (a frame of a fixed length per challenge)
    SELECT challenge, holder, day, after, entering,
           SUM(amount) OVER (PARTITION BY challenge, holder ORDER BY day) AS value
    FROM (
        SELECT challenge, holder, day, after, amount, true AS entering FROM open_run
        UNION ALL
        SELECT challenge, holder, day + days, after, -amount, false FROM open_run
    ) moves
),
rolling AS (
    SELECT DISTINCT ON (t.challenge, t.holder) t.challenge, t.holder, t.value,
           {_ISO_DAY.format(day="GREATEST(t.after + 1, t.day - r.days + 1)")} || '..' || {_ISO_DAY.format(day="t.day")} AS key
    FROM run_total t JOIN rule r ON r.id = t.challenge AND t.entering AND t.value >= r.target
    ORDER BY t.challenge, t.holder, t.day
)
SELECT x.holder, x.challenge, x.key, x.value FROM (
    SELECT f.holder, f.challenge, r.key, f.value FROM fixed f JOIN rule r ON r.id = f.challenge AND f.value >= r.target
    UNION ALL
    SELECT s.holder, s.challenge, r.key, s.value FROM streak s JOIN rule r ON r.id = s.challenge AND s.value >= r.target
    UNION ALL
    SELECT holder, challenge, key, value FROM rolling
) x LEFT JOIN done d ON d.challenge = x.challenge AND d.holder = x.holder
WHERE NOT COALESCE(d.fixed_done, false)
ORDER BY x.holder, x.challenge
"""


def _rule(challenge: Challenge) -> dict:
    rolling = challenge.window == ChallengeWindow.ROLLING
    return {
        "id": challenge.pk,
        "metric": challenge.metric,
        "rolling": rolling,
        "first": day_number(challenge.starts_on),
        "last": day_number(challenge.ends_on) if challenge.ends_on and not rolling else FOREVER,
        "days": challenge.window_days if rolling else None,
        "target": str(target_of(challenge)),
        "action": challenge.action_kind if challenge.metric == ChallengeMetric.ACTIONS else None,
        "key": window_key(challenge),
    }


def reached_in_batch(
    account_ids: list[int], challenges: list[Challenge], tz: str
) -> dict[int, list[Progress]]:
    """What each listed member reached and has not completed, in one statement: members with nothing new
    are absent. Each `Progress` carries what completing needs (challenge, window key, value)."""
    if not account_ids or not challenges:
        return {}
    by_id = {challenge.pk: challenge for challenge in challenges}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # its per-member estimates are far off: compiling costs seconds
        cursor.execute(
            _REACHED_SQL,
            {
                "accounts": int_array(account_ids),
                "rules": json.dumps([_rule(challenge) for challenge in challenges]),
                "earn": EntryKind.EARN,
                "action": EntryKind.ACTION,
                "tz": tz,
                "legacy": LEGACY_ROLLING_KEY,
            },
        )
        rows = cursor.fetchall()
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
