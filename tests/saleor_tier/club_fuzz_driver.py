"""Schemathesis against the live club endpoint; run by its own virtualenv's Python, never Saleor's.

    python club_fuzz_driver.py URL SNAPSHOT_URL REPORT.json --examples N [--token CALLER=JWT ...]

Schemathesis reads the endpoint's schema by introspection and generates operations for every query
and mutation root field, valid and deliberately invalid (its positive and negative modes), sent by
each caller in turn (`anonymous`, and each `--token`). Around every mutation the club's tables are
fingerprinted through SNAPSHOT_URL. Each request becomes one JSON line of the report (caller, field,
status, body, time, which tables changed), written as it goes; the Saleor-tier test judges them. Standalone on
purpose: schemathesis needs graphql-core 3, Saleor's Python has graphql-core 2.
"""

import argparse
import itertools
import json
import time

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.graphql import nodes

# The club's own scalars: values of the right shape, and strings of any shape (the server must refuse
# what it cannot read with a typed error, not fail).
schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str), st.text(max_size=20)
    ).map(nodes.String),
)
schemathesis.graphql.scalar("JSONString", st.one_of(st.just("{}"), st.text(max_size=40)).map(nodes.String))
schemathesis.graphql.scalar("_Any", st.text(max_size=40).map(nodes.String))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("snapshot_url")
    parser.add_argument("report")
    parser.add_argument(
        "--examples", type=int, default=2, help="cases per root field and mode (valid / invalid)"
    )
    parser.add_argument("--token", action="append", default=[], help="CALLER=JWT")
    args = parser.parse_args()
    callers = {"anonymous": {}} | {
        name: {"Authorization": f"JWT {token}"} for name, token in (item.split("=", 1) for item in args.token)
    }
    session = requests.Session()
    schema = schemathesis.graphql.from_url(args.url, timeout=60)
    operations = [result.ok() for result in schema.get_all_operations()]
    started = time.monotonic()
    report = open(args.report, "w")  # one JSON line per request, written as it goes

    def write(line: dict) -> None:
        report.write(json.dumps(line) + "\n")
        report.flush()

    def snapshot():
        return session.get(args.snapshot_url, timeout=30).json()

    turn = itertools.cycle(callers.items())  # every caller gets its share of every field's cases

    def fuzz(operation, mode):
        @settings(
            max_examples=args.examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def send(case):
            caller, headers = next(turn)
            mutation = operation.label.startswith("Mutation")
            before = snapshot() if mutation else {}
            sent = time.monotonic()
            response = case.call(session=session, headers=headers, timeout=60)
            seconds = time.monotonic() - sent
            after = snapshot() if mutation else {}
            changed = sorted(name for name, digest in after.items() if before.get(name) != digest)
            try:
                body = response.json()
            except ValueError:
                body = {"unparsed": response.text[:500]}
            query = case.body.get("query", "") if isinstance(case.body, dict) else str(case.body)
            write(
                {
                    "seconds": round(seconds, 3),
                    "caller": caller,
                    "field": operation.label,
                    "mode": mode.value,
                    "query": query[:2000],
                    "status": response.status_code,
                    "body": body,
                    "changed": changed,
                }
            )

        send()

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(operation, mode)
    write({"summary": True, "seconds": time.monotonic() - started, "fields": len(operations)})
    report.close()


if __name__ == "__main__":
    main()
