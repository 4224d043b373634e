"""Depth, cost, aliases and page sizes are priced from the query text alone, before anyone is authenticated."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql import parse

from saleor_loyalty.graphql import limits, pagination, query_limits, views
from tests.engine.graphql.http import code, never, post


def fan_out(levels: int) -> str:
    """`levels` fragments, each spreading the one below eight times: 8^levels fields once expanded."""
    fragments = ["fragment F0 on LoyaltyMember { email }"]
    for level in range(1, levels + 1):
        fragments.append(f"fragment F{level} on LoyaltyMember {{ {f' ...F{level - 1}' * 8} }}")
    return f'{{ me(channel: "il") {{ ...F{levels} }} }} ' + " ".join(fragments)


def analyse(query, variables=None):
    return query_limits.analyse(views.schema, parse(query), variables or {}, views.PRICING)


def test_an_eight_by_eight_fragment_fan_out_is_refused_with_a_typed_error_before_auth():
    # given eight fragments each spreading the next eight times (36 s of CPU before the guard was memoised)
    # when it is posted anonymously
    status, body = post({"query": fan_out(8)}, never)
    # then it is refused as too costly, without authenticating
    assert (status, code(body)) == (400, "QUERY_TOO_COMPLEX")


def test_the_guard_visits_each_selection_once_however_the_fragments_fan_out():
    # given fan-outs of 8 and 9 levels (the second expands to eight times as many fields)
    # when their figures are computed
    eight = query_limits.Walk(views.schema, parse(fan_out(8)), {}, views.PRICING)
    nine = query_limits.Walk(views.schema, parse(fan_out(9)), {}, views.PRICING)
    for walk, levels in ((eight, 8), (nine, 9)):
        walk.selections(walk.fragments[f"F{levels}"].selection_set, views.schema.get_type("LoyaltyMember"))
    # then each selection written in the query was looked at once: one more level is eight more visits
    assert eight.visited == 8 * 8 + 1
    assert nine.visited - eight.visited == 8


def test_a_fragment_cycle_is_refused_as_too_deep():
    query = '{ me(channel: "il") { ...a } } fragment a on LoyaltyMember { tier { name } ...a }'
    status, body = post({"query": query}, never)
    assert (status, code(body)) == (400, "QUERY_TOO_DEEP")


@pytest.mark.parametrize("literal", ["2.2250738585072014e-308", "1.5", '"20"', "TWENTY", "[20]", "{n: 20}"])
def test_a_page_size_that_is_no_int_literal_is_a_validation_error_not_a_server_error(db, literal):
    # given `first` written as a float, a string, an enum, a list or an object (schemathesis sent the float)
    query = f'{{ bulkGrants(channel: "il", first: {literal}) {{ id }} }}'
    # when it is posted
    status, body = post({"query": query})
    # then GraphQL's validation refuses the argument, with no data (the guard priced it as a full page)
    assert status == 200
    assert body["data"] is None
    assert "first" in body["errors"][0]["message"]


def me_aliases(count: int) -> str:
    aliases = " ".join(f"a{i}:me(channel:$c){{...T}}" for i in range(count))
    return (
        f"query($c: String!) {{ {aliases} }} "
        "fragment T on LoyaltyMember { transactions(first: 100) { edges { node { kind points } } } }"
    )


def test_six_hundred_aliases_of_a_full_history_page_run_no_sql(db):
    # given a 16 KiB body asking 600 times for a member's 100 latest transactions
    query = me_aliases(600)
    assert len(query) <= limits.MAX_QUERY_LENGTH
    # when a signed-in customer posts it
    with CaptureQueriesContext(connection) as queries:
        status, body = post({"query": query, "variables": {"c": "il"}}, never)
    # then it is refused before authentication, having asked the database nothing
    assert (status, code(body)) == (400, "TOO_MANY_FIELDS")
    assert len(queries) == 0


def test_the_cost_limit_refuses_a_few_aliases_of_many_full_pages_before_any_sql(db):
    # given 8 members' views each asking for 8 aliased 100-transaction pages (72 aliases, under the alias cap)
    pages = " ".join(
        f"t{i}: transactions(first: 100) {{ edges {{ node {{ kind points }} }} }}" for i in range(8)
    )
    query = "{ " + " ".join(f'm{i}: me(channel: "il") {{ {pages} }}' for i in range(8)) + " }"
    with pytest.raises(limits.RequestRefused) as refusal:
        analyse(query)
    assert refusal.value.code.name == "QUERY_TOO_COMPLEX"
    # when it is posted, then nothing is read from the database
    with CaptureQueriesContext(connection) as queries:
        status, body = post({"query": query}, never)
    assert (status, code(body), len(queries)) == (400, "QUERY_TOO_COMPLEX", 0)


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ('{ me(channel: "il") { transactions(first: 101) { totalCount } } }', {}),
        ('query($n: Int) { me(channel: "il") { transactions(first: $n) { totalCount } } }', {"n": 101}),
        ('query($n: Int = 500) { me(channel: "il") { transactions(first: $n) { totalCount } } }', {}),
        ('{ members(channel: "il", first: -1) { totalCount } }', {}),
        ('{ members(channel: "il", first: 0) { totalCount } }', {}),
    ],
)
def test_a_page_outside_1_to_saleors_cap_is_refused_before_auth_as_the_resolvers_would(query, variables):
    # when a page size outside 1..100 is asked for, literally, by variable or by a variable's default
    status, body = post({"query": query, "variables": variables}, never)
    # then it is the resolvers' typed error (graphql/pagination.py), but before anything runs
    assert status == 400
    assert body["errors"][0]["extensions"]["exception"] == {"code": "INVALID", "field": "first"}


def test_the_guard_and_the_resolvers_cap_pages_alike():
    assert limits.MAX_PAGE == pagination.MAX_PAGE


def test_page_sizes_price_the_cost_with_variables_resolved():
    query = 'query($n: Int) { me(channel: "il") { transactions(first: $n) { edges { node { kind } } } } }'
    small, large = analyse(query, {"n": 1}), analyse(query, {"n": 100})
    assert large.cost > 50 * small.cost


def test_more_root_fields_than_the_limit_are_refused(db):
    # given one more top-level field than allowed, half of them through a fragment
    half = limits.MAX_ROOT_FIELDS // 2
    fields = " ".join(f"r{i}: __typename" for i in range(half + 1))
    query = (
        f"{{ {fields} ...Q }} fragment Q on Query {{ {' '.join(f'q{i}: __typename' for i in range(half))} }}"
    )
    status, body = post({"query": query}, never)
    assert (status, code(body)) == (400, "TOO_MANY_FIELDS")
    # and exactly the limit is answered
    fields = " ".join(f"r{i}: __typename" for i in range(limits.MAX_ROOT_FIELDS))
    assert post({"query": f"{{ {fields} }}"})[0] == 200


def test_one_key_repeated_many_times_in_a_selection_set_is_refused():
    # graphql-core compares repeats of one response key pairwise: 1,400 `__typename` took 1.5 s to validate
    status, body = post({"query": "{ " + "__typename " * 1400 + "}"}, never)
    assert (status, code(body)) == (400, "TOO_MANY_FIELDS")


def test_brackets_nested_past_the_parsers_recursion_are_refused_before_parsing():
    status, body = post({"query": "{ a" + "{ a" * 4000 + "}" * 4001}, never)
    assert (status, code(body)) == (400, "QUERY_TOO_DEEP")
