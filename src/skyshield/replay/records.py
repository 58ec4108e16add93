"""Read the public attack-records format (``missile_attacks_daily.csv``).

One row per (report window x weapon model) with ``launched``, ``destroyed`` and
``not_reach_goal`` (lost to electronic warfare, or decoys that never meant to arrive), the
model string and a free-text launch place. A *night* is every row of the national sources
(``kpszsu``, ``GeneralStaff``, ``CinCAFU``; regional commands mostly report small tactical
drones) whose report window ends on the given date (the morning report).

Model strings are mapped to a reported weapon class (``drone``, ``cruise``, ``ballistic``)
and to catalog threat types; a string naming several models ("X-101/X-555 and Kalibr")
splits its counts evenly among them.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NightRow", "read_night", "available_nights", "MODEL_TYPES", "NATIONAL_SOURCES", "RecordsError"]

NATIONAL_SOURCES = ("kpszsu", "GeneralStaff", "CinCAFU")

# Model token -> (reported class, catalog threat type). Order matters: first match wins.
MODEL_TYPES: tuple[tuple[str, str, str], ...] = (
    (r"shahed", "drone", "shahed-136"),
    (r"x-101|x-555|kh-101", "cruise", "kh-101"),
    (r"kalibr", "cruise", "kalibr"),
    (r"iskander-k", "cruise", "iskander-k"),
    (r"x-59|x-69|kh-59|kh-69", "cruise", "iskander-k"),  # subsonic, low level, ~300-400 km
    (r"x-22|x-32|kh-22|kh-32", "cruise", "kh-22"),  # the records class them as cruise missiles
    (r"x-35|p-800|oniks", "cruise", "kalibr"),
    (r"kinzhal|x-47", "ballistic", "kh-47m2"),
    (r"iskander-m|kn-23|ballistic missile", "ballistic", "iskander-m"),
)


class RecordsError(ValueError):
    """The records file is missing, unreadable or has no night for the date."""


@dataclass(frozen=True)
class NightRow:
    """One weapon model's counts on one night (a share of a multi-model row)."""

    model: str
    weapon_class: str  # drone | cruise | ballistic
    threat_type: str  # catalog threat type id
    launched: float
    destroyed: float
    not_reach_goal: float
    is_shahed: float | None  # real Shaheds among Shahed-type launches, where reported
    launch_place: str
    time_start: str
    time_end: str


def _num(x: str) -> float:
    try:
        return float(x) if x.strip() else 0.0
    except ValueError:
        return 0.0


def _split_model(model: str) -> list[tuple[str, str, str]]:
    parts = [p.strip() for p in re.split(r"\band\b", model) if p.strip()]
    out = []
    for p in parts:
        low = p.lower()
        for pat, cls, typ in MODEL_TYPES:
            if re.search(pat, low):
                out.append((p, cls, typ))
                break
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise RecordsError(f"{path}: no such attack-records file")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        need = {"time_start", "time_end", "model", "launched", "destroyed", "source"}
        if reader.fieldnames is None or not need <= set(reader.fieldnames):
            raise RecordsError(f"{path}: not the attack-records format (needs columns {sorted(need)})")
        return list(reader)


def _national(r: dict[str, str]) -> bool:
    return r.get("source", "").startswith(NATIONAL_SOURCES)


def read_night(path: str | Path, date: str) -> list[NightRow]:
    """Rows of the night whose morning report is dated ``date`` (``YYYY-MM-DD``)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise RecordsError(f"--date {date!r}: expected YYYY-MM-DD")
    out: list[NightRow] = []
    for r in _rows(Path(path)):
        if not _national(r) or not r["time_end"].startswith(date):
            continue
        models = _split_model(r["model"])
        if not models:
            continue
        k = len(models)
        shahed = r.get("is_shahed", "").strip()
        for name, cls, typ in models:
            out.append(NightRow(
                model=name, weapon_class=cls, threat_type=typ,
                launched=_num(r["launched"]) / k, destroyed=_num(r["destroyed"]) / k,
                not_reach_goal=_num(r.get("not_reach_goal", "")) / k,
                is_shahed=(_num(shahed) / k) if shahed and cls == "drone" else None,
                launch_place=r.get("launch_place", "") or "", time_start=r["time_start"], time_end=r["time_end"],
            ))
    if not out:
        raise RecordsError(f"no national-source missile or drone records for the night ending {date}")
    return out


def available_nights(path: str | Path) -> dict[str, dict[str, float]]:
    """Launched count by reported class for every night in the file (for choosing nights)."""
    nights: dict[str, dict[str, float]] = {}
    for r in _rows(Path(path)):
        if not _national(r):
            continue
        models = _split_model(r["model"])
        for _, cls, _ in models:
            d = nights.setdefault(r["time_end"][:10], {})
            d[cls] = d.get(cls, 0.0) + _num(r["launched"]) / len(models)
    return nights
