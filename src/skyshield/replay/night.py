"""Build a night's raid from the public records, on the reference scenario's defences.

The night's scenario is the reference scenario (its theatre, defended assets and the
defended country's own forces) with the raid replaced by what the records report:

- counts by weapon type (multi-model rows split evenly, rounded by largest remainder);
- launch areas matched in the free-text ``launch_place`` against a gazetteer of publicly
  reported areas (region level); a weapon with none named gets its type's usual areas;
- the decoy share of Shahed-type launches: ``1 - is_shahed / launched`` where the records
  give ``is_shahed`` (since mid-July 2025), else :data:`DECOY_SHARE_AFTER` for nights from
  :data:`DECOYS_FROM` on (decoys appear in the counts from autumn 2024) and 0 before;
- aim areas: the reference scenario's cities within the weapon's range of its launch areas,
  weighted by population (city level only);
- timing: drones launched over the evening and night (0-8 h), missiles in the pre-dawn wave
  (9-10.5 h), in a 14-hour scenario.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict



from ..catalog import Catalog
from ..engine.compile import build_theatre
from ..geo import Zone, great_circle_distance_m
from ..scenario.model import LaunchArea, Raid, RaidGroup, Scenario
from .records import NightRow

__all__ = ["GAZETTEER", "DEFAULT_AREAS", "DECOY_SHARE_AFTER", "DECOYS_FROM", "build_night", "decoy_share"]

GAZETTEER: dict[str, tuple[float, float, float]] = {
    # id: (lon, lat, radius_km); region-level areas named in the Air Force reports.
    "primorsko-akhtarsk": (38.18, 46.05, 20), "chauda": (35.83, 45.00, 15), "hvardiiske": (34.02, 45.12, 15),
    "crimea": (34.00, 45.60, 40), "kursk": (35.90, 51.55, 40), "bryansk": (33.80, 52.80, 40),
    "oryol": (36.00, 52.90, 40), "millerovo": (40.39, 48.92, 20), "shatalovo": (32.47, 54.33, 20),
    "belgorod": (36.60, 50.60, 30), "voronezh": (39.20, 51.70, 40), "rostov": (39.70, 47.20, 40),
    "yeysk": (38.28, 46.70, 20), "taganrog": (38.90, 47.20, 20), "kherson": (33.20, 46.70, 30),
    "zaporizhzhia": (35.50, 47.20, 30), "donetsk": (37.80, 48.00, 30), "luhansk": (39.30, 48.60, 30),
    "black sea": (33.00, 44.00, 60), "azov": (36.50, 46.00, 40), "caspian": (48.50, 45.00, 80),
    "volgodonsk": (42.20, 47.50, 60), "engels": (46.20, 51.50, 40), "saratov": (46.00, 51.50, 60),
    "tambov": (41.40, 52.70, 40), "lipetsk": (39.60, 52.60, 40), "ryazan": (39.70, 54.60, 40),
    "kaluga": (36.25, 54.50, 40), "smolensk": (32.05, 54.80, 40), "novorossiysk": (37.80, 44.70, 30),
}
"""Public launch areas: region-level centres and radii (Air Force reports, press)."""

DEFAULT_AREAS: dict[str, tuple[str, ...]] = {
    "shahed-136": ("kursk", "bryansk", "oryol", "primorsko-akhtarsk", "chauda"),
    "kh-101": ("volgodonsk", "caspian", "engels"),
    "kalibr": ("black sea",),
    "iskander-k": ("kursk", "belgorod", "crimea", "rostov"),
    "kh-22": ("kursk", "azov", "bryansk"),
    "kh-47m2": ("lipetsk", "tambov"),
    "iskander-m": ("kursk", "belgorod", "crimea", "rostov", "voronezh"),
}
"""Usual launch areas of each type, where the records name none."""

DECOYS_FROM = "2024-09-01"
DECOY_SHARE_AFTER = 0.4
"""Decoy share assumed where the records do not give ``is_shahed`` (source decoy-share)."""

_WINDOWS = {"drone": ("0 h", "8 h"), "cruise": ("9 h", "10.5 h"), "ballistic": ("9.5 h", "10.5 h")}
"""Launch windows by reported class."""


def decoy_share(rows: list[NightRow], date: str) -> float:
    """Share of decoys among the night's Shahed-type launches (see the module docstring)."""
    sh = [r for r in rows if r.weapon_class == "drone"]
    launched = sum(r.launched for r in sh)
    real = [r.is_shahed for r in sh if r.is_shahed is not None]
    if real and launched > 0:
        return float(min(max(1.0 - sum(real) / launched, 0.0), 1.0))
    return DECOY_SHARE_AFTER if date >= DECOYS_FROM else 0.0


