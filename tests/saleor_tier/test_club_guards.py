"""The real club endpoint answers the standard introspection query like Saleor's API, and refuses costly bodies."""

import json
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from graphql.utils.build_client_schema import build_client_schema

from tests.saleor_tier.flows import CLUB_URL, club

INTROSPECTION = (
    Path(__file__).parent.parent / "engine" / "graphql" / "introspection_query.graphql"
).read_text()


def test_the_standard_introspection_query_is_answered_by_the_club_as_by_saleor(customer_user):
    # given the query GraphiQL and graphql-codegen send (npm graphql@16.15.0 getIntrospectionQuery())
    # when both Saleor's API and the club endpoint get it
    saleor = Client().post("/graphql/", json.dumps({"query": INTROSPECTION}), content_type="application/json")
    status, body = club(INTROSPECTION, user=customer_user)
    # then both answer it, and the club's answer reads back as a schema with the club's types
    assert saleor.status_code == 200
    assert "errors" not in saleor.json()
    assert status == 200
    assert "errors" not in body, body
    assert "me" in build_client_schema(body["data"]).get_query_type().fields


def test_a_costly_customer_body_is_refused_before_any_sql(customer_user):
    # given a signed-in customer's body asking eight times for eight aliased full history pages
    pages = " ".join(f"t{i}: transactions(first: 100) {{ edges {{ node {{ kind }} }} }}" for i in range(8))
    query = "{ " + " ".join(f'm{i}: me(channel: "main") {{ {pages} }}' for i in range(8)) + " }"
    # when posted to the real endpoint
    with CaptureQueriesContext(connection) as queries:
        response = Client().post(CLUB_URL, json.dumps({"query": query}), content_type="application/json")
    # then it is a typed 400, and the club asked the database nothing (Saleor's plugin lookup may)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["exception"]["code"] == "QUERY_TOO_COMPLEX"
    assert not [q for q in queries.captured_queries if "saleor_loyalty" in q["sql"]]
