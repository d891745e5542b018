"""handbp's modules import one another without a circle.

The graph is read from the source: every ``import`` at run time, at the top of a module
or inside a function, counts (an import put inside a function to dodge a circle is
still a circle); imports under ``if TYPE_CHECKING:`` do not, as they never run. Importing
``handbp.a.b`` also runs the package ``handbp.a``'s ``__init__``, unless the importer
lives in that package already.
"""

import ast
from pathlib import Path

import handbp

ROOT = Path(handbp.__file__).parent


def module_name(path: Path) -> str:
    parts = ["handbp", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


SOURCES = {
    module_name(path): path.read_text(encoding="utf-8") for path in sorted(ROOT.rglob("*.py"))
}


def runtime_imports(tree: ast.AST) -> list[str]:
    """The modules named by the imports of ``tree`` that run (not under TYPE_CHECKING)."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "handbp uses absolute imports"
            base = node.module or ""
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.append(submodule if submodule in SOURCES else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def ancestors(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[:end]) for end in range(1, len(parts))}


def import_graph(sources: dict[str, str]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, source in sources.items():
        edges: set[str] = set()
        for imported in runtime_imports(ast.parse(source)):
            if imported not in SOURCES:
                continue  # numpy, the standard library
            runs = {imported} | (ancestors(imported) - ancestors(name) - {name})
            edges |= runs & SOURCES.keys()
        graph[name] = edges - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node], _ = "open", path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[node], _ = "done", path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_handbp_has_no_import_circle():
    cycle = find_cycle(import_graph(SOURCES))
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_circle_through_a_lazy_import():
    """The finder itself: plots importing History at run time again, as it once did."""
    sources = dict(SOURCES)
    sources["handbp.plots"] += "\nfrom handbp.training.history import History\n"
    cycle = find_cycle(import_graph(sources))
    assert cycle is not None and {"handbp.plots", "handbp.training"} <= set(cycle)
    tree = ast.parse("if TYPE_CHECKING:\n    import a\nelse:\n    import b\ndef f():\n    import c")
    assert runtime_imports(tree) == ["b", "c"]
