"""The shape of the house holds: no import cycles, no import hidden in a function, constructors
that only wire, modules of a readable size, and an install that carries every package.

Read from the source with `ast` (nothing is imported), so a breach names the file and line.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Where each installed top-level package lives in the checkout.
PACKAGE_DIRS = {
    "awsdata": ROOT / "awsdata",
    "components": ROOT / "components",
    "contract": ROOT / "contract",
    "dbtier": ROOT / "dbtier",
    "dbtier_policy": ROOT / "policy" / "dbtier_policy",
    "lambdas": ROOT / "lambdas",
    "preflight": ROOT / "preflight",
    "standins": ROOT / "standins",
    "workloads": ROOT / "workloads",
}
MODULE_LIMIT = 450
# Declarative rule tables may be longer; each is listed here by path, none over RULE_TABLE_LIMIT.
RULE_TABLE_LIMIT = 650
RULE_TABLES: frozenset[str] = frozenset()
CONSTRUCTOR_LIMIT = 60


def _module_name(path: Path) -> str:
    for package, folder in PACKAGE_DIRS.items():
        if path.is_relative_to(folder):
            parts = [package, *path.relative_to(folder).with_suffix("").parts]
            return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    raise ValueError(path)


@cache
def modules() -> dict[str, Path]:
    """Every module of the installed packages, by dotted name."""
    return {
        _module_name(path): path
        for folder in PACKAGE_DIRS.values()
        for path in sorted(folder.rglob("*.py"))
    }


def _imported(name: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The project modules `node` (in module `name`) imports."""
    known = modules()
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = name.split(".")
            is_package = known[name].name == "__init__.py"
            anchor = package if is_package else package[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        # `from package import module` imports the module; `from module import name` the module.
        targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
    for target in targets:
        if target in known:
            yield target


@cache
def import_graph() -> dict[str, frozenset[str]]:
    """Module -> the project modules it imports at its top level, `if TYPE_CHECKING:` blocks
    included: a cycle only the type checker sees is still two modules that cannot be read apart."""
    graph: dict[str, frozenset[str]] = {}
    for name, path in modules().items():
        tree = ast.parse(path.read_text(), str(path))
        edges: set[str] = set()
        for node in tree.body:
            for inner in [node, *(node.body if isinstance(node, ast.If) else ())]:
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    edges.update(_imported(name, inner))
        # A package's own __init__ importing its submodules is not an edge back to it.
        graph[name] = frozenset(e for e in edges if e != name)
    return graph


def _cycles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset()}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycles_between_modules() -> None:
    # A package importing its own submodules from __init__ and a submodule importing the
    # package's name back is the one loop Python resolves by design; it is not one of ours.
    graph = {
        name: frozenset(e for e in edges if not name.startswith(f"{e}."))
        for name, edges in import_graph().items()
    }
    assert _cycles(graph) == []


def test_no_project_import_inside_a_function() -> None:
    """An import inside a function is how a cycle hides; the project's modules import at the top."""
    hidden = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom) and list(
                        _imported(name, inner)
                    ):
                        hidden.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert hidden == []


def test_modules_stay_readable() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in modules().values()
        if (n := len(path.read_text().splitlines()))
        > (RULE_TABLE_LIMIT if str(path.relative_to(ROOT)) in RULE_TABLES else MODULE_LIMIT)
    }
    assert long == {}


def test_component_constructors_only_wire() -> None:
    long = {}
    for path in (ROOT / "components").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef) and node.name == "__init__":
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > CONSTRUCTOR_LIMIT:
                    long[f"{path.relative_to(ROOT)}:{node.lineno}"] = lines
    assert long == {}


def test_the_install_carries_every_package() -> None:
    """pyproject.toml lists packages explicitly (the pack's rules install under another name
    than their folder): a package folder it does not list would be missing from `pip install .`."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    on_disk = {name for name, path in modules().items() if path.name == "__init__.py"}
    assert listed == on_disk
    assert setuptools["package-dir"]["dbtier_policy"] == "policy/dbtier_policy"


@pytest.mark.parametrize("folder", ["components", "workloads"])
def test_components_and_workloads_meet_only_at_the_contract(folder: str) -> None:
    other = {"components": "workloads", "workloads": "components"}[folder]
    crossing = [
        f"{name} -> {target}"
        for name, edges in import_graph().items()
        if name.split(".")[0] == folder
        for target in edges
        if target.split(".")[0] == other
    ]
    assert crossing == []
