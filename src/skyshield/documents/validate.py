"""Validate a parsed document against a pydantic model, with errors that point at lines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import Loc, Problem, ScenarioError, line_for

__all__ = ["validate_document", "problems_from_validation"]

M = TypeVar("M", bound=BaseModel)

_EXPECTED = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field (check its spelling; `skyshield schema` lists the fields)",
}


def problems_from_validation(
    exc: ValidationError, lines: Mapping[Loc, int], source: str, prefix: Loc = ()
) -> list[Problem]:
    """Turn pydantic's errors into :class:`Problem` s with file lines."""
    out = []
    for err in exc.errors(include_url=False):
        loc: Loc = (*prefix, *err["loc"])
        kind = err["type"]
        msg = _EXPECTED.get(kind, err["msg"])
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        given = None if kind == "missing" else err.get("input")
        if isinstance(given, (dict, list)) and kind != "extra_forbidden":
            given = None  # a whole sub-document is not a useful "given"
        out.append(Problem(source, line_for(lines, loc), loc, msg, given))
    return out


def validate_document(
    model: type[M],
    data: Any,
    lines: Mapping[Loc, int],
    source: str,
    context: dict[str, Any] | None = None,
) -> M:
    """Validate ``data`` as ``model``; raise :class:`ScenarioError` naming file and lines."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, lines, source)) from None
