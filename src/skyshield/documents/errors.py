"""Errors at the scenario boundary, each pointing at a file, a line and a field.

A user's mistake in a scenario or catalog file must never surface as a traceback. Everything
that can go wrong while reading one is collected into a :class:`ScenarioError`, which the
CLI prints and turns into exit status 2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Problem", "ScenarioError", "format_path"]

Loc = tuple[str | int, ...]


def format_path(loc: Loc) -> str:
    """``("forces", 3, "speed")`` -> ``"forces[3].speed"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file."""

    file: str
    line: int | None  # 1-based; None when the file could not be parsed far enough to say
    path: Loc  # field path inside the document
    message: str  # what was expected
    given: object = None  # what was found; None when the field is missing

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        text = f"{where}: {format_path(self.path)}: {self.message}"
        if self.given is not None:
            given = repr(self.given)
            if len(given) > 80:
                given = given[:77] + "..."
            text += f" (given: {given})"
        return text


class ScenarioError(ValueError):
    """One or more problems in an input file."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def line_for(lines: Mapping[Loc, int], loc: Loc) -> int | None:
    """The line of the longest prefix of ``loc`` that the document has.

    Validation locations can carry parts the document does not (a union's tag, a
    ``[key]`` suffix); those are skipped rather than ending the search.
    """
    best: int | None = lines.get(())
    prefix: Loc = ()
    for part in loc:
        candidate = (*prefix, part)
        if candidate in lines:
            prefix = candidate
            best = lines[candidate]
    return best
