"""The package's shape: imports only point downward (no cycles), and no module is too long to read at once."""

import ast
import os

import pytest

import scratchgan

PACKAGE_DIR = os.path.dirname(scratchgan.__file__)
MAX_LINES = 450


def package_modules():
    """{dotted module name: path} of every .py file of the package (a package's __init__ under its own name)."""
    modules = {}
    for folder, _, files in os.walk(PACKAGE_DIR):
        if "__pycache__" in folder:
            continue
        rel = os.path.relpath(folder, os.path.dirname(PACKAGE_DIR)).split(os.sep)
        for f in files:
            if f.endswith(".py"):
                parts = rel if f == "__init__.py" else rel + [f[:-3]]
                modules[".".join(parts)] = os.path.join(folder, f)
    return modules


def imports_of(name, path, modules):
    """The package modules that module `name` imports anywhere in its file (at the top or in a function).

    `from .a import b` is an import of a.b when a.b is a module, else of a; `from . import b` likewise."""
    is_package = path.endswith("__init__.py")
    here = name.split(".") if is_package else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(open(path).read(), path)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - (node.level - 1)] + (node.module.split(".") if node.module else [])
                base = ".".join(base)
            else:
                base = node.module
            for alias in node.names:
                if f"{base}.{alias.name}" in modules:
                    found.add(f"{base}.{alias.name}")
                elif base in modules:
                    found.add(base)
    found.discard(name)
    return found


def import_graph():
    modules = package_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def find_cycle(graph):
    """One import cycle as a list of module names [a, b, ..., a], or None."""
    state = {}                                   # absent: unseen, 1: on the current path, 2: done
    path = []

    def visit(u):
        state[u] = 1
        path.append(u)
        for v in sorted(graph.get(u, ())):
            if state.get(v) == 1:
                return path[path.index(v):] + [v]
            if v not in state:
                cycle = visit(v)
                if cycle:
                    return cycle
        path.pop()
        state[u] = 2
        return None

    for u in sorted(graph):
        if u not in state:
            cycle = visit(u)
            if cycle:
                return cycle
    return None


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert "scratchgan.engine.gan_backward" in graph["scratchgan.game.trainer"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    # the check above could not fail if find_cycle never found anything
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_only_the_command_line_imports_the_command_line():
    for name, imported in import_graph().items():
        if not name.startswith("scratchgan.cli") and name != "scratchgan.__main__":   # `python -m scratchgan`
            assert not any(m.startswith("scratchgan.cli") for m in imported), name


def test_the_lowest_modules_import_nothing_of_the_package_above_them():
    graph = import_graph()
    assert graph["scratchgan.engine.nn"] == set()
    assert graph["scratchgan.engine.errors"] == set()
    assert graph["scratchgan.engine.gan_backward"] == {"scratchgan.engine.nn"}


# The folders from the bottom up: each imports only from its own layer and those below. The root's modules
# (the package itself, the catalogue of gradient checks, the benchmarks) run everything, so they sit above the
# folders they use; the command line above them; `python -m scratchgan` on top.
LAYERS = ["engine", "data", "measure", "fixes", "game", "theory", "plots", "lab", "(root)", "cli", "__main__"]


def layer_of(module):
    """The index in LAYERS of a module's folder: scratchgan.game.trainer -> 4, scratchgan.bench -> 8."""
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS):
        return LAYERS.index(parts[1])
    return LAYERS.index("__main__" if parts[-1] == "__main__" else "(root)")


def upward_imports(graph):
    return sorted(f"{a} -> {b}" for a, bs in graph.items() for b in bs if layer_of(b) > layer_of(a))


def test_imports_run_only_downward_between_the_folders():
    graph = import_graph()
    assert {layer_of(m) for m in graph} == set(range(len(LAYERS)))      # every layer has modules
    assert upward_imports(graph) == []


def test_an_upward_import_is_found():
    # the check above could not fail if upward_imports never found anything
    graph = {"scratchgan.engine.nn": {"scratchgan.game.trainer"}, "scratchgan.game.trainer": {"scratchgan.engine.nn"}}
    assert upward_imports(graph) == ["scratchgan.engine.nn -> scratchgan.game.trainer"]


@pytest.mark.parametrize("name, path", sorted(package_modules().items()))
def test_module_fits_on_a_few_pages(name, path):
    with open(path) as f:
        n = sum(1 for _ in f)
    assert n <= MAX_LINES, f"{name} has {n} lines (at most {MAX_LINES})"


@pytest.mark.parametrize("name, path", sorted(package_modules().items()))
def test_module_names_its_idea_in_its_first_docstring_line(name, path):
    doc = ast.get_docstring(ast.parse(open(path).read(), path))
    assert doc and doc.splitlines()[0].strip(), f"{name} has no docstring"
