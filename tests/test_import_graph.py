"""The package's imports flow one way: no cycles, layers only import downwards, and no import hides inside a
function to dodge a cycle (the command line alone imports lazily, so that ``--help`` starts fast).

The graph is read from the source with :mod:`ast`, so a test failure names the modules involved.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "energytrade"

#: Layers from the bottom up (README "Where things live"). A module may import its own layer or lower ones.
#: The first matching prefix decides a module's layer.
LAYERS: list[tuple[str, int]] = [
    ("energytrade.cli", 9),
    ("energytrade.__main__", 9),
    ("energytrade.report", 8),
    ("energytrade.claims", 7),
    ("energytrade.analysis", 6),
    ("energytrade.analysis_europe", 6),
    ("energytrade.inventory", 5),
    ("energytrade.store", 5),
    ("energytrade.build", 5),
    ("energytrade.sources", 4),
    ("energytrade.schema", 3),
    ("energytrade.raw", 2),
    ("energytrade", 1),  # facts and helpers: errors, paths, units, events, formatting, countries, ...
]
#: Modules allowed to import inside functions: the command line (fast start-up).
LAZY_IMPORTERS = ("energytrade.cli", "energytrade.__main__")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    return next(rank for prefix, rank in LAYERS if module == prefix or module.startswith(prefix + "."))


def imported_modules(node: ast.AST, module: str, is_package: bool) -> list[tuple[str, int]]:
    """``(imported energytrade module, line)`` for an Import/ImportFrom node (relative imports resolved)."""
    if isinstance(node, ast.Import):
        return [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "energytrade"]
    if isinstance(node, ast.ImportFrom):
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        if target.split(".")[0] != "energytrade":
            return []
        # ``from energytrade.report import chapters`` names a submodule: the edge goes to it, not to the
        # package (whose ``__init__`` may import the importer itself without any cycle in what runs).
        out = []
        for alias in node.names:
            sub = f"{target}.{alias.name}"
            is_module = (PACKAGE_DIR.parent / Path(*sub.split("."))).with_suffix(".py").exists() or (
                PACKAGE_DIR.parent / Path(*sub.split(".")) / "__init__.py"
            ).exists()
            out.append((sub if is_module else target, node.lineno))
        return out
    return []


def module_level_nodes(tree: ast.Module):
    """Every node run at import time: not inside a function, not under ``if TYPE_CHECKING:``."""
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo.extend(node.orelse)
            continue
        yield node
        todo.extend(ast.iter_child_nodes(node))


def parse_graph() -> tuple[dict[str, set[str]], list[str]]:
    """Module-level import edges, and the function-level imports of energytrade modules found."""
    graph: dict[str, set[str]] = {}
    lazy: list[str] = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        module = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        edges = graph.setdefault(module, set())
        for node in module_level_nodes(tree):
            for target, _ in imported_modules(node, module, is_package):
                if target != module:
                    edges.add(target)
        for func in ast.walk(tree):
            if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for sub in ast.walk(func):
                    for target, line in imported_modules(sub, module, is_package):
                        lazy.append(f"{module}:{line} imports {target} inside {func.name}()")
    known = set(graph)
    return {m: {t for t in ts if t in known} for m, ts in graph.items()}, lazy


GRAPH, LAZY = parse_graph()


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None. A package's ``__init__`` importing its
    own submodules is not a cycle unless a submodule imports the package back."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_graph_is_read_from_the_package():
    assert "energytrade.claims" in GRAPH and "energytrade.report.render" in GRAPH
    assert "energytrade.analysis" in GRAPH["energytrade.claims.engine"] or any(
        t.startswith("energytrade.analysis")
        for m, ts in GRAPH.items()
        if m.startswith("energytrade.claims")
        for t in ts
    )


def test_find_cycle_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_there_is_no_import_cycle():
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_layers_import_only_downwards():
    upward = [
        f"{m} (layer {layer(m)}) imports {t} (layer {layer(t)})"
        for m, targets in sorted(GRAPH.items())
        for t in sorted(targets)
        if layer(t) > layer(m)
    ]
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


@pytest.mark.parametrize("module", LAZY_IMPORTERS)
def test_lazy_importers_exist(module):
    assert module in GRAPH


def test_no_import_hides_inside_a_function():
    hidden = [line for line in LAZY if not line.startswith(LAZY_IMPORTERS)]
    assert not hidden, "imports inside functions (move them to the top of the module):\n" + "\n".join(hidden)
