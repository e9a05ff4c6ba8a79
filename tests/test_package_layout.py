"""The layout of the python/fupin package: its import graph has no cycle and no module imports a
private name (one leading underscore) from another.

The graph is read from the source with ``ast``, so imports inside functions (lazy imports, often
used to hide a cycle) count as much as module-level ones. The checker itself is first tested on
small made-up packages whose graph is known by hand.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "python" / "fupin"
NAME = "fupin"
#: Modules of the package that are not Python files (the compiled extension).
EXTENSIONS = {"_native"}


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _target(node: ast.ImportFrom, here: str) -> str | None:
    """The package module a ``from ... import`` statement reads from, or None for an outside one
    (``here`` is the importing module; everything in the package sits at one level)."""
    if node.level == 0:
        if node.module == NAME:
            return "__init__"
        if node.module is not None and node.module.startswith(NAME + "."):
            return node.module.split(".")[1]
        return None
    if node.level == 1:
        return "__init__" if node.module is None else node.module.split(".")[0]
    return None


def scan(sources: dict[str, str]) -> tuple[dict[str, set[str]], list[str]]:
    """``(graph, private)``: for each module (file stem) the package modules it imports, and one
    line per import of a private name from another module."""
    modules = set(sources)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    private: list[str] = []
    for here, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if parts[0] == NAME and len(parts) > 1 and parts[1] in modules:
                        graph[here].add(parts[1])
                continue
            if not isinstance(node, ast.ImportFrom):
                continue
            source = _target(node, here)
            if source is None:
                continue
            for alias in node.names:
                if source == "__init__" and alias.name in modules | EXTENSIONS:
                    # `from . import x`: the module x itself (module access, never private use).
                    if alias.name in modules:
                        graph[here].add(alias.name)
                    continue
                if source in modules and source != here:
                    graph[here].add(source)
                if _is_private(alias.name):
                    private.append(f"{here}.py:{node.lineno}: from {source} import {alias.name}")
    return graph, private


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module, or a module importing
    itself (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph[v]:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _package_sources() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(PACKAGE.glob("*.py"))}


# --- the checker on made-up packages --------------------------------------------------------------


def test_checker_finds_a_cycle_hidden_in_a_function():
    sources = {
        "a": "from .b import thing\n",
        "b": "def f():\n    from .c import other\n",
        "c": "import numpy\nfrom fupin.a import x\n",
        "d": "from . import a\n",
    }
    graph, private = scan(sources)
    assert graph == {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert private == []


def test_checker_finds_private_names_but_not_private_modules():
    sources = {
        "__init__": "from . import _native, _args\nfrom ._args import whole\n",
        "_args": "from . import _native\n",
        "engine": "from ._args import _invalid, seed\nfrom .dynamics import _read as read\n",
        "dynamics": "from . import _args\nfrom .missing import __all__\n",
    }
    graph, private = scan(sources)
    assert graph == {
        "__init__": {"_args"},
        "_args": set(),
        "engine": {"_args", "dynamics"},
        "dynamics": {"_args"},
    }
    assert cycles(graph) == []
    assert private == [
        "engine.py:1: from _args import _invalid",
        "engine.py:2: from dynamics import _read",
    ]


def test_checker_tells_a_chain_from_a_cycle():
    chain = {"a": {"b"}, "b": {"c"}, "c": set()}
    assert cycles(chain) == []
    assert cycles({**chain, "c": {"b"}}) == [["b", "c"]]
    assert cycles({"a": {"a"}}) == [["a"]]


# --- the package ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def package() -> tuple[dict[str, set[str]], list[str]]:
    sources = _package_sources()
    assert "__init__" in sources and "engine" in sources, f"package not found at {PACKAGE}"
    return scan(sources)


def test_the_package_imports_have_no_cycle(package):
    graph, _ = package
    assert cycles(graph) == []


def test_no_module_imports_a_private_name_from_another(package):
    _, private = package
    assert private == []
