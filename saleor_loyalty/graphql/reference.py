"""`docs/api-reference.md`, generated from the schema's own descriptions (never written by hand).

Invariant: the reference lists exactly the types, fields and arguments the live schema has, in the
printer's order, so it cannot drift from the API; `contract.py` checks the committed copy is current.
"""

from graphql.type import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
)

from saleor_loyalty.graphql.sdl import named_types

HEADER = """# Club API reference

Generated from the schema by `python -m saleor_loyalty.graphql.contract --write`; do not edit by hand.
The endpoint is `POST /plugins/global/saleor.loyalty/graphql/` (see README.md, "The club API"), and the
same schema serves as an Apollo Federation 2 subgraph of Saleor (`User.loyalty`, `Order.loyalty`; see
docs/storefront.md). Examples: docs/storefront.md.
"""


def _cell(text) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _arguments(args) -> str:
    if not args:
        return ""
    return "<br>" + "<br>".join(
        f"`{name}: {arg.type}` — {_cell(arg.description)}" for name, arg in args.items()
    )


def _fields_table(graphql_type) -> list[str]:
    rows = ["| Field | Type | Description |", "| --- | --- | --- |"]
    for name, graphql_field in graphql_type.fields.items():
        note = _cell(graphql_field.description)
        if getattr(graphql_field, "deprecation_reason", None):
            note += f" **Deprecated:** {_cell(graphql_field.deprecation_reason)}"
        rows.append(
            f"| `{name}` | `{graphql_field.type}` | {note}{_arguments(getattr(graphql_field, 'args', {}))} |"
        )
    return rows


def _section(graphql_type) -> list[str]:
    lines = [f"### {graphql_type.name}", "", _cell(graphql_type.description), ""]
    if isinstance(graphql_type, GraphQLObjectType | GraphQLInputObjectType):
        lines += [*_fields_table(graphql_type), ""]
    elif isinstance(graphql_type, GraphQLEnumType):
        lines += [f"- `{value.name}` — {_cell(value.description)}" for value in graphql_type.values] + [""]
    elif isinstance(graphql_type, GraphQLUnionType):
        lines += ["One of: " + ", ".join(f"`{t.name}`" for t in graphql_type.types), ""]
    return lines


GROUPS = [
    ("Queries and mutations", lambda t, roots: t.name in roots),
    ("Objects", lambda t, roots: isinstance(t, GraphQLObjectType) and t.name not in roots),
    ("Inputs", lambda t, _: isinstance(t, GraphQLInputObjectType)),
    ("Enums", lambda t, _: isinstance(t, GraphQLEnumType)),
    ("Unions and scalars", lambda t, _: isinstance(t, GraphQLUnionType | GraphQLScalarType)),
]


def reference(schema) -> str:
    types = named_types(schema)
    roots = {t.name for t in (schema.get_query_type(), schema.get_mutation_type()) if t is not None}
    lines = [HEADER]
    for title, belongs in GROUPS:
        lines += [f"## {title}", ""]
        for graphql_type in types:
            if belongs(graphql_type, roots):
                lines += _section(graphql_type)
    return "\n".join(lines).rstrip() + "\n"
