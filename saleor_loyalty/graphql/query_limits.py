"""One linear walk over a parsed club query: depth, cost, root fields, aliases, repeated keys (see limits.py).

Each selection of each operation and of each fragment is visited once: a fragment's figures (depth,
cost, root fields) do not depend on where it is spread, so they are computed at its first spread and
looked up at the others. Costs saturate at 10^9, so no arithmetic grows with the query.

Pricing, Saleor-style: a scalar costs 1; a field with a selection set costs `COMPOSITE_FIELD_COST`
plus its page size (`first`/`last`, variables resolved, else the argument's default, else
`MAX_PAGE`) times its children's cost. The `__schema`/`__type` subtrees resolve in memory: each field
costs 1, a list costs its average length in this schema, an `ofType` past the schema's deepest
wrapping costs 1 (it answers null); they are held to their own budget, twice the standard
introspection query's cost, and exempt from the depth limit.
"""

import math
from collections import Counter
from dataclasses import dataclass

from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLUnionType, get_named_type, parse
from graphql.language import ast
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef
from graphql.utils.introspection_query import introspection_query

from saleor_loyalty.error_codes import LoyaltyErrorCode
from saleor_loyalty.graphql.limits import (
    MAX_ALIASES,
    MAX_COST,
    MAX_DEPTH,
    MAX_FRAGMENTS,
    MAX_PAGE,
    MAX_ROOT_FIELDS,
    MAX_SAME_KEY,
    RequestRefused,
    check_string,
)

PAGE_ARGUMENTS = ("first", "last")
ENTITIES_FIELD = "_entities"  # federation.py
INTROSPECTION_ROOTS = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}
_SATURATED = 10**9  # costs stop growing here, so the arithmetic never grows with the query
# A field with a selection set loads something (a row, a page, a Saleor lookup) for each parent it is
# asked on; a scalar reads what its parent already holds. Introspection resolves in memory: 1 each.
COMPOSITE_FIELD_COST = 10
INTROSPECTION_BUDGET = ("", "introspection budget")


@dataclass(frozen=True)
class Figures:
    depth: int
    cost: int
    fields: int  # fields at the top of the selection set, fragments expanded
    schema_cost: int = 0  # of `__schema`/`__type` subtrees, held to their own budget


@dataclass(frozen=True)
class Report:
    depth: int
    cost: int
    schema_cost: int
    root_fields: int
    aliases: int
    visited: int  # selections looked at: at most the number in the document


def pricing(schema) -> dict:
    """Introspection list sizes and budget for this schema; computed once, at import."""
    sizes = introspection_list_sizes(schema)
    sizes[INTROSPECTION_BUDGET] = _SATURATED
    standard = analyse(schema, parse(introspection_query), {}, sizes).schema_cost
    sizes[INTROSPECTION_BUDGET] = 2 * standard
    return sizes


def introspection_list_sizes(schema) -> dict[tuple[str, str], int]:
    """What one introspection list holds on average in this schema, so `__schema` is priced by cost
    like any data: a query re-entering `fields { type { fields … } }` multiplies as it would run."""
    types = list(schema.get_type_map().values())
    fields = [field for t in types for field in (getattr(t, "fields", None) or {}).values()]

    def mean(counts) -> int:
        counts = list(counts)
        return max(1, math.ceil(sum(counts) / len(counts))) if counts else 1

    per_type = mean(len(getattr(t, "fields", None) or {}) for t in types)
    return {
        ("__Schema", "types"): len(types),
        ("__Schema", "directives"): len(schema.get_directives()),
        ("__Type", "fields"): per_type,
        ("__Type", "inputFields"): per_type,
        ("__Type", "enumValues"): mean(len(getattr(t, "values", None) or ()) for t in types),
        ("__Type", "interfaces"): mean(len(getattr(t, "interfaces", None) or ()) for t in types),
        ("__Type", "possibleTypes"): mean(
            len(schema.get_possible_types(t))
            for t in types
            if isinstance(t, GraphQLInterfaceType | GraphQLUnionType)
        ),
        ("__Field", "args"): mean(len(getattr(field, "args", None) or {}) for field in fields),
        ("__Directive", "args"): mean(len(d.args or {}) for d in schema.get_directives()),
        ("", "ofType steps"): _deepest_wrapping(schema, fields),
    }


def _deepest_wrapping(schema, fields) -> int:
    """How many `ofType` steps lead anywhere in this schema (`[X!]!` takes 3); deeper ones answer null."""
    deepest = 0
    arguments = [arg for owner in fields for arg in (getattr(owner, "args", None) or {}).values()]
    for field in fields + arguments:
        steps, kind = 0, field.type
        while hasattr(kind, "of_type"):
            steps, kind = steps + 1, kind.of_type
        deepest = max(deepest, steps)
    return deepest


