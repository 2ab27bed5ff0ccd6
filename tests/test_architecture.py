"""The layout docs/architecture.md describes, checked: no import cycle, no module over 400 lines, no test hook."""

from __future__ import annotations

import ast
from pathlib import Path

import legquiz

ROOT = Path(legquiz.__file__).parent
MAX_LINES = 400


def modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every legquiz module ``name`` imports, at the top or inside a function (TYPE_CHECKING blocks excluded)."""
    tree = ast.parse(path.read_text("utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for b in node.body for n in ast.walk(b))
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            for a in node.names:
                if f"{base}.{a.name}" in known:
                    found.add(f"{base}.{a.name}")
                elif base in known:
                    found.add(base)
    found.discard(name)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports(name, path, known) for name, path in mods.items()}


def test_no_import_cycle() -> None:
    g = graph()
    # a package's __init__ importing its own submodule is how a package works, not a cycle of concepts
    done: set[str] = set()
    stack: list[str] = []

    def visit(n: str) -> None:
        if n in stack:
            cycle = stack[stack.index(n) :] + [n]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if n in done:
            return
        stack.append(n)
        for m in sorted(g[n]):
            if not (m.startswith(n + ".") or n.startswith(m + ".") and m != "legquiz"):
                visit(m)
        stack.pop()
        done.add(n)

    for n in sorted(g):
        visit(n)


def test_every_module_is_short() -> None:
    long = {n: len(p.read_text("utf-8").splitlines()) for n, p in modules().items()}
    assert {n: k for n, k in long.items() if k > MAX_LINES} == {}


def test_no_test_hook_in_production_code() -> None:
    for name, path in modules().items():
        assert "LEGQUIZ_TEST" not in path.read_text("utf-8"), name


# What each folder may import (docs/architecture.md): a prefix of a module name per entry.
ALLOWED = {
    "errors": ["text"],
    "text": [],
    "core": ["errors", "text", "core", "srs.scheduler", "storage.fsutil", "ui.ask", "ui.render"],
    "srs": ["errors", "core.cards", "storage.fsutil", "srs"],
    "speed": ["errors", "core.model", "storage.paths", "deckfile.validate", "speed"],
    "storage": ["errors", "text", "core", "speed", "storage"],
    "deckfile": ["errors", "text", "core", "speed", "storage", "deckfile"],
    "convert": ["errors", "text", "core", "deckfile", "storage.fsutil", "convert"],
    "ui": ["errors", "text", "core", "deckfile", "ui"],
    "sync": ["errors", "text", "core", "srs.scheduler", "storage", "deckfile", "sync"],
    "cli": ["errors", "text", "core", "srs", "speed", "storage", "deckfile", "convert", "ui", "sync", "cli"],
    "__main__": ["cli"],
}


def test_folders_import_only_what_docs_architecture_allows() -> None:
    wrong = []
    for name, deps in graph().items():
        if name == "legquiz":
            continue
        rest = name.split(".", 1)[1]
        folder = rest.split(".")[0]
        for d in deps:
            target = d.split(".", 1)[1] if "." in d else ""
            if target and not any(target == a or target.startswith(a + ".") for a in ALLOWED[folder]):
                wrong.append(f"{rest} imports {target}")
    assert sorted(wrong) == []
