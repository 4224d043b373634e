"""The worst 16 KiB requests we can build, per caller, against the club view; times against a trivial query.

    DATABASE_URL=postgres://…/fresh_db bash scripts/bench.sh guards [--members 150 --rows 200]

Each candidate body (at most 16 KiB of query) is posted through `views.handle`, as the plugin's
webhook does, by an anonymous caller, a customer with `--rows` ledger rows, and staff with
MANAGE_USERS over `--members` members. Printed per candidate: status, wall time, SQL statements,
and the ratio to `{ __typename }` timed in the same run; then the worst per caller.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.accrual import setup_django  # noqa: E402

SIXTEEN_KIB = 16 * 1024


def fan_out(levels: int) -> str:
    fragments = ["fragment F0 on LoyaltyMember { email }"]
    fragments += [f"fragment F{n} on LoyaltyMember {{ {f' ...F{n - 1}' * 8} }}" for n in range(1, levels + 1)]
    return f'{{ me(channel: "il") {{ ...F{levels} }} }} ' + " ".join(fragments)


def fill(template: str, count_max: int) -> str:
    """As many repeats of `template.format(i)` as fit in 16 KiB, inside `{ … }`."""
    parts, size = [], 4
    for i in range(count_max):
        part = template.format(i=i)
        if size + len(part) + 1 > SIXTEEN_KIB:
            break
        parts.append(part)
        size += len(part) + 1
    return "{ " + " ".join(parts) + " }"


MEMBER = "email points { available pending } tier { name } nextTier { name } nextExpiring { points } "
EVERY = (
    "email storeCreditCode earlyAccess points { available } pointsValue { amount } nextExpiring { points } "
    "storeCredit { amount } pendingCashback { amount } creditDebt { amount } tier { name } nextTier { name } "
    "progress { percent } retainBy { points } tierFloor { name } birthday { month } "
    "tierHistory(first: 1) { cause } transactions(first: 1) { totalCount } "
)
CANDIDATES = {
    "anonymous": {
        "8x8 fragment fan-out": fan_out(8),
        "1,400 repeated __typename": "{ " + "__typename " * 1400 + "}",
        "standard introspection": (
            Path(__file__).parent.parent / "tests/engine/graphql/introspection_query.graphql"
        ).read_text(),
        "aliases of clubShippingMethodIds": fill('c{i}: clubShippingMethodIds(channel: "il")', 600),
        "aliases of earlyAccess": fill('e{i}: earlyAccess(channel: "il") {{ id }}', 600),
    },
    "customer": {
        "580 aliases of me.transactions(100)": fill(
            'a{i}: me(channel: "il") {{ transactions(first: 100) {{ totalCount }} }}', 580
        ),
        "me with 9 aliased transaction pages (100)": '{ me(channel: "il") { '
        + " ".join(
            f"t{i}: transactions(first: 100) {{ edges {{ node {{ kind points }} }} }}" for i in range(9)
        )
        + " } }",
        "10 me with every member field": "{ "
        + " ".join(f'm{i}: me(channel: "il") {{ {EVERY} }}' for i in range(10))
        + " }",
        "me with 90 aliases of nextExpiring/progress/retainBy": '{ me(channel: "il") { '
        + " ".join(
            f"a{i}: nextExpiring {{ points }} b{i}: progress {{ percent }} c{i}: retainBy {{ points }}"
            for i in range(30)
        )
        + " } }",
    },
    "staff": {
        "aliases of members(100)": fill(
            'm{i}: members(channel: "il", first: 100) {{ edges {{ node {{ email }} }} }}', 600
        ),
        "members(100) with member fields": '{ members(channel: "il", first: 100) { edges { node { '
        + MEMBER
        + "} } } }",
        "members(100) with every member field": '{ members(channel: "il", first: 100) { edges { node { '
        + EVERY
        + "} } } }",
        "members(20) with every member field": '{ members(channel: "il", first: 20) { edges { node { '
        + EVERY
        + "} } } }",
        "10 member(email) with every member field": "{ "
        + " ".join(f'm{i}: member(channel: "il", email: "m{i}@bench.test") {{ {EVERY} }}' for i in range(10))
        + " }",
        "members(100) x transactions(10)": '{ members(channel: "il", first: 100) { edges { node { '
        "transactions(first: 10) { edges { node { kind } } } } } } }",
    },
}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=150)
    parser.add_argument("--rows", type=int, default=200)
    args = parser.parse_args()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from saleor_loyalty import ledger
    from saleor_loyalty.core.facts import ChannelFacts, Requestor
    from saleor_loyalty.graphql import views
    from saleor_loyalty.graphql.context import ClubContext
    from saleor_loyalty.ledger import programs

    program = programs.ensure_program(ChannelFacts("il", "ILS", "IL"))
    users = get_user_model()
    customer, _ = users.objects.get_or_create(username="bench-customer", email="c@bench.test")
    account = ledger.account_for(program, customer.pk, customer.email)
    staff, _ = users.objects.get_or_create(username="bench-staff", email="s@bench.test", is_staff=True)
    actor = Requestor(user_id=staff.pk, is_staff=True).as_actor()
    for i in range(args.rows - account.entries.count() if hasattr(account, "entries") else args.rows):
        ledger.adjust_points(account, 1, "bench", actor, f"bench-row-{i}")
    for i in range(args.members):
        member, _ = users.objects.get_or_create(username=f"bench-m{i}", email=f"m{i}@bench.test")
        ledger.account_for(program, member.pk, member.email)
    callers = {
        "anonymous": Requestor(),
        "customer": Requestor(user_id=customer.pk, email=customer.email),
        "staff": Requestor(user_id=staff.pk, is_staff=True, permissions=frozenset({"MANAGE_USERS"})),
    }

    def post(query, requestor):
        raw = json.dumps({"query": query}).encode()
        request = RequestFactory().post("/graphql/", raw, content_type="application/json")
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = views.handle(request, lambda _r: ClubContext(requestor=requestor), False)
            elapsed = time.perf_counter() - started
        return response.status_code, elapsed, len(queries)

    baseline = min(post("{ __typename }", callers["anonymous"])[1] for _ in range(20))
    print(f"baseline {{ __typename }}: {baseline * 1000:.2f} ms")
    for caller, candidates in CANDIDATES.items():
        worst = ("", 0.0)
        for name, query in candidates.items():
            status, elapsed, sql = post(query, callers[caller])
            print(
                f"{caller:9} {name:44} {len(query):6} B  {status}  {elapsed * 1000:9.1f} ms"
                f"  {sql:5} SQL  ×{elapsed / baseline:,.0f}"
            )
            worst = max(worst, (name, elapsed), key=lambda item: item[1])
        print(f"  worst for {caller}: {worst[0]} — {worst[1] * 1000:.1f} ms (×{worst[1] / baseline:,.0f})")


if __name__ == "__main__":
    main()
