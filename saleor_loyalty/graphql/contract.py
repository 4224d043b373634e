"""The club API as a contract: the committed SDL, the breaking-change rule, the generated API reference.

Invariant: `saleor_loyalty/graphql/schema.graphql` and `docs/api-reference.md` are generated from the
live schema by one command, `python -m saleor_loyalty.graphql.contract --write`, and a field, argument
or enum value leaves the API (or changes its type) only after the committed SDL marked it deprecated.
"""

import sys
from dataclasses import dataclass, field
from pathlib import Path

from graphql import parse
from graphql.language import ast
from graphql.language.printer import print_ast
from graphql.type import GraphQLInputObjectType, GraphQLObjectType

from saleor_loyalty.graphql.sdl import BUILT_IN_SCALARS, print_sdl, without_descriptions

SDL_PATH = Path(__file__).with_name("schema.graphql")
REFERENCE_PATH = Path(__file__).resolve().parents[2] / "docs" / "api-reference.md"
REGENERATE = "python -m saleor_loyalty.graphql.contract --write"


@dataclass
class FieldShape:
    type: str
    deprecated: bool = False
    args: dict[str, tuple[str, bool]] = field(default_factory=dict)  # name -> (type, has default)


@dataclass
class TypeShape:
    kind: str
    fields: dict[str, FieldShape] = field(default_factory=dict)  # fields, input fields, enum values, members


def shape(sdl: str) -> dict[str, TypeShape]:
    """What a client can depend on in an SDL text: kinds, fields, types, arguments, deprecations."""
    shapes = {}
    for definition in parse(without_descriptions(sdl)).definitions:
        if not hasattr(definition, "name") or definition.name is None:
            continue
        kind = type(definition).__name__.removesuffix("TypeDefinition")
        found = TypeShape(kind)
        if isinstance(definition, ast.EnumTypeDefinition):
            found.fields = {v.name.value: FieldShape("", _deprecated(v)) for v in definition.values}
        elif isinstance(definition, ast.UnionTypeDefinition):
            found.fields = {t.name.value: FieldShape("") for t in definition.types}
        elif isinstance(definition, ast.InputObjectTypeDefinition):
            found.fields = {
                f.name.value: FieldShape(print_ast(f.type), args={"": ("", f.default_value is not None)})
                for f in definition.fields
            }
        elif hasattr(definition, "fields"):
            found.fields = {
                f.name.value: FieldShape(
                    print_ast(f.type),
                    _deprecated(f),
                    {a.name.value: (print_ast(a.type), a.default_value is not None) for a in f.arguments},
                )
                for f in definition.fields
            }
        shapes[definition.name.value] = found
    return shapes


def _deprecated(node) -> bool:
    return any(directive.name.value == "deprecated" for directive in node.directives or ())


def _output_change_is_safe(old: str, new: str) -> bool:
    """An output may only become stricter: `T` to `T!` keeps every client working."""
    return old == new or (new.endswith("!") and new[:-1] == old)


def breaking_changes(old_sdl: str, new_sdl: str) -> list[str]:
    """Changes from `old_sdl` to `new_sdl` that would break a client written against `old_sdl`."""
    old, new = shape(old_sdl), shape(new_sdl)
    problems = []
    for name, before in old.items():
        after = new.get(name)
        if after is None:
            if not (before.fields and all(f.deprecated for f in before.fields.values())):
                problems.append(f"type {name} was removed")
            continue
        if after.kind != before.kind:
            problems.append(f"{name} changed from {before.kind} to {after.kind}")
            continue
        for field_name, was in before.fields.items():
            where = f"{name}.{field_name}"
            now = after.fields.get(field_name)
            if now is None:
                if not was.deprecated:
                    problems.append(f"{where} was removed without being deprecated first")
                continue
            if before.kind == "InputObject":
                if now.type != was.type and was.type != now.type + "!":
                    problems.append(f"{where} changed type {was.type} -> {now.type}")
                continue
            if not _output_change_is_safe(was.type, now.type) and not was.deprecated:
                problems.append(f"{where} changed type {was.type} -> {now.type}")
            problems += _argument_changes(where, was, now)
        if before.kind == "InputObject":
            for field_name, now in after.fields.items():
                if field_name not in before.fields and now.type.endswith("!") and not now.args[""][1]:
                    problems.append(f"{name}.{field_name} is a new required input field")
    return problems


def _argument_changes(where: str, was: FieldShape, now: FieldShape) -> list[str]:
    problems = []
    for arg, (arg_type, _) in was.args.items():
        if arg not in now.args:
            problems.append(f"{where}({arg}) was removed")
        elif now.args[arg][0] not in (arg_type, arg_type.removesuffix("!")):
            problems.append(f"{where}({arg}) changed type {arg_type} -> {now.args[arg][0]}")
    for arg, (arg_type, has_default) in now.args.items():
        if arg not in was.args and arg_type.endswith("!") and not has_default:
            problems.append(f"{where}({arg}) is a new required argument")
    return problems


def missing_descriptions(schema) -> list[str]:
    """Every type, field, argument and input field of the club's own that has no description."""
    missing = []
    for name, graphql_type in sorted(schema.get_type_map().items()):
        if name.startswith("__") or name in BUILT_IN_SCALARS:
            continue
        if not graphql_type.description:
            missing.append(name)
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInputObjectType):
            for field_name, graphql_field in graphql_type.fields.items():
                if not graphql_field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(graphql_field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
    return missing


def live_sdl() -> str:
    from saleor_loyalty.graphql.schema import schema

    return print_sdl(schema)


def live_reference() -> str:
    from saleor_loyalty.graphql.reference import reference
    from saleor_loyalty.graphql.schema import schema

    return reference(schema)


def _configure_django() -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        import os

        if not os.environ.get("DJANGO_SETTINGS_MODULE"):
            settings.configure(
                INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "saleor_loyalty"],
                DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
                USE_TZ=True,
            )
    django.setup()


def main(argv: list[str]) -> int:
    """`--write` regenerates both files (refusing a breaking change unless `--accept-breaking`);
    `--check` (the default) reports what is stale or breaking."""
    _configure_django()
    sdl, reference = live_sdl(), live_reference()
    committed = SDL_PATH.read_text() if SDL_PATH.exists() else ""
    breaking = breaking_changes(committed, sdl) if committed else []
    if "--write" in argv:
        if breaking and "--accept-breaking" not in argv:
            _say("Refusing to write: breaking changes (deprecate first, or --accept-breaking):")
            for problem in breaking:
                _say(f"  - {problem}")
            return 1
        SDL_PATH.write_text(sdl)
        REFERENCE_PATH.write_text(reference)
        _say(f"Wrote {SDL_PATH} and {REFERENCE_PATH}")
        return 0
    stale = [
        str(path) for path, text in ((SDL_PATH, sdl), (REFERENCE_PATH, reference)) if _read(path) != text
    ]
    for path in stale:
        _say(f"{path} is stale: run {REGENERATE}")
    for problem in breaking:
        _say(f"breaking: {problem}")
    return 1 if stale or breaking else 0


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
