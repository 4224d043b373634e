"""Every storefront example in docs/storefront.md runs without an error against the schema, for a
member who has points, so the examples can never rot."""

import re
from pathlib import Path

import pytest
from graphql import parse
from graphql.language import ast

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Requestor
from tests.engine.api import run

DOC = Path(__file__).resolve().parents[3] / "docs" / "storefront.md"
BLOCK = re.compile(r"^```graphql(?P<info>[^\n]*)\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)
VARIABLES = {"channel": "il"}


def blocks(info: str) -> list[str]:
    return [m["body"] for m in BLOCK.finditer(DOC.read_text()) if m["info"].strip() == info]


def operation_name(query: str) -> str:
    definition = next(d for d in parse(query).definitions if isinstance(d, ast.OperationDefinition))
    return definition.name.value


def payload_errors(data) -> list:
    """`errors` lists inside mutation payloads: a failed example mutation is an error too."""
    if isinstance(data, dict):
        own = data.get("errors") or []
        return own + [e for value in data.values() for e in payload_errors(value)]
    if isinstance(data, list):
        return [e for value in data for e in payload_errors(value)]
    return []


def test_the_storefront_guide_has_examples_of_both_kinds():
    assert len(blocks("")) >= 5
    assert len(blocks("supergraph")) == 1


@pytest.mark.parametrize("query", blocks(""), ids=operation_name)
def test_each_storefront_example_runs_without_errors_for_a_member(query, club, customer, make_order, cards):
    # given a member of the `il` club with a paid order behind them
    ledger.sync_order(make_order(user=customer))
    member = Requestor(user_id=customer.pk, email=customer.email)
    declared = {
        d.variable.name.value for op in parse(query).definitions for d in op.variable_definitions or ()
    }

    # when the example runs as the storefront sends it
    result = run(query, member, cards, **{k: v for k, v in VARIABLES.items() if k in declared})

    # then nothing fails, neither the query nor a mutation's payload
    assert result.errors is None, result.errors
    assert payload_errors(result.data) == []


def test_the_supergraph_example_is_valid_graphql_asking_for_the_clubs_user_and_order_fields():
    (query,) = blocks("supergraph")

    document = parse(query)

    assert "loyalty(channel:" in query
    assert document.definitions