class Walk:
    """One pass over a document; `visited` counts the selections looked at, to show the walk is linear."""

    def __init__(self, schema, document: ast.Document, variables: dict, list_sizes: dict):
        self.schema = schema
        self.variables = variables
        self.list_sizes = list_sizes
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, ast.FragmentDefinition)
        }
        self.defaults = self._variable_defaults(document)
        self.memo: dict[str, Figures] = {}
        self.spreading: set[str] = set()
        self.aliases = 0
        self.visited = 0

    @staticmethod
    def _variable_defaults(document) -> dict:
        defaults = {}
        for definition in document.definitions:
            for variable in getattr(definition, "variable_definitions", None) or ():
                if variable.default_value is not None:
                    _check_literal_strings(variable.default_value)
                    defaults[variable.variable.name.value] = variable.default_value
        return defaults

    def fragment(self, name: str) -> Figures:
        if name in self.memo:
            return self.memo[name]
        if name in self.spreading:
            raise RequestRefused(
                f"The query is nested deeper than {MAX_DEPTH} levels (fragment {name} spreads itself).",
                LoyaltyErrorCode.QUERY_TOO_DEEP,
            )
        definition = self.fragments.get(name)
        if definition is None:
            return Figures(0, 0, 0)  # validation names the unknown fragment
        self.spreading.add(name)
        figures = self.selections(
            definition.selection_set, self.schema.get_type(definition.type_condition.name.value)
        )
        self.spreading.discard(name)
        self.memo[name] = figures
        return figures

    def selections(self, selection_set, parent_type, of_type_steps: int = 0) -> Figures:
        depth = cost = fields = schema_cost = 0
        keys = Counter()
        for selection in selection_set.selections if selection_set else ():
            self.visited += 1
            if isinstance(selection, ast.Field):
                key = (selection.alias or selection.name).value
                keys[key] += 1
                self.aliases += selection.alias is not None
                figures = self.field(selection, parent_type, of_type_steps)
            elif isinstance(selection, ast.FragmentSpread):
                figures = self.fragment(selection.name.value)
            else:
                condition = selection.type_condition
                inline_type = self.schema.get_type(condition.name.value) if condition else parent_type
                figures = self.selections(selection.selection_set, inline_type, of_type_steps)
            depth = max(depth, figures.depth)
            cost = min(cost + figures.cost, _SATURATED)
            schema_cost = min(schema_cost + figures.schema_cost, _SATURATED)
            fields += figures.fields
        key, repeats = max(keys.items(), key=lambda item: item[1], default=("", 0))
        if repeats > MAX_SAME_KEY:
            raise RequestRefused(
                f"`{key}` is selected {repeats} times in one selection set (at most {MAX_SAME_KEY}).",
                LoyaltyErrorCode.TOO_MANY_FIELDS,
            )
        return Figures(depth, cost, fields, schema_cost)

    def field(self, node: ast.Field, parent_type, of_type_steps: int = 0) -> Figures:
        name = node.name.value
        definition = _field_definition(parent_type, name)
        for argument in node.arguments or ():
            _check_literal_strings(argument.value)
        steps = of_type_steps + 1 if name == "ofType" else 0
        children = self.selections(
            node.selection_set, get_named_type(definition.type) if definition else None, steps
        )
        depth = 0 if name in INTROSPECTION_ROOTS else children.depth + 1
        in_memory = parent_type is None or parent_type.name.startswith("__") or name in INTROSPECTION_ROOTS
        if in_memory:
            multiplier = self.list_sizes.get((getattr(parent_type, "name", ""), name), 1)
            if steps > self.list_sizes.get(("", "ofType steps"), 0):
                return Figures(depth, 1, 1)  # past the schema's deepest wrapping: null, children never run
            cost = min(1 + multiplier * children.cost, _SATURATED)
            return Figures(0, 0, 1, cost) if name in INTROSPECTION_ROOTS else Figures(depth, cost, 1)
        own = COMPOSITE_FIELD_COST if node.selection_set else 1
        return Figures(depth, min(own + self.page_size(node, definition) * children.cost, _SATURATED), 1)

    def page_size(self, node: ast.Field, definition) -> int:
        """The largest of `first`/`last` (variables resolved), else its schema default, else the cap.
        A federation `_entities` batch is priced by how many representations it holds."""
        if node.name.value == ENTITIES_FIELD:
            given = next((a.value for a in node.arguments or () if a.name.value == "representations"), None)
            items = given.values if isinstance(given, ast.ListValue) else self.value(given)
            return max(len(items), 1) if isinstance(items, list) else MAX_PAGE
        if definition is None or not any(name in (definition.args or {}) for name in PAGE_ARGUMENTS):
            return 1
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        sizes = []
        for name in PAGE_ARGUMENTS:
            if name not in definition.args:
                continue
            value = self.value(given.get(name))
            if value is None:
                value = definition.args[name].default_value
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                sizes.append(MAX_PAGE)  # validation refuses it; priced as the largest page meanwhile
            elif not 1 <= value <= MAX_PAGE:
                # the same words and code as the resolvers' own check (graphql/pagination.py), only earlier
                raise RequestRefused(
                    f"Ask for 1 to {MAX_PAGE} rows at a time.", LoyaltyErrorCode.INVALID, field=name
                )
            else:
                sizes.append(value)
        return max(sizes, default=MAX_PAGE)

    def value(self, node):
        if isinstance(node, ast.IntValue):
            return int(node.value)
        if isinstance(node, ast.Variable):
            name = node.name.value
            if name in self.variables:
                return self.variables[name]
            return self.value(self.defaults.get(name))
        return None if node is None else "other"  # graphql-core 2 has no null literal


