"""The web app sits at the end of the data flow: it reads everything through the public facade
(``skyshield.api``) and nothing but the command line imports it."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "skyshield"


def _skyshield_imports(path: Path, package: tuple[str, ...]) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join((*base, *(node.module.split(".") if node.module else ())))
            else:
                mod = node.module or ""
            if mod == "skyshield":
                out += [(node.lineno, f"skyshield.{a.name}") for a in node.names]
            elif mod.startswith("skyshield."):
                out.append((node.lineno, mod))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("skyshield")]
    return out


def test_web_imports_only_the_api_facade() -> None:
    bad, seen = [], []
    for p in (SRC / "web").rglob("*.py"):
        rel = p.relative_to(SRC).with_suffix("").parts
        pkg = ("skyshield", *rel[:-1])
        for line, mod in _skyshield_imports(p, pkg):
            seen.append(mod)
            if not (mod == "skyshield.api" or mod.startswith(("skyshield.api.", "skyshield.web"))):
                bad.append(f"web/{'/'.join(rel)}.py:{line} imports {mod}")
    assert any(m.startswith("skyshield.api") for m in seen)  # the check sees real imports
    assert not bad, "\n".join(bad)


def test_nothing_but_the_command_line_imports_web() -> None:
    bad = []
    for p in SRC.rglob("*.py"):
        rel = p.relative_to(SRC).with_suffix("").parts
        if rel[0] in ("web", "cli"):
            continue
        for line, mod in _skyshield_imports(p, ("skyshield", *rel[:-1])):
            if mod.startswith("skyshield.web"):
                bad.append(f"{'/'.join(rel)}.py:{line} imports {mod}")
    assert not bad, "\n".join(bad)
