"""The club schema as SDL text, with its descriptions (graphql-core 2's own printer drops them).

Invariant: one printer for every SDL the club publishes — the committed contract
(`schema.graphql`), the federation subgraph's `_service { sdl }` and the API reference — so the three
never disagree. Output is deterministic: `Query`, `Mutation`, then every other type by name.
"""

import re

from graphql.language.printer import print_ast
from graphql.type import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
)
from graphql.utils.ast_from_value import ast_from_value

BUILT_IN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})
_DESCRIPTION = re.compile(r'^[ \t]*"""(?:[^"\\]|\\.|"(?!""))*"""[ \t]*\n', re.MULTILINE)


def named_types(schema, omit_types=()) -> list:
    """The schema's own types in print order: roots first, then by name."""
    types = {
        name: graphql_type
        for name, graphql_type in schema.get_type_map().items()
        if not name.startswith("__") and name not in BUILT_IN_SCALARS and name not in omit_types
    }
    roots = [t.name for t in (schema.get_query_type(), schema.get_mutation_type()) if t is not None]
    return [types[name] for name in roots] + [types[name] for name in sorted(types) if name not in roots]


def description(text, indent: str = "") -> str:
    if not text:
        return ""
    body = text.strip().replace('"""', '\\"""')
    if "\n" in body or body.endswith('"'):
        lines = "\n".join(f"{indent}{line}".rstrip() for line in body.splitlines())
        return f'{indent}"""\n{lines}\n{indent}"""\n'
    return f'{indent}"""{body}"""\n'


def deprecated(reason) -> str:
    if reason is None:
        return ""
    return ' @deprecated(reason: "{}")'.format(reason.replace("\\", "\\\\").replace('"', '\\"'))


def default(value, graphql_type) -> str:
    if value is None:
        return ""
    node = ast_from_value(value, graphql_type)
    return f" = {print_ast(node)}" if node is not None else ""


def print_arguments(args) -> str:
    if not args:
        return ""
    lines = "".join(
        description(arg.description, "    ")
        + f"    {name}: {arg.type}{default(arg.default_value, arg.type)}\n"
        for name, arg in args.items()
    )
    return f"(\n{lines}  )"


def print_type(graphql_type, keys: dict, omit_fields=()) -> str:
    head = description(graphql_type.description)
    name = graphql_type.name
    if isinstance(graphql_type, GraphQLScalarType):
        return f"{head}scalar {name}"
    if isinstance(graphql_type, GraphQLUnionType):
        return f"{head}union {name} = " + " | ".join(t.name for t in graphql_type.types)
    if isinstance(graphql_type, GraphQLEnumType):
        values = "".join(
            description(value.description, "  ") + f"  {value.name}{deprecated(value.deprecation_reason)}\n"
            for value in graphql_type.values
        )
        return f"{head}enum {name} {{\n{values}}}"
    if isinstance(graphql_type, GraphQLInputObjectType):
        fields = "".join(
            description(field.description, "  ")
            + f"  {field_name}: {field.type}{default(field.default_value, field.type)}\n"
            for field_name, field in graphql_type.fields.items()
        )
        return f"{head}input {name} {{\n{fields}}}"
    kind = "interface" if isinstance(graphql_type, GraphQLInterfaceType) else "type"
    implements = ""
    if isinstance(graphql_type, GraphQLObjectType) and graphql_type.interfaces:
        implements = " implements " + " & ".join(i.name for i in graphql_type.interfaces)
    key = f' @key(fields: "{keys[name]}")' if name in keys else ""
    fields = "".join(
        description(field.description, "  ")
        + f"  {field_name}{print_arguments(field.args)}: {field.type}{deprecated(field.deprecation_reason)}\n"
        for field_name, field in graphql_type.fields.items()
        if field_name not in omit_fields
    )
    return f"{head}{kind} {name}{implements}{key} {{\n{fields}}}"


def print_sdl(schema, keys=None, omit_types=(), omit_root_fields=()) -> str:
    """SDL of `schema`; `keys` adds `@key(fields: …)` to entity types; omissions serve the subgraph SDL."""
    query = schema.get_query_type()
    parts = [
        print_type(t, keys or {}, omit_root_fields if t is query else ())
        for t in named_types(schema, omit_types)
    ]
    return "\n\n".join(parts) + "\n"


def without_descriptions(sdl: str) -> str:
    """The SDL with its description blocks removed, for graphql-core 2's parser (which predates them)."""
    return _DESCRIPTION.sub("", sdl)
