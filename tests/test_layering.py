"""The architecture, checked: no import cycles, no upward imports, and a core that does no I/O.

Every import statement counts, including those inside functions (an import moved into a function
to break a cycle is still a cycle), except those under `if TYPE_CHECKING:`, which never run.
"""

from __future__ import annotations

import ast
import importlib.util
from functools import cache
from pathlib import Path

ROOTS = ("smartstep", "smartstep.knowledge", "smartstep.rules")

# Lower layers never import higher ones; a module may import its own package and anything below.
LAYERS: dict[str, int] = {
    "smartstep.settings": 0,
    "smartstep.errors": 0,
    "smartstep.weeks": 0,
    "smartstep.names": 0,
    "smartstep.definitions": 0,
    "smartstep.db": 0,
    "smartstep.metrics.values": 0,
    "smartstep.metrics": 1,
    "smartstep.rules": 1,
    "smartstep.knowledge": 1,
    "smartstep.imports": 1,
    "smartstep.drivers": 2,
    "smartstep.advice": 3,
    "smartstep.chat": 4,
    "smartstep.demo": 4,
    # Slack primitives (Block Kit builders, the Web API client) sit below the digest that posts with
    # them; the Bolt app and its listeners sit above everything they serve.
    "smartstep.slack.blocks": 5,
    "smartstep.slack.markup": 5,
    "smartstep.slack.assessment_blocks": 5,
    "smartstep.slack.client": 5,
    "smartstep.digest": 5,
    "smartstep.slack": 6,
    "smartstep.commands": 7,
    "smartstep.cli": 7,
    "smartstep.__main__": 7,
    "smartstep": 0,  # the package itself holds nothing
}

# The core: plain functions over plain data. Nothing they reach may talk to Slack, SQLite or a terminal.
CORE = (
    "smartstep.metrics.values",
    "smartstep.metrics.formulas",
    "smartstep.metrics.noise",
    "smartstep.metrics.scorecard",
    "smartstep.rules.engine",
    "smartstep.rules.model",
    "smartstep.knowledge.index",
    "smartstep.advice.ranking",
    "smartstep.advice.situations",
    "smartstep.chat.engine",
    "smartstep.chat.intents",
    "smartstep.chat.replies",
)
IO_LIBRARIES = {"slack_bolt", "slack_sdk", "sqlite3", "sqlite_utils", "rich"}


@cache
def modules() -> dict[str, Path]:
    """Every module of the installed package, by dotted name (the source folders are mapped)."""
    found: dict[str, Path] = {}
    for root in ROOTS:
        spec = importlib.util.find_spec(root)
        assert spec is not None and spec.origin is not None, root
        folder = Path(spec.origin).parent
        for path in folder.rglob("*.py"):
            parts = [p for p in path.relative_to(folder).with_suffix("").parts if p != "__init__"]
            name = ".".join([root, *parts])
            found.setdefault(name, path)
    # smartstep.knowledge and smartstep.rules live in their own folders, not under bot/
    return found


def _runtime_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for child in node.body for n in ast.walk(child)}
    return [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom) and id(n) not in skipped]


@cache
def imports_of(name: str) -> frozenset[str]:
    """Modules `name` imports: smartstep modules by full name, others by top-level name."""
    known = modules()
    out: set[str] = set()
    for node in _runtime_imports(ast.parse(modules()[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name if a.name in known else a.name.split(".")[0] for a in node.names}
        elif node.module and node.level == 0:
            subs = {f"{node.module}.{a.name}" for a in node.names} & set(known)
            if subs and len(subs) == len(node.names):
                out |= subs  # `from package import module`: the modules, not the package's names
            else:
                out.add(node.module if node.module in known else node.module.split(".")[0])
    out.discard(name)
    return frozenset(out)


def executed_imports(name: str) -> set[str]:
    """What importing `name` runs: its own imports and the __init__ of every package above it."""
    parents = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    return set(imports_of(name)) | (parents & set(modules()))


def reach(start: str) -> dict[str, str]:
    """Every module importing `start` runs, each with the module that first imports it."""
    seen, todo = {start: start}, [start]
    while todo:
        current = todo.pop()
        for target in executed_imports(current):
            if target not in seen:
                seen[target] = current
                if target in modules():
                    todo.append(target)
    return seen


def layer(name: str) -> int:
    best = max((p for p in LAYERS if name == p or name.startswith(p + ".")), key=len)
    return LAYERS[best]


def test_the_walk_sees_the_whole_package() -> None:
    assert {"smartstep.cli", "smartstep.chat.engine", "smartstep.knowledge.index", "smartstep.rules.engine"} <= set(
        modules()
    )
    assert all(name.startswith("smartstep") for name in modules())


def test_no_import_cycles() -> None:
    graph = {m: {t for t in imports_of(m) if t in modules()} for m in modules()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    assert cycles == []


def test_no_upward_imports() -> None:
    upward = sorted(
        f"{m} (layer {layer(m)}) imports {t} (layer {layer(t)})"
        for m in modules()
        for t in imports_of(m)
        if t in modules() and layer(t) > layer(m)
    )
    assert upward == []


def test_the_core_does_no_io_even_indirectly() -> None:
    leaks = []
    for core in CORE:
        seen = reach(core)
        for library in sorted(IO_LIBRARIES & set(seen)):
            chain = [library]
            while chain[-1] != core:
                chain.append(seen[chain[-1]])
            leaks.append(" <- ".join(chain))
    assert leaks == []


def test_the_rule_engine_does_not_import_the_bot() -> None:
    for module in (m for m in modules() if m.startswith("smartstep.rules")):
        bot = {t for t in reach(module) if t in modules() and layer(t) > 1}
        assert bot == set(), module
