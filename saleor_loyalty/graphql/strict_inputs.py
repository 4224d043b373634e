"""Variables checked strictly against their declared types before anything executes.

graphql-core 2 coerces loosely: the string "false" becomes the Boolean true, 99.9 becomes the Int
99, and a string of any length passes. The club answers such input with a typed error instead,
and writes nothing. Literals in the query text are already typed by the parser; only variables
need this. The walk visits each value once, so its cost is linear in the request.
"""

import math
from decimal import Decimal, InvalidOperation

from graphql.error import GraphQLError
from graphql.language import ast
from graphql.type import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)
from graphql.utils.type_from_ast import type_from_ast

from saleor_loyalty.graphql.limits import MAX_STRING_LENGTH

MAX_STRING = MAX_STRING_LENGTH  # the endpoint's own limit (limits.py), also for callers of the schema itself
MAX_ID = 256
MAX_LIST = 100
INT_RANGE = range(-(2**31), 2**31)


class StrictInputError(Exception):
    def __init__(self, variable: str, message: str):
        super().__init__(message)
        self.variable = variable


def _exact_decimal(value) -> bool:
    """A JSON number is a Decimal only when its shortest form is exactly the float's value (7.5, not 0.1)."""
    try:
        return math.isfinite(value) and Decimal(repr(value)) == Decimal(value)
    except (InvalidOperation, ValueError):
        return False


def _scalar_ok(name: str, value) -> str | None:
    """None when the value is of the scalar's JSON type, else the problem."""
    if name == "Boolean":
        return None if isinstance(value, bool) else "must be true or false"
    if name == "Int":
        ok = isinstance(value, int) and not isinstance(value, bool) and value in INT_RANGE
        return None if ok else "must be a whole number (32-bit)"
    if name == "Float":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        return None if ok else "must be a number"
    if name == "Decimal":
        if isinstance(value, str):
            return None if len(value) <= 64 else "is too long"
        if isinstance(value, int) and not isinstance(value, bool):
            return None
        return None if isinstance(value, float) and _exact_decimal(value) else "send decimals as strings"
    if name == "ID":
        ok = (isinstance(value, str) and len(value) <= MAX_ID) or (
            isinstance(value, int) and not isinstance(value, bool)
        )
        return None if ok else f"must be an id of at most {MAX_ID} characters"
    if isinstance(value, str):  # String, DateTime, Date and other text-shaped scalars
        if len(value) > MAX_STRING:
            return f"must be at most {MAX_STRING} characters"
        return "must not contain NUL characters" if "\x00" in value else None
    return None if name not in ("String", "DateTime", "Date") else "must be text"


def _check(graphql_type, value, variable: str) -> None:
    if value is None:
        return  # graphql-core refuses a null for a non-null type itself
    if isinstance(graphql_type, GraphQLNonNull):
        _check(graphql_type.of_type, value, variable)
    elif isinstance(graphql_type, GraphQLList):
        items = value if isinstance(value, list) else [value]
        if len(items) > MAX_LIST:
            raise StrictInputError(variable, f"Variable '{variable}' may hold at most {MAX_LIST} items.")
        for item in items:
            _check(graphql_type.of_type, item, variable)
    elif isinstance(graphql_type, GraphQLInputObjectType):
        if not isinstance(value, dict):
            raise StrictInputError(variable, f"Variable '{variable}' must be an object.")
        for name, field in graphql_type.fields.items():
            if name in value:
                _check(field.type, value[name], variable)
    elif isinstance(graphql_type, GraphQLEnumType):
        if not isinstance(value, str):
            raise StrictInputError(variable, f"Variable '{variable}' must be one of the enum's names.")
    elif isinstance(graphql_type, GraphQLScalarType):
        problem = _scalar_ok(graphql_type.name, value)
        if problem:
            raise StrictInputError(variable, f"Variable '{variable}' {problem}.")


def check_variables(schema, document: ast.Document, operation_name: str | None, variables: dict) -> None:
    """Raise StrictInputError for the first variable whose JSON value does not strictly fit its type."""
    operations = [d for d in document.definitions if isinstance(d, ast.OperationDefinition)]
    chosen = [
        op for op in operations if operation_name is None or (op.name and op.name.value == operation_name)
    ]
    if len(chosen) != 1:
        return  # graphql-core answers a missing or ambiguous operation itself
    for definition in chosen[0].variable_definitions or ():
        name = definition.variable.name.value
        graphql_type = type_from_ast(schema, definition.type)
        if graphql_type is not None and name in variables:
            _check(graphql_type, variables[name], name)


def strict_input_error(error: StrictInputError) -> GraphQLError:
    return GraphQLError(str(error), extensions={"exception": {"code": "INVALID", "field": error.variable}})
