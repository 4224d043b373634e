"""The introspection query GraphiQL, graphql-codegen and schemathesis send is answered, and cannot be abused."""

import shutil
import subprocess
from pathlib import Path

import pytest
from graphql.utils.build_client_schema import build_client_schema

from tests.engine.graphql.http import code, never, post

FIXTURE = Path(__file__).with_name("introspection_query.graphql")  # npm graphql@16.15.0, default options


def standard_query() -> str:
    return FIXTURE.read_text()


def test_the_standard_introspection_query_is_answered_and_reads_back_as_a_schema(db):
    # when a client tool sends the standard introspection query anonymously
    status, body = post({"query": standard_query()})
    # then it is answered in full, and the answer builds a client schema with the club's types
    assert status == 200, body
    assert "errors" not in body
    client_schema = build_client_schema(body["data"])
    assert "me" in client_schema.get_query_type().fields
    assert client_schema.get_type("LoyaltyMember") is not None


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed")
def test_the_fixture_is_what_the_graphql_package_produces_when_node_can_tell():
    # given npm's graphql package (frontend/ depends on it, for GraphiQL) once `npm ci` has run there
    probe = subprocess.run(
        ["node", "-e", "console.log(require('graphql').getIntrospectionQuery())"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[3] / "frontend",
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip("npm's graphql package is not installed where node looks")
    assert " ".join(probe.stdout.split()) == " ".join(standard_query().split("\n", 1)[1].split())


def test_introspection_nested_absurdly_is_refused_by_cost():
    # given introspection re-entering each field's type's fields five levels down
    nested = "name"
    for _ in range(5):
        nested = f"fields {{ type {{ {nested} }} }}"
    status, body = post({"query": f"{{ __schema {{ types {{ {nested} }} }} }}"}, never)
    assert (status, code(body)) == (400, "QUERY_TOO_COMPLEX")


def test_a_long_of_type_chain_is_refused_before_parsing():
    chain = "name " + "ofType { name " * 40 + "}" * 40
    status, body = post({"query": f'{{ __type(name: "LoyaltyMember") {{ {chain} }} }}'}, never)
    assert (status, code(body)) == (400, "QUERY_TOO_DEEP")
