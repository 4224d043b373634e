"""Order events on the distributed engine: 1 Celery worker, then 4 (one killed with SIGKILL midway), same run.

    bash scripts/bench.sh celery_scale [--events N] [--baseline-events N] [--rounds R] [--members M] [--database NAME]

Starts real `celery worker` processes (prefork pool of one process each, as Saleor runs them; acks late,
prefetch 1) on the machine's RabbitMQ
(CELERY_BROKER_URL, default amqp://guest:guest@127.0.0.1:5672//) and a dedicated bench database on the
local PostgreSQL (postgres@127.0.0.1:5432, dropped and created by the run). Workers run the task of
`celery_scale_app.py`: facts from a deterministic generator, then `orders.sync.sync_order`.

The stream: every order is paid; 15 % are refunded (a third of those twice, cumulatively), 3 %
cancelled; half of the orders with more than one event get them in reverse order (refund before
paid, second refund before first); 10 % of events are published twice. Each event carries the facts
its stage saw (stale facts for late events).

1-worker phases (the baseline, `--baseline-events` in all) and 4-worker phases (`--events` in all)
alternate `--rounds` times, so load from others on the machine falls on both alike. A phase starts its
workers, waits until they all consume, then publishes its events. In the last 4-worker phase, when half
is done, one worker is killed with SIGKILL and started again (its unacknowledged message goes back to
the queue). Throughput is events / (last done - first done) per phase, from the done table.

Checked at the end, over both phases: every event done; one earn row for every order; every order's
reversals add up to what its last stage calls for (from its earn row, by `ledger.rules`); every
account's cached balance equals the sum of its rows (`ledger.reconcile_account`).
"""

import argparse
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
QUEUE_PREFIX = "h6bench.celery_scale"


def prepare_database(name: str, members: int):
    import psycopg

    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.engine.settings"
    sys.path[:0] = [str(BENCH), str(ROOT)]
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    import celery_scale_app as bench_app
    from django.db import connection

    from saleor_loyalty.core.facts import ChannelFacts
    from saleor_loyalty.ledger import programs

    programs.ensure_program(ChannelFacts(bench_app.CHANNEL, "ILS", "IL"))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, "
            "is_staff, is_active, date_joined) SELECT g, '', false, 'bench' || g, '', '', "
            "'bench' || g || '@example.com', false, true, now() FROM generate_series(1, %s) g",
            [members],
        )
        cursor.execute(
            f"CREATE TABLE {bench_app.DONE_TABLE} (event_id int PRIMARY KEY, worker text NOT NULL, "
            "redelivered boolean NOT NULL, runs int NOT NULL DEFAULT 1, done_at timestamptz NOT NULL "
            "DEFAULT clock_timestamp())"
        )
        cursor.execute(f"CREATE TABLE {bench_app.READY_TABLE} (worker text NOT NULL)")
    return bench_app


