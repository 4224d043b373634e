"""The API's house conventions, checked over the whole schema so a new field cannot drift from them:
global IDs, one money type, page sizes Saleor's way, cursors that belong to their list."""

import graphene
import pytest
from graphql.type import GraphQLList, GraphQLNonNull, GraphQLObjectType

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.graphql.schema import schema
from saleor_loyalty.models import LedgerEntry
from tests.engine.api import run

MONEY_WORDS = ("value", "revenue", "credit", "cashback", "total")
# Amounts counted in the program's tier basis (spend or points), not money.
NOT_MONEY = {("LoyaltyTierRetention", "amount")}


def unwrap(graphql_type):
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type


def output_fields():
    for type_name, graphql_type in schema.get_type_map().items():
        if isinstance(graphql_type, GraphQLObjectType) and not type_name.startswith("__"):
            for field_name, field in graphql_type.fields.items():
                yield type_name, field_name, unwrap(field.type).name


def test_every_id_on_output_is_an_id():
    wrong = [
        (type_name, field)
        for type_name, field, type_ in output_fields()
        if (field == "id" or field.endswith("Id")) and type_ != "ID"
    ]
    assert wrong == []


def test_money_on_output_is_always_loyalty_money():
    wrong = [
        (type_name, field, type_)
        for type_name, field, type_ in output_fields()
        if any(field.lower().endswith(word) for word in MONEY_WORDS)
        and type_ != "LoyaltyMoney"
        and (type_name, field) not in NOT_MONEY
        and not field.endswith("Count")
    ]
    assert wrong == []
    assert not [item for item in output_fields() if item[2] == "Decimal"]


def test_ledger_rows_are_shown_with_global_ids(program, customer, make_order):
    # given a member with one earn
    ledger.sync_order(make_order(user=customer))
    entry = LedgerEntry.objects.get()

    # when they read their history
    result = run(
        'query { me(channel: "il") { transactions(first: 5) { edges { node { id } } } } }',
        Requestor(user_id=customer.pk, email=customer.email),
    )

    # then the row's id is a Relay global ID, not the database's
    (edge,) = result.data["me"]["transactions"]["edges"]
    assert graphene.Node.from_global_id(edge["node"]["id"]) == ("LoyaltyTransaction", str(entry.pk))


@pytest.mark.parametrize("first", [0, 101, -1])
def test_page_sizes_outside_1_to_100_are_a_typed_error(program, customer, first):
    result = run(
        'query($first: Int) { me(channel: "il") { transactions(first: $first) { totalCount } } }',
        Requestor(user_id=customer.pk, email=customer.email),
        first=first,
    )
    (error,) = result.errors
    assert error.extensions["exception"] == {"code": "INVALID", "field": "first"}


def test_a_cursor_from_another_list_is_refused(program, customer, django_user_model):
    # given a staff member's cursor from the member list
    staff = Requestor(user_id=1, email="s@shop.co.il", is_staff=True, permissions=frozenset({"MANAGE_USERS"}))
    ledger.account_for(program, customer.pk, customer.email)
    members = run('query { members(channel: "il", first: 1) { pageInfo { endCursor } } }', staff)
    cursor = members.data["members"]["pageInfo"]["endCursor"]

    # when it is given to a member's history, then it is refused as a bad cursor
    result = run(
        'query($after: String) { me(channel: "il") { transactions(first: 5, after: $after) { totalCount } } }',
        Requestor(user_id=customer.pk, email=customer.email),
        after=cursor,
    )
    (error,) = result.errors
    assert error.extensions["exception"] == {"code": "INVALID", "field": "after"}


@pytest.mark.parametrize(
    "user_id",
    [
        graphene.Node.to_global_id("Product", 1),
        graphene.Node.to_global_id("User", "1 OR 1=1"),
        graphene.Node.to_global_id("User", "٣"),  # a non-ASCII digit int() would accept
        "not base64 at all",
        "x" * 250,  # longer ones are refused before execution (test_strict_inputs)
    ],
)
def test_a_malformed_or_foreign_global_id_is_a_typed_error_on_its_field(program, user_id):
    staff = Requestor(user_id=1, email="s@shop.co.il", is_staff=True, permissions=frozenset({"MANAGE_USERS"}))
    result = run('query($id: ID) { member(channel: "il", userId: $id) { email } }', staff, id=user_id)
    (error,) = result.errors
    assert error.extensions["exception"] == {"code": "NOT_FOUND", "field": "userId"}
