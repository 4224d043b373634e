"""The Apollo Federation 2 subgraph protocol for a graphene 2 schema: `_service { sdl }` and `_entities`.

Invariant: the entities this schema answers are exactly those in the `EntityRegistry` it was built with
(the plugin's own, never Saleor's module-global one), and a batch of representations is checked whole
(its size, then every representation's shape, type and key) before any entity is resolved.

A representation becomes a plain reference object (e.g. a user's primary key); an entity's fields
authorize the caller themselves, exactly as the root queries do, so a representation alone never
reveals anything.
"""

from collections.abc import Callable
from dataclasses import dataclass

import graphene
from graphql.language import ast

from saleor_loyalty.error_codes import LoyaltyErrorCode
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.graphql.errors import query_error
from saleor_loyalty.graphql.sdl import print_sdl

FEDERATION_SPEC = "https://specs.apollo.dev/federation/v2.3"
MAX_ENTITIES = 100  # as Saleor's FEDERATED_QUERY_MAX_ENTITIES


class TooManyEntities(LoyaltyError):
    """A gateway batch larger than Saleor's own cap: refused before any entity is resolved."""

    code = LoyaltyErrorCode.OUT_OF_RANGE
    field = "representations"


@dataclass(frozen=True)
class Entity:
    name: str
    graphene_type: type
    key: str  # the @key fields, e.g. "id"
    reference: Callable[[dict], object]  # representation (without __typename) -> reference object
    reference_class: type


class EntityRegistry:
    """The entities one schema federates; each schema has its own (no module-global state is shared)."""

    def __init__(self):
        self._by_name: dict[str, Entity] = {}

    def entity(self, key: str, reference_class: type, reference: Callable[[dict], object]):
        """Class decorator: federate a graphene type under `@key(fields: key)`."""

        def register(graphene_type):
            name = graphene_type._meta.name
            self._by_name[name] = Entity(name, graphene_type, key, reference, reference_class)
            return graphene_type

        return register

    def get(self, name) -> Entity | None:
        return self._by_name.get(name) if isinstance(name, str) else None

    def keys(self) -> dict[str, str]:
        return {name: entity.key for name, entity in self._by_name.items()}

    def types(self) -> list[type]:
        return [entity.graphene_type for entity in self._by_name.values()]

    def type_of(self, reference) -> type | None:
        for entity in self._by_name.values():
            if isinstance(reference, entity.reference_class):
                return entity.graphene_type
        return None


class AnyScalar(graphene.Scalar):
    """An entity representation: `__typename` and the entity's key fields, as the gateway sends them."""

    class Meta:
        name = "_Any"

    @staticmethod
    def serialize(value):
        return value

    @staticmethod
    def parse_value(value):
        return value

    @staticmethod
    def parse_literal(node):
        return _literal(node)


def _literal(node):
    """A literal object, list or scalar written in the query text, as plain Python values."""
    if isinstance(node, ast.ObjectValue):
        return {field.name.value: _literal(field.value) for field in node.fields}
    if isinstance(node, ast.ListValue):
        return [_literal(value) for value in node.values]
    if isinstance(node, ast.IntValue):
        return int(node.value)
    if isinstance(node, ast.FloatValue):
        return float(node.value)
    return getattr(node, "value", None)  # strings, booleans, enums


class ServiceType(graphene.ObjectType):
    """What a federation gateway reads to compose this subgraph."""

    sdl = graphene.String(required=True, description="This subgraph's schema in Federation 2 SDL.")

    class Meta:
        name = "_Service"


def entity_union(registry: EntityRegistry):
    """`_Entity`: the union of every federated type of the registry."""

    def resolve_type(cls, instance, _info):
        return registry.type_of(instance)

    meta = type("Meta", (), {"name": "_Entity", "types": tuple(registry.types())})
    return type(
        "EntityUnion",
        (graphene.Union,),
        {
            "Meta": meta,
            "__doc__": "Every type this subgraph resolves by its key.",
            "resolve_type": classmethod(resolve_type),
        },
    )


def parse_representations(registry: EntityRegistry, representations) -> list:
    """Every representation as a reference, or one typed error before anything is resolved."""
    if not isinstance(representations, list) or len(representations) > MAX_ENTITIES:
        raise TooManyEntities(f"Ask for at most {MAX_ENTITIES} entities at a time.")
    references = []
    for representation in representations:
        if not isinstance(representation, dict):
            raise LoyaltyError("Each representation must be an object.", "representations")
        entity = registry.get(representation.get("__typename"))
        if entity is None:
            raise LoyaltyError("Unknown or missing __typename in a representation.", "representations")
        fields = {name: value for name, value in representation.items() if name != "__typename"}
        if set(fields) != set(entity.key.split()):
            raise LoyaltyError(f"A {entity.name} is represented by exactly: {entity.key}.", "representations")
        references.append(entity.reference(fields))
    return references


def federation_queries(registry: EntityRegistry, left_to_other_subgraphs: tuple[str, ...] = ()):
    """A query mixin with `_entities` and `_service` for a registry's entities.

    `left_to_other_subgraphs` names root fields this endpoint answers itself but leaves out of its
    subgraph SDL, because another subgraph (Saleor) owns a root field of that name (`me`).
    """
    union = entity_union(registry)

    def resolve_entities(_root, _info, representations):
        try:
            return parse_representations(registry, representations)
        except LoyaltyError as error:
            raise query_error(error) from None

    sdl_cache: dict[int, str] = {}

    def resolve_service(_root, info):
        schema = info.schema
        if id(schema) not in sdl_cache:
            sdl_cache[id(schema)] = subgraph_sdl(schema, registry, left_to_other_subgraphs)
        return ServiceType(sdl=sdl_cache[id(schema)])

    return type(
        "FederationQueries",
        (graphene.ObjectType,),
        {
            "entities": graphene.List(
                union,
                name="_entities",
                required=True,
                representations=graphene.Argument(
                    graphene.NonNull(graphene.List(graphene.NonNull(AnyScalar))),
                    description=f"Entities to resolve by their keys; at most {MAX_ENTITIES}.",
                ),
                description="Federation: the entities of these representations, in their order.",
                resolver=resolve_entities,
            ),
            "service": graphene.Field(
                ServiceType,
                name="_service",
                required=True,
                description="Federation: this subgraph's SDL for the gateway.",
                resolver=resolve_service,
            ),
        },
    )


FEDERATION_TYPES = ("_Any", "_Entity", "_Service")
FEDERATION_FIELDS = ("_entities", "_service")


def subgraph_sdl(schema, registry: EntityRegistry, left_to_other_subgraphs=()) -> str:
    """The schema as a Federation 2 subgraph: linked to the spec, keys on the entities, no plumbing."""
    link = f'extend schema @link(url: "{FEDERATION_SPEC}", import: ["@key"])'
    body = print_sdl(
        schema,
        keys=registry.keys(),
        omit_types=FEDERATION_TYPES,
        omit_root_fields=FEDERATION_FIELDS + tuple(left_to_other_subgraphs),
    )
    return f"{link}\n\n{body}"