def _field_definition(parent_type, name: str):
    if name in INTROSPECTION_ROOTS:
        return INTROSPECTION_ROOTS[name]
    if name == "__typename":
        return TypeNameMetaFieldDef
    if isinstance(parent_type, GraphQLObjectType | GraphQLInterfaceType):
        return parent_type.fields.get(name)
    return None


def _check_literal_strings(value) -> None:
    pending = [value]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.StringValue):
            check_string(node.value, "A string in the query")
        elif isinstance(node, ast.ListValue):
            pending.extend(node.values)
        elif isinstance(node, ast.ObjectValue):
            pending.extend(field.value for field in node.fields)


def depth(schema, document: ast.Document, list_sizes: dict) -> int:
    """The deepest operation of the document, no other limit applied (a cycle still raises)."""
    walk = Walk(schema, document, {}, list_sizes)
    operations = [d for d in document.definitions if isinstance(d, ast.OperationDefinition)]
    return max((walk.selections(o.selection_set, _root_type(schema, o)).depth for o in operations), default=0)


def _root_type(schema, operation: ast.OperationDefinition):
    return {
        "query": schema.get_query_type(),
        "mutation": schema.get_mutation_type(),
        "subscription": schema.get_subscription_type(),
    }.get(operation.operation)


def analyse(schema, document: ast.Document, variables: dict, list_sizes: dict) -> Report:
    """Every operation of the document against every limit, or RequestRefused at the first one broken."""
    fragments = sum(isinstance(d, ast.FragmentDefinition) for d in document.definitions)
    if fragments > MAX_FRAGMENTS:
        raise RequestRefused(
            f"The query defines {fragments} fragments (at most {MAX_FRAGMENTS}).",
            LoyaltyErrorCode.TOO_MANY_FIELDS,
        )
    walk = Walk(schema, document, variables, list_sizes)
    depth = cost = schema_cost = root_fields = 0
    try:
        for operation in document.definitions:
            if not isinstance(operation, ast.OperationDefinition):
                continue
            figures = walk.selections(operation.selection_set, _root_type(schema, operation))
            depth, cost = max(depth, figures.depth), max(cost, figures.cost)
            schema_cost = max(schema_cost, figures.schema_cost)
            root_fields = max(root_fields, figures.fields)
    except RecursionError:
        raise RequestRefused(
            f"The query is nested deeper than {MAX_DEPTH} levels.", LoyaltyErrorCode.QUERY_TOO_DEEP
        ) from None
    report = Report(depth, cost, schema_cost, root_fields, walk.aliases, walk.visited)
    _enforce(report, list_sizes)
    return report


def _enforce(report: Report, list_sizes: dict) -> None:
    if report.depth > MAX_DEPTH:
        raise RequestRefused(
            f"The query is nested deeper than {MAX_DEPTH} levels.", LoyaltyErrorCode.QUERY_TOO_DEEP
        )
    if report.root_fields > MAX_ROOT_FIELDS:
        raise RequestRefused(
            f"An operation asks for {report.root_fields} top-level fields (at most {MAX_ROOT_FIELDS}).",
            LoyaltyErrorCode.TOO_MANY_FIELDS,
        )
    if report.aliases > MAX_ALIASES:
        raise RequestRefused(
            f"The query uses {report.aliases} aliases (at most {MAX_ALIASES}).",
            LoyaltyErrorCode.TOO_MANY_FIELDS,
        )
    if report.cost > MAX_COST:
        raise RequestRefused(
            f"The query costs more than {MAX_COST} (fields × page sizes); ask for smaller pages or fewer fields.",
            LoyaltyErrorCode.QUERY_TOO_COMPLEX,
        )
    if report.schema_cost > list_sizes[INTROSPECTION_BUDGET]:
        raise RequestRefused(
            f"The introspection part costs more than {list_sizes[INTROSPECTION_BUDGET]} "
            "(twice the standard introspection query).",
            LoyaltyErrorCode.QUERY_TOO_COMPLEX,
        )
