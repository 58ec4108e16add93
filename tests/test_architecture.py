"""Data flows one way: scenario -> params -> engine -> events/metrics -> runner -> store ->
analysis -> API -> report / CLI. No module imports anything downstream of it, at run time or
for type checking."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "skyshield"

MODEL = {"units", "rng", "provenance", "documents", "geo", "catalog", "scenario", "options", "sensors", "tracking",
         "picture", "engage", "policy", "engine"}
"""The model: inputs and the kernel with its plugged-in phases."""

DOWNSTREAM: dict[str, set[str]] = {
    **{p: {"experiments", "campaign", "replay", "runner", "store", "analysis", "api", "report", "cli", "export", "web"}
       for p in MODEL},
    "experiments": {"runner", "store", "analysis", "api", "report", "cli", "web"},
    "campaign": {"store", "analysis", "api", "report", "cli", "web"},
    "replay": {"store", "analysis", "api", "report", "cli", "web"},
    "runner": {"store", "analysis", "api", "report", "cli", "web"},
    "store": {"analysis", "api", "report", "cli", "web"},
    "analysis": {"api", "report", "cli", "web"},
    "api": {"report", "cli", "web"},
    "export": {"experiments", "campaign", "replay", "runner", "store", "analysis", "api", "report", "cli", "web"},
    "web": MODEL | {"experiments", "campaign", "replay", "runner", "store", "analysis", "report", "cli", "export"},
    "report": {"cli", "api", "engine", "sensors", "options", "picture", "tracking", "engage", "web"},
}
"""What each package must not import. The report draws; the numbers and the physics behind a
figure come from the analysis layer (``analysis.maps``), never from the report."""

VOCABULARY = {("report", "engine.explain"), ("report", "policy.ladder"), ("report", "policy.phase")}
"""Names the report may read from upstream modules (the leaker causes, the rungs and the kinds
of rise), which compute nothing for it."""


def _imports() -> list[tuple[str, str, str, int, str]]:
    """``(package, imported package, file, line, imported module)`` for every import of a
    skyshield package."""
    out = []
    for p in SRC.rglob("*.py"):
        rel = p.relative_to(SRC)
        parts = rel.with_suffix("").parts
        pkg = parts[0] if len(parts) > 1 else parts[0]
        base = ("skyshield", *parts[:-1]) if parts[-1] != "__init__" else ("skyshield", *parts[:-1])
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            targets: list[tuple[str, ...]] = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    root = base[: len(base) - node.level + 1]
                    mod = (*root, *node.module.split(".")) if node.module else root
                else:
                    mod = tuple((node.module or "").split("."))
                if mod[0] != "skyshield":
                    continue
                targets = [(*mod, a.name) for a in node.names] if len(mod) == 1 else [mod]
            elif isinstance(node, ast.Import):
                targets = [tuple(a.name.split(".")) for a in node.names if a.name.startswith("skyshield.")]
            for t in targets:
                if len(t) > 1 and t[1] != pkg:
                    out.append((pkg, t[1], str(rel), node.lineno, ".".join(t[1:3])))
    return out


EDGES = _imports()


@pytest.mark.parametrize("pkg", sorted(DOWNSTREAM))
def test_no_package_imports_what_is_downstream_of_it(pkg: str) -> None:
    bad = [f"{f}:{line} imports skyshield.{m}" for p, t, f, line, m in EDGES
           if p == pkg and t in DOWNSTREAM[pkg] and (p, m) not in VOCABULARY]
    assert not bad, "\n".join(bad)


def test_no_import_cycles_between_packages_outside_the_kernel() -> None:
    """Cycles are allowed only inside the kernel, whose phases (sensing in ``picture``, battle
    management, fighters and EW in ``engage``, the escalate phase in ``policy``) plug into
    ``engine`` and read its data types."""
    kernel = {"engine", "picture", "policy", "engage"}
    graph: dict[str, set[str]] = defaultdict(set)
    for p, t, _, _, _ in EDGES:
        if not (p in kernel and t in kernel) and (SRC / t).is_dir():
            graph[p].add(t)

    def reach(a: str) -> set[str]:
        seen, todo = set(), [a]
        while todo:
            for n in graph[todo.pop()]:
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
        return seen

    cycles = sorted(p for p in list(graph) if p in reach(p))
    assert not cycles, f"import cycles through: {cycles}"


def test_command_modules_do_not_import_the_command_group() -> None:
    """``cli/main.py`` registers the commands defined in their own modules; they share what they
    need through ``cli/common.py``, never by importing ``main``."""
    bad = []
    for p in (SRC / "cli").glob("*.py"):
        if p.name in ("main.py", "__init__.py", "__main__.py"):
            continue
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in ("main", "skyshield.cli.main") and (
                    node.level == 1 or node.module.startswith("skyshield")):
                bad.append(f"cli/{p.name}:{node.lineno}")
    assert not bad, bad


def test_the_checks_see_real_imports() -> None:
    # not vacuous: the parser finds the engine importing the catalog and the CLI importing the API
    assert any(p == "engine" and t == "catalog" for p, t, *_ in EDGES)
    assert any(p == "cli" and t == "api" for p, t, *_ in EDGES)
    assert any(p == "store" and t == "runner" for p, t, *_ in EDGES)  # downstream may import upstream
