"""Errors at the scenario boundary, each pointing at a file, a line and a field.

A user's mistake in a scenario or catalog file must never surface as a traceback. Everything
that can go wrong while reading one is collected into a :class:`ScenarioError`, which the
CLI prints and turns into exit status 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Problem", "ScenarioError", "Where", "did_you_mean", "format_path", "line_for", "locate", "relocate"]

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
        if self.file.startswith("--") and not self.path:  # a command-line argument, not a file
            text = f"{where}: {self.message}"
        else:
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


Where = Mapping[Loc, tuple[str, int]]
"""For a document merged from several files: the file and line of each field path."""


def locate(where: Where, loc: Loc, default: tuple[str, int | None] = ("<document>", None)) -> tuple[str, int | None]:
    """The file and line of the longest prefix of ``loc`` that ``where`` knows (as :func:`line_for`)."""
    best: tuple[str, int | None] = where.get((), default)
    prefix: Loc = ()
    for part in loc:
        candidate = (*prefix, part)
        if candidate in where:
            prefix = candidate
            best = where[candidate]
    return best


def relocate(problems: Sequence[Problem], where: Where, renames: Mapping[Loc, Loc] | None = None) -> list[Problem]:
    """The same problems, each pointing at the file and line its field came from.

    ``renames`` maps a location of the merged document to the one it was written at (an item a
    patch adds at ``forces[112]`` was written at ``add.forces[0]``): a problem's path is given
    as written.
    """
    out = []
    for p in problems:
        file, line = locate(where, p.path, (p.file, p.line))
        path = p.path
        for n in range(len(path), 0, -1):
            if renames and path[:n] in renames:
                path = (*renames[path[:n]], *path[n:])
                break
        out.append(Problem(file, line, path, p.message, p.given))
    return out


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


def did_you_mean(given: object, choices: Iterable[object], n: int = 3) -> str:
    """``"; did you mean 'x'?"`` for the choices closest to ``given`` in spelling (``""`` if none is).

    >>> did_you_mean("umbrela", ["none", "umbrella", "umbrella-path"])
    "; did you mean 'umbrella' or 'umbrella-path'?"
    >>> did_you_mean("zzz", ["none"])
    ''
    """
    import difflib

    pool = [str(c) for c in choices]
    close = difflib.get_close_matches(str(given), pool, n=n, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?"
