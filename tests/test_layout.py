"""The import graph of scapy_layers and generator: no cycles, and each room
imports only the rooms the README's Layout table allows.

Every import counts, also one inside a function: a lazy import that closes a
cycle is still a cycle in the design.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGES = ("scapy_layers", "generator")

# room -> project rooms it may import (besides itself); the README's Layout table says the same
ALLOWED = {
    "scapy_layers.spec": set(),
    "scapy_layers.traffic": set(),
    "scapy_layers.mstrp": {"scapy_layers.spec", "scapy_layers.traffic"},
    "generator.model": set(),
    "generator.names": set(),
    "generator.progress": set(),
    "generator.frontend": {"generator.model", "generator.names", "scapy_layers.spec"},
    "generator.backends": {"generator.model", "generator.names"},
    "generator.check": {"generator.model", "generator.frontend", "generator.backends", "scapy_layers.traffic"},
    "generator.survey": {"generator.frontend", "generator.backends", "generator.check", "generator.progress"},
    "generator.cli": {"generator.frontend", "generator.backends", "generator.check", "generator.progress",
                      "generator.survey",
                      "scapy_layers.mstrp", "scapy_layers.traffic"},
}
# rooms that must stay free of scapy: templates only ever see the model
NO_SCAPY = ("generator.model", "generator.names", "generator.backends")


def module_files(root: Path, packages=PACKAGES) -> dict[str, Path]:
    out = {}
    for pkg in packages:
        for path in sorted((root / pkg).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every module ``name`` imports: absolute, relative, top-level or inside functions."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in modules else target)
    return {m for m in found if m in modules}


def graph(root: Path, packages=PACKAGES) -> dict[str, set[str]]:
    modules = module_files(root, packages)
    return {name: imports_of(name, path, modules) - {name} for name, path in modules.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def room(module: str) -> str | None:
    return next((r for r in sorted(ALLOWED, key=len, reverse=True) if module == r or module.startswith(r + ".")), None)


def test_no_import_cycle():
    assert cycles(graph(REPO)) == []


def test_each_room_imports_only_what_the_layout_allows():
    wrong = []
    for module, targets in sorted(graph(REPO).items()):
        if module in PACKAGES:
            continue
        mine = room(module)
        for target in sorted(targets):
            if target in PACKAGES:
                wrong.append(f"{module} imports the top-level package {target}")
            elif room(target) != mine and room(target) not in ALLOWED[mine]:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_model_and_backends_never_see_scapy():
    for name, path in module_files(REPO).items():
        if room(name) in NO_SCAPY:
            tree = ast.parse(path.read_text())
            names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
            names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and not n.level]
            assert not [m for m in names if m.split(".")[0] in ("scapy", "scapy_layers")], name


def test_every_module_has_a_room():
    assert [name for name in module_files(REPO) if name not in PACKAGES and room(name) is None] == []


def test_the_walker_finds_a_lazy_cycle(tmp_path):
    """The check can fail: a cycle closed by an import inside a function is found."""
    pkg = tmp_path / "scapy_layers"
    (pkg / "mstrp").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "mstrp" / "__init__.py").write_text("from .layers import X\n")
    (pkg / "mstrp" / "layers.py").write_text("from .tapsrv import Stub\nX = 1\n")
    (pkg / "mstrp" / "tapsrv.py").write_text("class Stub:\n    def tapi(self):\n        from .layers import X\n")
    assert cycles(graph(tmp_path, ("scapy_layers",))) == [["scapy_layers.mstrp.layers", "scapy_layers.mstrp.tapsrv"]]
