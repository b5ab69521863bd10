"""The import graph of sitegen/ points one way, and stays low (issue 15: "layers
that point one way, stages side by side"; docs/architecture.md, "Layers").

The graph is read from the sources: every `from .x import` or `import sitegen.x`,
at the top of a module or inside a function (that still is a dependency), but not
those under `if TYPE_CHECKING:`, which only name types for the type checker."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import sitegen

PACKAGE = Path(sitegen.__file__).parent
MODULES = sorted(path.stem for path in PACKAGE.glob("*.py"))
# The stages a build runs, in order (the file list shows them).
STAGES = ["load", "validate", "render", "check", "write"]
# Imports nothing of sitegen: file-system helpers and stamps, URLs, findings, the
# store, the worker pool, the claims linter's word lists, the feed, the structured
# data and the parts of pages kept by what they read.
BOTTOM = ["claims_context", "feed", "findings", "fragments", "fs", "parallel", "store",
          "structured", "urls"]  # fmt: skip
HIGHEST = 6  # modules in the longest chain of imports, __main__ to the bottom


def type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imported(tree: ast.AST) -> set[str]:
    """The sitegen modules a module's code imports."""
    found: set[str] = set()
    for node in ast.iter_child_nodes(tree):
        if type_checking_only(node):
            continue
        if isinstance(node, ast.ImportFrom) and (node.level or node.module == "sitegen" or
                                                  (node.module or "").startswith("sitegen.")):  # fmt: skip
            module = (node.module or "").removeprefix("sitegen").lstrip(".")
            if module:
                found.add(module.partition(".")[0])
            else:  # from . import x
                found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names
                      if alias.name.startswith("sitegen.")}  # fmt: skip
        found |= imported(node)
    return found


@functools.cache
def graph() -> dict[str, frozenset[str]]:
    edges = {}
    for name in MODULES:
        tree = ast.parse((PACKAGE / f"{name}.py").read_text("utf-8"))
        edges[name] = frozenset(imported(tree) & set(MODULES) - {name})
    return edges


@functools.cache
def longest_chain(module: str) -> tuple[str, ...]:
    below = [longest_chain(name) for name in sorted(graph()[module])]
    return (module, *max(below, key=len, default=()))


def test_the_graph_is_read_from_the_sources():
    edges = graph()
    assert "build" in edges["cli"]
    assert "serve" in edges["cli"]  # imported inside the function that serves
    assert "models" not in edges["markdown"]  # named only for the type checker


def test_the_bottom_modules_import_nothing_of_sitegen():
    assert {name: sorted(graph()[name]) for name in BOTTOM} == {name: [] for name in BOTTOM}


def test_imports_point_one_way():
    """No cycle: a module never imports, through others, a module that imports it."""

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for name in graph()[start] - seen:
            seen.add(name)
            if name == goal or reaches(name, goal, seen):
                return True
        return False

    assert [name for name in MODULES if reaches(name, name, set())] == []


def test_stages_stand_side_by_side_under_build():
    """A stage imports no other stage (a file as read, which the loader makes and
    validation reports against, is in `raw`); only `build` strings them together,
    and only the command line imports `build`: the server is handed its session."""
    between = {(stage, name) for stage in STAGES for name in graph()[stage] if name in STAGES}
    assert between == set()
    assert set(STAGES) <= graph()["build"]
    assert [name for name in MODULES if "build" in graph()[name]] == ["cli"]


def test_the_store_and_the_record_of_reads_do_not_import_the_renderer_nor_checks_the_loader():
    def below(module: str) -> set[str]:
        return set(graph()[module]).union(*(below(name) for name in graph()[module]))

    assert "render" not in below("store") | below("record") | below("fragments")
    assert "load" not in below("check")
    assert below("assets") == {"findings"}  # asset hashing in its own place


def test_the_import_graph_stays_low():
    chain = longest_chain("__main__")
    assert len(chain) <= HIGHEST, " -> ".join(chain)
