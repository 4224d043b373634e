"""The club endpoint's HTTP guard rails: what is refused before any resolver runs."""

import json

import pytest
from django.test import RequestFactory

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.graphql import views
from saleor_loyalty.graphql.context import ClubContext


def post(body, context_factory=lambda request: ClubContext(requestor=Requestor())):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = RequestFactory().post("/graphql/", raw, content_type="application/json")
    response = views.handle(request, context_factory, graphiql_enabled=False)
    return response.status_code, json.loads(response.content)


def nested(levels: int) -> str:
    """A syntactically valid query `levels` selections deep (fields need not exist: depth is checked first)."""
    return "{ " + " { ".join(["a"] * levels) + " }" * levels


def test_a_plain_query_runs(db):
    assert post({"query": "{ __typename }"}) == (200, {"data": {"__typename": "Query"}})


@pytest.mark.parametrize(
    "query",
    [
        nested(13),
        "query { ...deep } fragment deep on Query " + nested(13),
        'query { me(channel: "il") { ...a } } fragment a on LoyaltyMember { ...b } fragment b on LoyaltyMember { ...a }',
    ],
)
def test_too_deep_or_cyclic_queries_are_refused_before_auth(query):
    def never(_request):
        raise AssertionError("authenticated a query that should have been refused")

    status, body = post({"query": query}, never)
    assert status == 400
    assert "deeper than 12" in body["errors"][0]["message"]


def test_depth_counts_through_inline_fragments_and_spreads():
    assert views.query_depth(nested(12)) == 12
    assert views.query_depth("query { ... on Query { a { b } } }") == 2
    assert views.query_depth("{ a { ...f } } fragment f on A { b { c } }") == 3
    assert views.query_depth("not graphql {") == 0


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"x" * (views.MAX_BODY_BYTES + 1), 413),
        (b"{not json", 400),
        (json.dumps({"query": "{ a }" + " " * views.MAX_QUERY_LENGTH}).encode(), 400),
    ],
)
def test_oversized_or_malformed_bodies_are_refused(raw, status):
    assert post(raw)[0] == status