def make_stream(bench_app, first_order: int, events: int, first_event: int, rng: random.Random):
    """About `events` events for orders from `first_order` on: (event_id, order index, stage), in
    publishing order, with out-of-order stages and duplicates. Returns (stream, {order: last stage})."""
    orders = max(1, round(events / (1.18 * 1.1)))
    keyed, last_stage = [], {}
    for index in range(first_order, first_order + orders):
        draw = rng.random()
        if draw < 0.05:
            stages = [bench_app.PAID, bench_app.REFUND_1, bench_app.REFUND_2]
        elif draw < 0.15:
            stages = [bench_app.PAID, bench_app.REFUND_1]
        elif draw < 0.18:
            stages = [bench_app.PAID, bench_app.CANCEL]
        else:
            stages = [bench_app.PAID]
        last_stage[index] = stages[-1]
        if len(stages) > 1 and rng.random() < 0.5:
            stages.reverse()  # the refund (or cancellation) arrives before the payment
        for step, stage in enumerate(stages):
            keyed.append((index - first_order + step * 40 + rng.random() * 20, index, stage))
    keyed.sort()
    stream = [(index, stage) for _, index, stage in keyed]
    for _ in range(len(stream) // 10):  # 10 % published twice, anywhere in the stream
        stream.insert(rng.randrange(len(stream) + 1), stream[rng.randrange(len(stream))])
    return [(first_event + i, index, stage) for i, (index, stage) in enumerate(stream)], last_stage


def publish(bench_app, queue: str, stream, members: int) -> None:
    with bench_app.app.producer_or_acquire() as producer:
        for event_id, index, stage in stream:
            bench_app.bench_sync_order.apply_async(
                (event_id, index, stage, members), queue=queue, producer=producer
            )


def purge(bench_app, queues, delete=False) -> None:
    with bench_app.app.connection_for_write() as conn:
        channel = conn.default_channel
        for queue in queues:
            try:
                channel.queue_delete(queue) if delete else channel.queue_purge(queue)
            except Exception:  # noqa: BLE001 - a queue that does not exist yet
                channel = conn.channel()


def start_worker(queue: str, name: str, log) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)])}
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "celery_scale_app",
        "worker",
        "--pool=prefork",
        "-c",
        "1",
        "-Q",
        queue,
    ]
    command += [
        "-n",
        f"{name}@h6bench",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "WARNING",
    ]
    # its own process group: the kill takes the worker's pool process with it, as a lost machine would
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_ready(names, deadline: float) -> None:
    from django.db import connection

    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(DISTINCT worker) FROM bench_celery_ready WHERE worker = ANY(%s)", [names]
            )
            if cursor.fetchone()[0] == len(names):
                return
        if time.monotonic() > deadline:
            raise SystemExit(f"workers {names} not ready in time")
        time.sleep(0.2)


def done_count(first_event: int, last_event: int) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM bench_celery_done WHERE event_id BETWEEN %s AND %s",
            [first_event, last_event],
        )
        return cursor.fetchone()[0]


def run_phase(bench_app, label, stream, members, workers, kill, timeout, log) -> dict:
    queue = f"{QUEUE_PREFIX}.{label}"
    first, last = stream[0][0], stream[-1][0]
    names = [f"{label}-{i}" for i in range(workers)]
    procs = [start_worker(queue, name, log) for name in names]
    wait_ready([f"{name}@h6bench" for name in names], time.monotonic() + timeout)
    publish(bench_app, queue, stream, members)
    deadline, killed_at = time.monotonic() + timeout, None
    try:
        while (done := done_count(first, last)) < len(stream):
            if time.monotonic() > deadline:
                raise SystemExit(f"{label}: only {done}/{len(stream)} events done after {timeout} s")
            if kill and killed_at is None and done >= len(stream) // 2:
                victim = procs[1]
                os.killpg(victim.pid, signal.SIGKILL)
                victim.wait()
                killed_at = done
                procs[1] = start_worker(queue, f"{label}-1r", log)
            time.sleep(0.2)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), EXTRACT(EPOCH FROM max(done_at) - min(done_at)), "
            "count(*) FILTER (WHERE redelivered), sum(runs) - count(*) "
            "FROM bench_celery_done WHERE event_id BETWEEN %s AND %s",
            [first, last],
        )
        count, seconds, redelivered, reruns = cursor.fetchone()
    return {
        "events": count,
        "seconds": float(seconds),
        "rate": count / float(seconds),
        "redelivered": redelivered,
        "reruns": reruns,
        "killed_at": killed_at,
    }


