"""`bulk`'s array statements write what Django's `bulk_create` / `save` write, for random rows (the campaign
claim inserts its log rows, unsubscribe keys and recipient states through them in one statement)."""

import copy
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import DataError, transaction

from saleor_loyalty.core import bulk
from saleor_loyalty.models import MessageLog, UnsubscribeKey

T0 = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)
TEXT = "abc.019-_:/'\"\\{}[],שלום😀 \n\t%s"


def _text(rng: random.Random, longest: int) -> str:
    return "".join(rng.choice(TEXT) for _ in range(rng.randrange(0, longest)))


def _json(rng: random.Random, depth: int = 0):
    kind = rng.randrange(6 if depth < 3 else 4)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False, 0, -7, 2**40, 1.5])
    if kind in (2, 3):
        return _text(rng, 30)
    if kind == 4:
        return [_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {_text(rng, 8): _json(rng, depth + 1) for _ in range(rng.randrange(4))}


def _log(rng: random.Random, index: int) -> MessageLog:
    maybe = lambda value: value if rng.random() < 0.6 else None  # noqa: E731
    return MessageLog(
        category=_text(rng, 32),
        medium=rng.choice(["email", "sms"]),
        channel_slug=f"c-{index}",
        is_marketing=rng.random() < 0.5,
        recipient=_text(rng, 254),
        subject_hash=_text(rng, 64),
        checkout_token=maybe(uuid.UUID(int=rng.getrandbits(128))),
        step=maybe(rng.randrange(5)),
        status=rng.choice(["claimed", "sent", "failed"]),
        reason=_text(rng, 200),
        subject=_text(rng, 100),
        language_code=rng.choice(["", "he", "en"]),
        context={"k": _json(rng), _text(rng, 5): _json(rng)},
        lease_until=maybe(T0 + timedelta(seconds=rng.randrange(10**6), microseconds=rng.randrange(10**6))),
        attempts=rng.randrange(4),
        created_at=T0 - timedelta(days=rng.randrange(400)),
    )


def _stored(logs) -> list[dict]:
    found = {
        row["channel_slug"]: row
        for row in MessageLog.objects.filter(pk__in=[log.pk for log in logs]).values()
    }
    return [
        {k: v for k, v in found[log.channel_slug].items() if k not in ("id", "claim_key")} for log in logs
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("uniform", [False, True])
def test_inserted_rows_equal_bulk_creates(seed, uniform):
    # given random rows, each twice: one copy for Django, one for the array insert (its ids taken beforehand);
    # uniform: every row draws the same values (each column then goes as one parameter, not an array)
    rng = random.Random(seed)
    first = rng.getstate()
    django_copies, array_copies = [], []
    for index in range(60):
        if uniform:
            rng.setstate(first)
        state = rng.getstate()
        django_copies.append(_log(rng, index))
        rng.setstate(state)
        array_copies.append(_log(rng, index + 1000))
        array_copies[-1].channel_slug = f"c-{index}"
    MessageLog.objects.bulk_create(django_copies)
    first_free = max(log.pk for log in django_copies) + 1
    for offset, log in enumerate(array_copies):
        log.pk = first_free + offset

    # when the copies go in through one INSERT … FROM unnest (the category one parameter when rows share it)
    assert ("SELECT v.c0, v.c1, " in bulk.insert_statement(array_copies).sql) is not uniform
    bulk.insert_rows(array_copies)

    # then every column reads back the same
    assert _stored(array_copies) == _stored(django_copies)


@pytest.mark.django_db
def test_a_conflict_is_skipped_as_bulk_create_skips_it():
    # given a person's key, and a batch holding that person again beside a new one
    UnsubscribeKey.objects.create(key="kept", subject_hash="a", medium="email", created_at=T0)
    batch = [
        UnsubscribeKey(key="new-a", subject_hash="a", medium="email", created_at=T0),
        UnsubscribeKey(key="new-b", subject_hash="b", medium="email", created_at=T0),
    ]

    # when the batch goes in, ignoring conflicts (its rows have no ids: the sequence gives them)
    bulk.insert_rows(batch, ignore_conflicts=True)

    # then the existing key stays and the new person's is added
    assert dict(UnsubscribeKey.objects.values_list("subject_hash", "key")) == {"a": "kept", "b": "new-b"}


@pytest.mark.django_db
def test_writes_run_together_as_one_statement(django_assert_num_queries):
    # given a log row to insert and an existing one to update
    existing = MessageLog.objects.create(
        category="c",
        medium="email",
        channel_slug="x",
        recipient="r",
        subject_hash="h",
        status="claimed",
        created_at=T0,
    )
    new = _log(random.Random(1), 1)
    new.pk = existing.pk + 1
    existing.status, existing.reason = "sent", "done"

    # when both go in one statement
    with django_assert_num_queries(1):
        bulk.together(bulk.insert_statement([new]), bulk.update_statement([existing], ["status", "reason"]))

    # then both are written
    existing.refresh_from_db()
    assert (existing.status, existing.reason) == ("sent", "done")
    assert MessageLog.objects.filter(pk=new.pk, channel_slug="c-1").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(3))
def test_updated_rows_read_back_as_they_are_in_memory(seed):
    # given saved random rows whose fields change, some to one value for all rows, some to each its own
    rng = random.Random(seed)
    logs = [_log(rng, index) for index in range(40)]
    MessageLog.objects.bulk_create(logs)
    fields = [
        "status",
        "reason",
        "subject",
        "lease_until",
        "attempts",
        "context",
        "checkout_token",
        "sent_at",
    ]
    changed, uniform = _log(rng, 0), {name for name in fields if rng.random() < 0.5}
    for log in logs:
        fresh = _log(rng, 0)
        for name in fields:
            setattr(log, name, getattr(changed if name in uniform else fresh, name))

    # when they are written in one UPDATE … FROM unnest
    assert bulk.update_rows(logs, fields) == len(logs)

    # then each reads back as it was in memory
    for log in logs:
        stored = MessageLog.objects.get(pk=log.pk)
        assert {name: getattr(stored, name) for name in fields} == {
            name: getattr(log, name) for name in fields
        }


@pytest.mark.django_db
@pytest.mark.parametrize("uniform", [False, True])
def test_a_value_too_long_for_its_column_is_refused_as_django_refuses_it(uniform):
    # given log rows, one (or all) with a category longer than its column's 32 characters
    logs = [_log(random.Random(index), index) for index in range(3)]
    for log in logs:
        log.category = "c" * (33 if uniform or log is logs[1] else 5)

    # then the insert fails as bulk_create's does, rather than cutting the value
    with pytest.raises(DataError), transaction.atomic():
        MessageLog.objects.bulk_create([copy.copy(log) for log in logs])
    with pytest.raises(DataError), transaction.atomic():
        bulk.insert_rows([_with_pk(log, 10_000 + index) for index, log in enumerate(logs)])


def _with_pk(log: MessageLog, pk: int) -> MessageLog:
    log = copy.copy(log)
    log.pk = pk
    return log
