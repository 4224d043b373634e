"""The house rules that keep the code findable, checked on every run: packages by noun in a fixed order
(no upward import), Saleor imported only behind the adapter, modules kept small, packages that say what
they keep."""

import ast
from pathlib import Path

import saleor_loyalty

PACKAGE = Path(saleor_loyalty.__file__).parent
# Bottom-up: a unit may import from units before it, never after.
LAYERS = [
    "error_codes",
    "exceptions",
    "models",
    "core",
    "messages",
    "tiers",
    "ledger",
    "members",
    "rewards",
    "benefits",
    "orders",
    "recovery",
    "engagement",
    "insights",
    "saleor_adapter",
    "graphql",
    "dashboard",
    "tasks",
    "plugin",
]
MAX_MODULE_LINES = 400


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if parts[0] not in ("migrations", "demo"):
            yield path, parts


def unit_of(parts) -> str:
    return parts[0].removesuffix(".py")


def imported_units(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "saleor_loyalty":
                yield from (alias.name for alias in node.names)
            elif node.module.startswith("saleor_loyalty."):
                yield node.module.split(".")[1]


def test_no_package_imports_from_a_layer_above_it():
    upward = []
    for path, parts in modules():
        me = unit_of(parts)
        if me not in LAYERS:
            continue
        for unit in imported_units(ast.parse(path.read_text())):
            if unit in LAYERS and LAYERS.index(unit) > LAYERS.index(me):
                upward.append(f"{path.relative_to(PACKAGE)} imports {unit}")
    assert upward == []


def test_every_unit_has_its_place_in_the_order():
    units = {unit_of(parts) for _, parts in modules()} - {"__init__", "apps", "devdb"}
    assert units <= set(LAYERS)


def test_only_the_adapter_and_the_plugin_import_saleor():
    outside = []
    for path, parts in modules():
        if unit_of(parts) in ("saleor_adapter", "plugin"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            outside += [
                f"{path.relative_to(PACKAGE)}: {name}" for name in names if name.split(".")[0] == "saleor"
            ]
    assert outside == []


def test_no_module_is_over_the_size_limit():
    too_long = [
        (str(path.relative_to(PACKAGE)), count)
        for path, _ in modules()
        if (count := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    assert too_long == []


def test_every_package_opens_with_a_docstring():
    bare = [
        str(init.parent.relative_to(PACKAGE))
        for init in PACKAGE.rglob("__init__.py")
        if init.parent.name not in ("migrations",) and not ast.get_docstring(ast.parse(init.read_text()))
    ]
    assert bare == []
