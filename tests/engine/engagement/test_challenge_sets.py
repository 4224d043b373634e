"""The set-based batch (`challenge_sets`) completes exactly what the per-member reference would, on random
histories: every metric and window, windows crossing Israel's DST change, refunds, guests, earlier runs,
order categories read by account or (recorded before the account was known) by order; read as an id
range (the full pass) and as a list of members (the incremental pass)."""

import json
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection

from saleor_loyalty.engagement import challenge_settings
from saleor_loyalty.engagement.challenge_rewards import due
from saleor_loyalty.engagement.challenge_sets import reached_in_batch, reached_in_range
from saleor_loyalty.engagement.challenges import (
    LEGACY_ROLLING_KEY,
    member_facts,
    progress,
    rolling_key,
    window_key,
)
from saleor_loyalty.models import (
    Challenge,
    ChallengeCompletion,
    ChallengeWindow,
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    OrderCategories,
)

TODAY = date(2026, 4, 30)
# Israel moves to summer time on Friday 27 March 2026 (02:00 -> 03:00): local midnight is 22:00 UTC
# before, 21:00 UTC after. Facts fall near both midnights, and windows start or end around that day.
EDGE_DAYS = [date(2026, 3, d) for d in (25, 26, 27, 28, 29, 31)] + [date(2026, 4, 1)]
ACTION_KINDS = ("product_review", "social_share")


def _instant(rng: random.Random) -> datetime:
    """A UTC instant in Feb-Apr 2026, half of them within an hour of local midnight near the DST change."""
    if rng.random() < 0.5:
        day = rng.choice(EDGE_DAYS)
        return datetime(
            day.year, day.month, day.day, rng.choice((20, 21, 22)), rng.choice((0, 30, 59)), tzinfo=UTC
        )
    return datetime(2026, 2, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(89 * 24 * 60))


def _entry(cursor, account_id, kind, points, key, at, money=None, detail=None, order_id=None, reverses=None):
    cursor.execute(
        f"""INSERT INTO {LedgerEntry._meta.db_table} (account_id, kind, points, forgiven_points, source_key,
            order_id, order_number, money_amount, reason, detail, available_at, occurred_at, actor_label,
            created_at, reverses_id)
            VALUES (%s, %s, %s, 0, %s, %s, '', %s, '', %s::jsonb, %s, %s, 'test', %s, %s) RETURNING id""",
        [account_id, kind, points, key, order_id, money, json.dumps(detail or {}), at, at, at, reverses],
    )
    return cursor.fetchone()[0]