def check(bench_app, members: int, last_stage: dict) -> dict:
    """The books after the storm: one earn per order, reversals as the last stage calls for, no drift."""
    from django.db.models import Sum

    from saleor_loyalty import ledger
    from saleor_loyalty.ledger.rules import reversal_target
    from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount

    earns = list(
        LedgerEntry.objects.filter(
            kind=EntryKind.EARN, account__program__channel_slug=bench_app.CHANNEL
        ).values_list("id", "order_number", "points", "detail")
    )
    numbers = [int(number) for _, number, _, _ in earns]
    assert len(numbers) == len(set(numbers)), "an order earned twice"
    assert set(numbers) == set(last_stage), f"{len(set(last_stage) - set(numbers))} orders never earned"
    reversed_by_earn = dict(
        LedgerEntry.objects.filter(kind=EntryKind.EARN_REVERSAL)
        .values("reverses_id")
        .annotate(taken=Sum("points"), forgiven=Sum("forgiven_points"))
        .values_list("reverses_id", "taken")
    )
    forgiven = dict(
        LedgerEntry.objects.filter(kind=EntryKind.EARN_REVERSAL)
        .values("reverses_id")
        .annotate(forgiven=Sum("forgiven_points"))
        .values_list("reverses_id", "forgiven")
    )
    wrong = 0
    for earn_id, number, points, detail in earns:
        target = reversal_target(
            points, detail, bench_app.order_facts(int(number), last_stage[int(number)], members)
        )
        expected = target.points if target else 0
        wrong += -(reversed_by_earn.get(earn_id) or 0) + (forgiven.get(earn_id) or 0) != expected
    assert wrong == 0, f"{wrong} orders' reversals differ from what their last stage calls for"
    accounts = list(LoyaltyAccount.objects.filter(program__channel_slug=bench_app.CHANNEL))
    drift = sum(1 for account in accounts if ledger.reconcile_account(account) != 0)
    assert drift == 0, f"{drift} accounts' cached balance differs from the sum of their rows"
    refunded = sum(1 for stage in last_stage.values() if stage != bench_app.PAID)
    return {"orders": len(earns), "reversed_orders": refunded, "accounts": len(accounts)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000, help="events for the 4-worker phases")
    parser.add_argument("--baseline-events", type=int, default=5_000, help="events for the 1-worker phases")
    parser.add_argument(
        "--rounds", type=int, default=2, help="1-worker and 4-worker phases alternate this often"
    )
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--timeout", type=int, default=900, help="seconds per phase before giving up")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--database", default=f"loyalty_bench_celery{os.environ.get('LOYALTY_TEST_DB_SUFFIX', '')}"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    bench_app = prepare_database(args.database, args.members)
    phases, last_stage, next_event = [], {}, 0
    for number in range(args.rounds):
        for workers, events in ((1, args.baseline_events), (args.workers, args.events)):
            stream, stages = make_stream(bench_app, len(last_stage), events // args.rounds, next_event, rng)
            label = f"r{number}w{workers}"
            kill = workers > 1 and number == args.rounds - 1
            phases.append((label, workers, kill, stream))
            last_stage.update(stages)
            next_event += len(stream)
    queues = [f"{QUEUE_PREFIX}.{label}" for label, *_ in phases]
    purge(bench_app, queues)
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"{args.database}-workers.log"
    results = {1: [], args.workers: []}
    try:
        with open(log_path, "w") as log:
            for label, workers, kill, stream in phases:
                result = run_phase(bench_app, label, stream, args.members, workers, kill, args.timeout, log)
                results[workers].append(result)
                print(
                    f"  {label}: {result['events']} events in {result['seconds']:.1f} s = {result['rate']:.0f}/s"
                    + (f" (worker SIGKILLed at {result['killed_at']} done, restarted)" if kill else ""),
                    flush=True,
                )
    finally:
        purge(bench_app, queues, delete=True)
    books = check(bench_app, args.members, last_stage)
    single, multi = (
        {key: sum(r[key] for r in results[w]) for key in ("events", "seconds", "redelivered", "reruns")}
        for w in (1, args.workers)
    )
    single["rate"], multi["rate"] = (x["events"] / x["seconds"] for x in (single, multi))
    multi["killed_at"] = results[args.workers][-1]["killed_at"]

    print(f"members {args.members}; workers' log: {log_path}")
    print(
        f"1 worker   : {single['events']:6d} events in {single['seconds']:6.1f} s = {single['rate']:6.0f} events/s (baseline)"
    )
    print(
        f"{args.workers} workers  : {multi['events']:6d} events in {multi['seconds']:6.1f} s = {multi['rate']:6.0f} events/s "
        f"({multi['rate'] / single['rate']:.2f}x the 1-worker rate; one worker SIGKILLed at {multi['killed_at']} "
        f"done and restarted; {multi['redelivered']} redelivered, {multi['reruns']} run twice)"
    )
    print(
        f"books      : {books['orders']} orders earned exactly once, {books['reversed_orders']} refunded or "
        f"cancelled as their last event says, {books['accounts']} accounts reconcile to 0"
    )


if __name__ == "__main__":
    main()
