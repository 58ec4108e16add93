"""The catalog of platform types: public-estimate parameters, each with its source.

>>> cat = load_catalog()
>>> cat.threats["shahed-136"].speed.value  # m/s
50.0
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..documents import ScenarioError, load_yaml, loads_yaml
from ..documents.errors import Loc, Problem
from ..documents.validate import problems_from_validation
from .model import THREAT_CLASSES, Catalog, Envelope, SensorType, ShooterType, Sourced, ThreatType

__all__ = [
    "THREAT_CLASSES",
    "Catalog",
    "Envelope",
    "SensorType",
    "ShooterType",
    "Sourced",
    "ThreatType",
    "catalog_hash",
    "load_catalog",
]

_BUILTIN = "builtin.yaml"


@lru_cache(maxsize=1)
def _builtin_raw() -> tuple[Any, dict[Loc, int]]:
    text = files(__package__).joinpath(_BUILTIN).read_text(encoding="utf-8")
    return loads_yaml(text, f"<built-in catalog>/{_BUILTIN}")


def _merge(base: Any, over: Any) -> Any:
    """Deep-merge ``over`` onto ``base``: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base[k], v) if k in base else copy.deepcopy(v)
        return out
    return copy.deepcopy(over)


def load_catalog(overlays: Sequence[str | Path] = ()) -> Catalog:
    """The built-in catalog with the user's overlay files merged on top, in order.

    An overlay is a YAML file with the same shape as the built-in catalog; it may add new
    types or change single fields of existing ones (``threats: {shahed-136: {speed: {value:
    170 km/h, source: my-source}}}``) and must add the sources it cites.
    """
    if not overlays:
        return _builtin()
    data, lines = _builtin_raw()
    where: dict[Loc, tuple[str, int]] = {k: (f"<built-in catalog>/{_BUILTIN}", v) for k, v in lines.items()}
    for path in overlays:
        over, over_lines = load_yaml(path)
        if over is None:
            continue
        if not isinstance(over, dict):
            raise ScenarioError([Problem(str(path), 1, (), "a catalog overlay must be a mapping")])
        data = _merge(data, over)
        where.update({k: (str(path), v) for k, v in over_lines.items()})
    return _validate(data, where)


def catalog_hash(cat: Catalog) -> str:
    """SHA-256 of the canonical JSON of a validated catalog (SI units): the catalog a run used,
    overlays merged."""
    import hashlib
    import json

    doc = json.dumps(cat.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(doc.encode()).hexdigest()


@lru_cache(maxsize=1)
def _builtin() -> Catalog:
    data, lines = _builtin_raw()
    return _validate(data, {k: (f"<built-in catalog>/{_BUILTIN}", v) for k, v in lines.items()})


def _validate(data: Any, where: dict[Loc, tuple[str, int]]) -> Catalog:
    from pydantic import ValidationError

    try:
        return Catalog.model_validate(data)
    except ValidationError as exc:
        problems = []
        for p in problems_from_validation(exc, {}, "", model=Catalog):
            # Find the file and line of the longest known prefix of the error's path.
            best = where.get((), ("<catalog>", 1))
            prefix: Loc = ()
            for part in p.path:
                cand = (*prefix, part)
                if cand in where:
                    prefix = cand
                    best = where[cand]
            problems.append(Problem(best[0], best[1], p.path, p.message, p.given))
        raise ScenarioError(problems) from None
