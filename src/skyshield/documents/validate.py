"""Validate a parsed document against a pydantic model, with errors that point at lines."""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import Loc, Problem, ScenarioError, did_you_mean, line_for

__all__ = ["field_names_at", "problems_from_validation", "validate_document"]

M = TypeVar("M", bound=BaseModel)

_EXPECTED = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field (check its spelling; `skyshield schema` lists the fields)",
}


def _models_in(tp: Any) -> list[Any]:
    """The pydantic models and containers a field annotation may hold, ``Annotated`` and unions unwrapped."""
    import typing

    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(tp) for m in _models_in(a)]
    return [tp]


def field_names_at(model: Any, loc: Loc) -> list[str]:
    """The field names a model accepts at location ``loc`` of a document (``[]`` if unknown).

    >>> from skyshield.scenario import Scenario
    >>> "count" in field_names_at(Scenario, ("raid", "groups", 0))
    True
    """
    import typing

    current = [model]
    for part in loc:
        nxt = []
        for tp in current:
            origin = typing.get_origin(tp)
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                f = tp.model_fields.get(str(part))
                if f is not None:
                    nxt += _models_in(f.annotation)
            elif origin in (tuple, list) and isinstance(part, int):
                nxt += [m for a in typing.get_args(tp) if a is not Ellipsis for m in _models_in(a)]
            elif origin is dict:
                nxt += _models_in(typing.get_args(tp)[1])
        current = nxt
    names: list[str] = []
    for tp in current:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            names += [n for n in tp.model_fields if n not in names]
    return names


def problems_from_validation(
    exc: ValidationError, lines: Mapping[Loc, int], source: str, prefix: Loc = (), model: Any = None
) -> list[Problem]:
    """Turn pydantic's errors into :class:`Problem` s with file lines.

    With ``model`` (the model validated), an unknown field gets a "did you mean" for the
    closest field names it accepts there.
    """
    out = []
    for err in exc.errors(include_url=False):
        loc: Loc = (*prefix, *err["loc"])
        kind = err["type"]
        msg = _EXPECTED.get(kind, err["msg"])
        if kind == "extra_forbidden" and model is not None and err["loc"]:
            hint = did_you_mean(err["loc"][-1], field_names_at(model, tuple(err["loc"][:-1])))
            if hint:
                msg = "unknown field" + hint
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
        raise ScenarioError(problems_from_validation(exc, lines, source, model=model)) from None
