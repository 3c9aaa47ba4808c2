"""The layering the package docstring draws, held by the imports the source makes.

Every ``import`` counts, wherever it is (module level, inside a function, under
``TYPE_CHECKING``): each is an arrow a reader has to follow. The graph has no circle, and
no module imports one from a layer above its own.
"""
from __future__ import annotations

import ast
import pathlib
import subprocess
import sys
from typing import Dict, List, Set

import pytest

import sgframe

PACKAGE = pathlib.Path(sgframe.__file__).parent

# The package docstring's layers, bottom first: the first component under sgframe/.
LAYERS: List[Set[str]] = [
    {"_code_cache", "_compat", "_lazy", "_records", "_version", "errors", "host_status", "status"},
    {"sense", "cdb", "linux"},
    {"command", "command_info", "decode", "registry", "raw", "params", "emu"},
    {"io"},
    {"judge", "handler", "retry", "exchange"},
    {"transport", "reactor", "iscsi"},
    {"plugin_types", "hookspecs", "builtin", "plugins"},
    {"device", "channel", "pool"},
    {"cli", "testbed", "lab", "testing", "pytest_plugin", "conformance"},
]
RANK = {name: rank for rank, layer in enumerate(LAYERS) for name in layer}


def _modules() -> Dict[str, pathlib.Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _target(module: str, path: pathlib.Path, node: ast.AST) -> List[str]:
    """The sgframe modules an import statement names."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        assert isinstance(node, ast.ImportFrom)
        if node.level:
            base = module.split(".")
            if path.name != "__init__.py":
                base = base[:-1]
            base = base[: len(base) - (node.level - 1)]
            origin = ".".join(base + ([node.module] if node.module else []))
        else:
            origin = node.module or ""
        # "from . import errors" names a module; "from .io import Io" a name in one.
        names = [f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in MODULES else origin
                 for alias in node.names]
    out = []
    for name in names:
        if not name.startswith("sgframe"):
            continue
        while name not in MODULES and "." in name:
            name = name.rsplit(".", 1)[0]
        if name != module:
            out.append(name)
    return out


def import_graph() -> Dict[str, Set[str]]:
    graph: Dict[str, Set[str]] = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                graph[module].update(_target(module, path, node))
    return graph


def _layer(module: str) -> int:
    parts = module.split(".")
    return RANK[parts[1]] if len(parts) > 1 else len(LAYERS)


def _circles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
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
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_every_module_has_a_layer():
    unplaced = sorted({m.split(".")[1] for m in MODULES if "." in m} - set(RANK))
    assert unplaced == [], f"add these to the layers in sgframe/__init__.py and here: {unplaced}"


def test_the_layers_are_the_package_docstrings():
    for layer in LAYERS:
        for name in layer:
            assert f"``{name}``" in sgframe.__doc__


def test_no_module_imports_upward():
    graph = import_graph()
    upward = sorted(f"{m} -> {t}" for m, targets in graph.items() for t in targets
                    if "." in m and _layer(t) > _layer(m))
    assert upward == []


def test_the_import_graph_has_no_circle():
    assert _circles(import_graph()) == []


def test_the_checker_sees_a_circle_and_an_upward_import():
    # The checks above must be able to fail: a made-up graph with both.
    graph = {"sgframe.io": {"sgframe.channel"}, "sgframe.channel": {"sgframe.io"}}
    assert _circles(graph) == [["sgframe.channel", "sgframe.io"]]
    assert _layer("sgframe.channel") > _layer("sgframe.io")


def test_the_checker_reads_relative_type_only_imports():
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..channel import Channel\n"
    node = ast.parse(source).body[1].body[0]
    assert _target("sgframe.transport.base", PACKAGE / "transport" / "base.py", node) == ["sgframe.channel"]


@pytest.mark.parametrize("heavy", ["sgframe.cli", "sgframe.emu", "asyncio", "bitstring", "sgframe.plugins",
                                   "sgframe_sat", "sgframe_seagate"])
def test_import_sgframe_is_light(heavy):
    code = f"import sgframe, sys; print({heavy!r} in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "False\n"


def test_opening_a_channel_loads_the_plugins_first():
    code = ("from sgframe import Channel, plugins; print(plugins._MANAGER is None); "
            "ch = Channel.open('emu:disk'); print(plugins._MANAGER is None); ch.close()")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False"]
