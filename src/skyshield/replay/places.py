"""Record text to places: launch areas, defended regions and their aim towns, as data.

The mapping lives in ``places.yaml`` beside this module (its sources are in the file). A
record's place text is cut at " and " into parts; a part names

- a *direction* (``north``, ``east`` ... as the reports say "in the north and east"), which
  stands for the oblasts listed under it;
- a text that says nothing about where (``Ukraine``), which is skipped;
- otherwise, for a launch place, the **first** entry in file order one of whose ``match``
  patterns (regular expressions, case-insensitive, searched from a word start) it contains
  ("Chauda, Crimea" is Chauda, not all of Crimea); for a target, **every** region one of
  whose patterns it contains ("Kryvyi Rih, Kharkiv, Vinnytsia" names three oblasts).

A part that matches nothing is returned as *unmatched*, so a caller can list it.

>>> p = load_places()
>>> p.launch_areas_in("Primorsko-Akhtarsk and Chauda, Crimea")
(('primorsko-akhtarsk', 'chauda'), ())
>>> p.regions_in("Kharkiv oblast and Sumy oblast")
(('kharkiv-oblast', 'sumy-oblast'), ())
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..scenario.model import Position
from ..units import Length

__all__ = ["PLACES_FILE", "Aim", "PlaceArea", "Places", "Region", "load_places", "split_parts"]

PLACES_FILE = Path(__file__).with_name("places.yaml")

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class PlaceArea(_Frozen):
    """A launch area named in the records (region level)."""

    id: Id
    match: tuple[str, ...] = Field(min_length=1)
    lonlat: Position
    radius: Length


class Aim(_Frozen):
    """A city or town a raid may aim at (its centre and pre-2022 population)."""

    id: Id
    lonlat: Position
    population: int = Field(gt=0)


class Region(_Frozen):
    """A defended oblast (or Kyiv city) and its aim towns."""

    match: tuple[str, ...] = Field(min_length=1)
    front_line: bool = False
    aims: tuple[Aim, ...] = Field(min_length=1)


class Places(_Frozen):
    """The whole mapping (``places.yaml``), validated."""

    sources: dict[str, str]
    launch_areas: tuple[PlaceArea, ...]
    launch_directions: dict[str, tuple[Id, ...]]
    default_launch_areas: dict[str, tuple[Id, ...]]
    regions: dict[Id, Region]
    directions: dict[str, tuple[Id, ...]]
    no_information: tuple[str, ...]

    @model_validator(mode="after")
    def _references(self) -> Places:
        areas = {a.id for a in self.launch_areas}
        if len(areas) != len(self.launch_areas):
            raise ValueError("launch area ids must be distinct")
        for what, table in (("launch_directions", self.launch_directions),
                            ("default_launch_areas", self.default_launch_areas)):
            for k, ids in table.items():
                bad = sorted(set(ids) - areas)
                if bad:
                    raise ValueError(f"{what}.{k}: unknown launch areas {bad}")
        for k, ids in self.directions.items():
            bad = sorted(set(ids) - set(self.regions))
            if bad:
                raise ValueError(f"directions.{k}: unknown regions {bad}")
        seen: dict[str, tuple[float, float]] = {}
        for r in self.regions.values():
            for a in r.aims:
                if seen.setdefault(a.id, a.lonlat) != a.lonlat:
                    raise ValueError(f"aim {a.id!r} is listed twice with different positions")
        for entries in ([a.match for a in self.launch_areas], [r.match for r in self.regions.values()]):
            for pats in entries:
                for p in pats:
                    re.compile(p)
        return self

    # -- matching -------------------------------------------------------------------------

    def launch_areas_in(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Launch area ids named in ``text`` (in order, without repeats), and unmatched parts."""
        found: list[str] = []
        unmatched: list[str] = []
        for part in split_parts(text):
            low = part.lower()
            if low in self.launch_directions:
                ids: tuple[str, ...] = self.launch_directions[low]
            else:
                hit = next((a.id for a in self.launch_areas if _matches(a.match, low)), None)
                if hit is None:
                    unmatched.append(part)
                    continue
                ids = (hit,)
            found.extend(i for i in ids if i not in found)
        return tuple(found), tuple(unmatched)

    def regions_in(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Defended region ids named in ``text`` (directions expanded), and unmatched parts."""
        found: list[str] = []
        unmatched: list[str] = []
        for part in split_parts(text):
            low = part.lower()
            if low in self.no_information:
                continue
            if low in self.directions:
                ids: tuple[str, ...] = self.directions[low]
            else:
                ids = tuple(k for k, r in self.regions.items() if _matches(r.match, low))
                if not ids:
                    unmatched.append(part)
                    continue
            found.extend(i for i in ids if i not in found)
        return tuple(found), tuple(unmatched)

    def is_direction(self, text: str) -> bool:
        return text.strip().lower() in self.directions

    def area(self, area_id: str) -> PlaceArea:
        return next(a for a in self.launch_areas if a.id == area_id)


def split_parts(text: str) -> list[str]:
    """``text`` cut at " and " (any case), parts stripped, empty parts dropped."""
    return [p.strip(" ,") for p in re.split(r"\s+and\s+|^and\s+", text or "", flags=re.IGNORECASE) if p.strip(" ,")]


def _matches(patterns: tuple[str, ...], low: str) -> bool:
    return any(re.search(r"(?<![\w-])" + p, low) for p in patterns)


@cache
def load_places(path: str | None = None) -> Places:
    """The validated place mapping (the built-in ``places.yaml`` unless ``path`` is given)."""
    from ..documents.yamlio import load_yaml

    data, _ = load_yaml(Path(path) if path else PLACES_FILE)
    return Places.model_validate(data)
