"""Read YAML while remembering the line of every field.

PyYAML's composer keeps a source mark on each node; we build plain Python objects from the
node tree and a map from field path to line, so that a validation error deep in a document
can name the line it comes from. Duplicate keys, which PyYAML would silently overwrite, are
reported as problems.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import Loc, Problem, ScenarioError

__all__ = ["load_yaml", "loads_yaml"]


def loads_yaml(text: str, source: str = "<string>") -> tuple[Any, dict[Loc, int]]:
    """Parse YAML text into Python objects and a ``{path: line}`` map (1-based lines)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(
            [Problem(source, line, (), f"malformed YAML: {problem}")]
        ) from None
    lines: dict[Loc, int] = {}
    problems: list[Problem] = []
    if node is None:
        return None, {(): 1}
    data = _build(node, (), lines, problems, source)
    if problems:
        raise ScenarioError(problems)
    return data, lines


def load_yaml(path: str | Path) -> tuple[Any, dict[Loc, int]]:
    """Read a YAML file; see :func:`loads_yaml`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem(str(p), None, (), "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(str(p), None, (), f"cannot read file: {exc}")]) from None
    return loads_yaml(text, str(p))


def _build(node: yaml.Node, loc: Loc, lines: dict[Loc, int], problems: list[Problem], source: str) -> Any:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.SafeLoader(  # scalar keys only; constructing them alone is cheap
                ""
            ).construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                problems.append(Problem(source, key_node.start_mark.line + 1, loc, "keys must be plain names"))
                continue
            if key in out:
                problems.append(
                    Problem(source, key_node.start_mark.line + 1, (*loc, key), "duplicate key")
                )
                continue
            child = (*loc, key)
            lines[child] = key_node.start_mark.line + 1
            out[key] = _build(value_node, child, lines, problems, source)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*loc, i), lines, problems, source) for i, item in enumerate(node.value)
        ]
    return yaml.SafeLoader("").construct_object(node, deep=True)
