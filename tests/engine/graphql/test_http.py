"""The club endpoint's HTTP guard rails: what is refused before any resolver runs."""

import json
import logging

import graphene
import pytest
from django.test import RequestFactory

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.graphql import limits, views
from saleor_loyalty.graphql.context import ClubContext
from saleor_loyalty.models import LedgerEntry


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


def code(body) -> str:
    return body["errors"][0]["extensions"]["exception"]["code"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": 123}, "query"),
        ({"query": ["{ __typename }"]}, "query"),
        ({"query": "{ __typename }", "variables": [1]}, "variables"),
        ({"query": "{ __typename }", "operationName": 7}, "operationName"),
    ],
)
def test_a_body_of_the_wrong_shape_is_a_typed_400(body, field):
    status, answer = post(body)
    assert (status, code(answer)) == (400, "BAD_REQUEST")
    assert answer["errors"][0]["extensions"]["exception"]["field"] == field


ADJUST = """mutation($userId: ID!, $reason: String!, $key: String) {
  loyaltyPointsAdjust(channel: "il", userId: $userId, points: 5, reason: $reason, idempotencyKey: $key) {
    errors { field message code } } }"""


def staff_factory(user):
    requestor = Requestor(
        user_id=user.pk, email=user.email, is_staff=True, permissions=frozenset({"MANAGE_USERS"})
    )
    return lambda _request: ClubContext(requestor=requestor)


@pytest.mark.parametrize(
    "variables",
    [
        {"reason": "bonus\x00"},
        {"reason": "x" * (limits.MAX_STRING_LENGTH + 1)},
        {"reason": "bonus", "key": "k\x00"},
    ],
)
def test_a_nul_byte_or_an_over_long_string_is_a_typed_400_and_writes_nothing(club, customer, variables):
    # given staff adjusting a customer's points with a NUL byte or a huge string in a variable
    staff = customer.__class__.objects.create(username="staff", email="staff@shop.co.il", is_staff=True)
    variables = {"userId": graphene.Node.to_global_id("User", customer.pk), **variables}
    # when posted
    status, body = post({"query": ADJUST, "variables": variables}, staff_factory(staff))
    # then it is refused with a typed error and no ledger row is written
    assert (status, code(body)) == (400, "INVALID")
    assert not LedgerEntry.objects.exists()


def test_a_nul_byte_in_the_query_text_is_a_typed_400(db):
    status, body = post({"query": '{ me(channel: "il\x00") { email } }'})
    assert (status, code(body)) == (400, "INVALID")


def test_a_string_postgresql_refuses_is_a_typed_error_and_writes_nothing(club, customer):
    # given an idempotency key under the request's string cap but longer than its column allows
    staff = customer.__class__.objects.create(username="staff", email="staff@shop.co.il", is_staff=True)
    variables = {
        "userId": graphene.Node.to_global_id("User", customer.pk),
        "reason": "bonus",
        "key": "k" * 1000,
    }
    status, body = post({"query": ADJUST, "variables": variables}, staff_factory(staff))
    # then the engine refuses it by name before PostgreSQL would (the DataError mapping stays the backstop)
    assert status == 200
    (error,) = body["data"]["loyaltyPointsAdjust"]["errors"]
    assert (error["field"], error["code"]) == ("idempotencyKey", "INVALID")
    assert not LedgerEntry.objects.exists()


def test_a_hundred_aliases_of_a_failing_field_write_one_log_line(club, customer, caplog, monkeypatch):
    # given a signed-in customer asking for their card code under 100 aliases, and the card service failing
    requestor = Requestor(user_id=customer.pk, email=customer.email)
    aliases = " ".join(f"c{i}: storeCreditCode" for i in range(100))

    def card_service_down(*_args):
        raise RuntimeError("card service down")

    monkeypatch.setattr("saleor_loyalty.graphql.member_types.summarize_credit", card_service_down)

    def context(_request):
        return ClubContext(requestor=requestor)

    # when posted
    with caplog.at_level(logging.INFO, logger="saleor_loyalty.graphql.views"):
        status, body = post({"query": f'{{ me(channel: "il") {{ {aliases} }} }}'}, context)
    # then every alias answers its error, and the log has one line for the request, counting them
    assert status == 200
    assert len(body["errors"]) == 100
    assert len(caplog.records) == 1
    assert "100 ×" in caplog.records[0].getMessage()


def test_three_hundred_aliases_are_refused_with_one_log_line(caplog):
    aliases = " ".join(f"c{i}: __typename" for i in range(300))
    with caplog.at_level(logging.INFO, logger="saleor_loyalty.graphql.views"):
        status, body = post({"query": f"{{ q {{ {aliases} }} }}"})
    assert (status, code(body)) == (400, "TOO_MANY_FIELDS")
    assert len(caplog.records) == 1