def _areas(place: str, threat_type: str) -> list[str]:
    low = place.lower()
    found = [k for k in GAZETTEER if re.search(r"\b" + re.escape(k), low)]
    if "crimea" in found and any(k in found for k in ("chauda", "hvardiiske")):
        found.remove("crimea")
    return found or list(DEFAULT_AREAS[threat_type])


def _largest_remainder(x: dict, total: int) -> dict:
    fl = {k: math.floor(v) for k, v in x.items()}
    rest = total - sum(fl.values())
    for k in sorted(x, key=lambda k: (-(x[k] - fl[k]), k))[:max(rest, 0)]:
        fl[k] += 1
    return fl


def build_night(reference: Scenario, catalog: Catalog, rows: list[NightRow], date: str) -> Scenario:
    """The night of ``date`` as a scenario: the reference's defences, the records' raid."""
    # Weapons grouped by (type, launch areas).
    groups: dict[tuple[str, str, tuple[str, ...]], float] = defaultdict(float)
    for r in rows:
        groups[(r.weapon_class, r.threat_type, tuple(_areas(r.launch_place, r.threat_type)))] += r.launched
    by_class_total: dict[str, float] = defaultdict(float)
    for (cls, _, _), v in groups.items():
        by_class_total[cls] += v
    counts: dict = {}
    for cls in by_class_total:
        sub = {k: v for k, v in groups.items() if k[0] == cls}
        counts.update(_largest_remainder(sub, int(round(by_class_total[cls]))))
    decoys = decoy_share(rows, date)
    used_areas: set[str] = set()
    raid: list[RaidGroup] = []
    theatre = build_theatre(reference)
    cities = [a for a in reference.assets if a.kind in ("city", "logistics") and a.population > 0
              and theatre.classify(a.lonlat[0], a.lonlat[1]) == Zone.DEFENDED]

    def dist(area: str, a) -> float:
        return float(great_circle_distance_m(GAZETTEER[area][0], GAZETTEER[area][1], *a.lonlat))

    for g, ((cls, typ, areas), n) in enumerate(sorted(counts.items())):
        if n <= 0:
            continue
        used_areas.update(areas)
        reach_m = catalog.threats[typ].range.value * 0.9
        targets = {a.id: float(a.population) for a in cities if min(dist(x, a) for x in areas) <= reach_m}
        if not targets:  # nothing in range: the nearest city
            near = min(cities, key=lambda a: min(dist(x, a) for x in areas))
            targets = {near.id: 1.0}
        split = [(typ, n)]
        if typ == "shahed-136" and decoys > 0:
            n_decoy = int(round(n * decoys))
            split = [("shahed-136", n - n_decoy), ("gerbera", n_decoy)]
        for t, k in split:
            if k <= 0:
                continue
            raid.append(RaidGroup(
                id=f"g{g}-{t}", type=t, count=int(k), launch_areas=tuple(_area_id(a) for a in areas),
                launch_window=_WINDOWS[cls], targets=targets, dispersion="15 km",
            ))
    launch_areas = tuple(
        LaunchArea(id=_area_id(k), lonlat=GAZETTEER[k][:2], radius=f"{GAZETTEER[k][2]} km", source="replay-gazetteer")
        for k in sorted(used_areas)
    )
    fields = {k: getattr(reference, k) for k in Scenario.model_fields}
    fields.update(
        id=f"replay-{date}",
        title=f"Replay of the night ending {date} (public records)",
        description=f"Raid rebuilt from the public attack records; defences of {reference.id}",
        sources={**reference.sources, "replay-gazetteer": "skyshield.replay.night.GAZETTEER: region-level "
                 "launch areas named in Air Force reports"},
        duration="14 h",
        decision_interval=f"{reference.decision_interval} s",
        launch_areas=launch_areas,
        raid=Raid(groups=tuple(raid)),
    )
    return Scenario(**fields)


def _area_id(name: str) -> str:
    return name.replace(" ", "-")


def class_of_type(rows: list[NightRow]) -> dict[str, str]:
    """Reported class of each catalog type in the night (decoys count as drones)."""
    out = {r.threat_type: r.weapon_class for r in rows}
    if "shahed-136" in out:
        out["gerbera"] = out["shahed-136"]
    return out