def _history(
    rng: random.Random, account: LoyaltyAccount, tag: str, holder: LoyaltyAccount | None = None
) -> None:
    """Paid orders (some refunded in part, some fully or cancelled, most with categories, a quarter of
    those without their account) and actions; a merged guest's reversals are written on the guest or,
    after the merge, on its `holder`."""
    with connection.cursor() as cursor:
        for n in range(rng.randrange(7)):
            at, money = _instant(rng), rng.choice((40, 90, 150, 260))
            order_id = f"{rng.getrandbits(128):032x}"
            earn = _entry(
                cursor,
                account.pk,
                "earn",
                money,
                f"o:{tag}:{n}",
                at,
                money,
                {"refund_basis": str(money)},
                order_id,
            )
            if rng.random() < 0.7:  # on the earn's account (a guest's own), or recorded before it was known
                categories = sorted(rng.sample(range(1, 6), rng.randrange(1, 3)))
                on = account if rng.random() < 0.75 else None
                OrderCategories.objects.create(order_id=order_id, account=on, category_ids=categories)
            refund, reversed_on = rng.random(), rng.choice((account, holder or account)).pk
            if refund < 0.15:  # cancelled: the order no longer counts
                _entry(cursor, reversed_on, "earn_reversal", -money, f"c:{tag}:{n}", at, reverses=earn)
            elif refund < 0.35:  # refunded in part (by line) or in full
                back = rng.choice((money // 2, money))
                _entry(
                    cursor, reversed_on, "earn_reversal", -back, f"r:{tag}:{n}", at + timedelta(hours=2),
                    back, {"base_reversed": str(back)}, reverses=earn,
                )  # fmt: skip
        for n in range(rng.randrange(5)):
            kind, points = rng.choice(ACTION_KINDS), rng.choice((50, 50, -50))
            detail = {"action": kind, "object": f"P{rng.randrange(3)}"}
            _entry(cursor, account.pk, "action", points, f"a:{tag}:{n}", _instant(rng), detail=detail)


def _challenges(rng: random.Random, program) -> list[Challenge]:
    made = []
    kinds = [(m, "fixed") for m in ("paid_orders", "spend", "new_category", "monthly_streak", "actions")]
    kinds += [(m, "rolling") for m in ("paid_orders", "spend", "new_category", "actions")]
    for n, (metric, window) in enumerate(kinds):
        values = {"metric": metric, "window": window, "reward_points": 5}
        values["starts_on"] = rng.choice([date(2026, 2, 1), date(2026, 3, 2)] + EDGE_DAYS)
        if metric == "spend":
            values["target_amount"] = rng.choice((100, 250, 400))
        else:
            values["target"] = rng.randrange(1, 4)
        if metric == "actions":
            values["action_kind"] = rng.choice(ACTION_KINDS)
        if window == "rolling":
            values["window_days"] = rng.choice((1, 2, 3, 7, 20))
        elif rng.random() < 0.8:
            values["ends_on"] = max(values["starts_on"], rng.choice(EDGE_DAYS + [date(2026, 4, 20)]))
        made.append(challenge_settings.create_challenge(program, name=f"c{n}", **values))
    return made


def _earlier_completions(rng: random.Random, challenges, account: LoyaltyAccount) -> None:
    """Completions already recorded: a fixed window, a rolling run (or the legacy never-ending key)."""
    for challenge in challenges:
        if rng.random() > 0.25:
            continue
        if challenge.window == ChallengeWindow.FIXED:
            key = window_key(challenge)
        elif rng.random() < 0.1:
            key = LEGACY_ROLLING_KEY
        else:
            last = (challenge.starts_on - date(1970, 1, 1)).days + rng.randrange(60)
            key = rolling_key(max(last - challenge.window_days + 1, last - 3), last)
        ChallengeCompletion.objects.create(
            challenge=challenge, account=account, window_key=key, points=5, completed_at=datetime.now(UTC)
        )


def _reference(account_ids, challenges, tz):
    """The per-member path: each member's facts, then `progress` and `due` for every challenge."""
    return {
        (account_id, item.challenge.pk, item.window_key)
        for account_id, facts in member_facts(account_ids, tz).items()
        for item in due(progress(challenge, facts, TODAY) for challenge in challenges)
    }


def _world(rng: random.Random, program, challenges) -> list[int]:
    """25 members; between them (in id order) merged guests, accounts of another club with their own
    orders, and one guest merged into the last member (outside a range that ends before it)."""
    other = LoyaltyProgram.objects.create(channel_slug="other", currency="ILS", timezone="Asia/Jerusalem")
    members, late_guest = [], None
    for n in range(25):
        account = LoyaltyAccount.objects.create(program=program, email=f"m{n}@example.co.il")
        _history(rng, account, f"m{n}")
        if rng.random() < 0.2:  # a guest's orders merged into the member count as the member's own
            guest = LoyaltyAccount.objects.create(
                program=program, email=f"g{n}@example.co.il", merged_into=account
            )
            _history(rng, guest, f"g{n}", holder=account)
        if n == 3:
            late_guest = LoyaltyAccount.objects.create(program=program, email="late@example.co.il")
        if rng.random() < 0.1:
            stranger = LoyaltyAccount.objects.create(program=other, email=f"s{n}@example.co.il")
            _history(rng, stranger, f"s{n}")
        _earlier_completions(rng, challenges, account)
        members.append(account.pk)
    LoyaltyAccount.objects.filter(pk=late_guest.pk).update(merged_into_id=members[-1])
    _history(rng, late_guest, "late", holder=LoyaltyAccount.objects.get(pk=members[-1]))
    return members


def _got(reached) -> set:
    return {
        (account_id, item.challenge.pk, item.window_key)
        for account_id, items in reached.items()
        for item in items
    }


@pytest.mark.parametrize("seed", range(12))
def test_the_set_based_batch_agrees_with_the_per_member_evaluation(program, seed):
    rng = random.Random(seed)
    challenges = _challenges(rng, program)
    members = _world(rng, program, challenges)
    live = [challenge for challenge in challenges if rng.random() < 0.7] or challenges[:1]

    expected = _reference(members, live, program.timezone)
    listed = reached_in_batch(members, live, program.timezone)
    ranged = reached_in_range(program.pk, members[0] - 1, members[-1], live, program.timezone)
    split = members[len(members) // 2]  # two ranges: a guest of a later member falls in the first
    halves = reached_in_range(program.pk, members[0] - 1, split, live, program.timezone) | reached_in_range(
        program.pk, split, members[-1] + 5, live, program.timezone
    )

    assert _got(listed) == expected
    assert _got(ranged) == expected
    assert _got(halves) == expected
    assert expected, "a random world where nobody reaches anything tests nothing"


@pytest.mark.parametrize("metric", ["paid_orders", "spend", "new_category", "monthly_streak", "actions"])
def test_each_metric_alone_agrees_with_the_per_member_evaluation(program, metric):
    """A statement built for one kind of challenge reads only that kind's facts, and still agrees."""
    rng = random.Random(metric)
    challenges = [c for c in _challenges(rng, program) if c.metric == metric]
    members = _world(rng, program, challenges)

    expected = _reference(members, challenges, program.timezone)

    assert _got(reached_in_range(program.pk, 0, members[-1], challenges, program.timezone)) == expected
    assert _got(reached_in_batch(members, challenges, program.timezone)) == expected


def test_a_rolling_run_after_the_summer_time_change_counts_local_days(program):
    """23:30 local on 27 March is 20:30 UTC (summer time), 00:30 on 29 March is 21:30 UTC on the 28th: two
    consecutive UTC days, but two days apart locally, so "two orders in two days" is not reached yet."""
    challenge = challenge_settings.create_challenge(
        program, name="Two in two days", metric="paid_orders", target=2, window="rolling", window_days=2,
        starts_on=date(2026, 3, 1), reward_points=5,
    )  # fmt: skip
    account = LoyaltyAccount.objects.create(program=program, email="dana@example.co.il")
    paid = [datetime(2026, 3, 27, 20, 30, tzinfo=UTC), datetime(2026, 3, 28, 21, 30, tzinfo=UTC)]
    with connection.cursor() as cursor:
        for n, at in enumerate(paid):
            _entry(
                cursor, account.pk, "earn", 100, f"o:{n}", at, 100, {"refund_basis": "100"}, f"{n + 1:032x}"
            )
        assert reached_in_batch([account.pk], [challenge], program.timezone) == {}

        _entry(
            cursor, account.pk, "earn", 100, "o:2", datetime(2026, 3, 29, 7, tzinfo=UTC), 100, {}, f"{3:032x}"
        )
    reached = reached_in_batch([account.pk], [challenge], program.timezone)

    assert [item.window_key for item in reached[account.pk]] == ["2026-03-28..2026-03-29"]


def test_a_merged_guests_action_counts_as_the_reference_counts_it(program):
    """Actions count once per object in each account, as the per-member path reads them: the member's and
    a merged guest's review of the same product are two (the guest's was awarded on its own account)."""
    challenge = challenge_settings.create_challenge(
        program, name="Two reviews", metric="actions", action_kind="product_review", target=2,
        starts_on=date(2026, 3, 1), reward_points=5,
    )  # fmt: skip
    account = LoyaltyAccount.objects.create(program=program, email="dana@example.co.il")
    guest = LoyaltyAccount.objects.create(program=program, email="dana@example.com", merged_into=account)
    at = datetime(2026, 3, 10, 9, tzinfo=UTC)
    with connection.cursor() as cursor:
        for holder, key in ((account, "a"), (guest, "b")):
            detail = {"action": "product_review", "object": "P1"}
            _entry(cursor, holder.pk, "action", 50, f"review:{key}", at, detail=detail)
    expected = _reference([account.pk], [challenge], program.timezone)

    assert _got(reached_in_range(program.pk, 0, account.pk, [challenge], program.timezone)) == expected
    assert _got(reached_in_batch([account.pk], [challenge], program.timezone)) == expected
