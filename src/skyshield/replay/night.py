r"""Build a night's raid from what the public records say, on the reference scenario's defences.

The night's scenario is the reference scenario (its theatre, defended assets and the
defended country's own forces: one laydown for every night) with the raid replaced by what
the records report for the night:

- **counts** by weapon type (multi-model rows split by ``launched_details``, else evenly;
  rounded by largest remainder);
- **launch areas** read from ``launch_place`` (per model from ``launch_place_details``)
  through the place mapping (:mod:`skyshield.replay.places`); a weapon with none named gets
  its type's usual areas; a row's launches are shared equally among its areas;
- **aims** from where the records say the weapons went (:func:`region_weights`): the
  regional split of the destroyed count, the regions where something fell, the target and
  main target; inside a region, its towns weighted by population to the power
  :data:`AIM_EXPONENT` (1: by population; lower values move aims from the regional capital to
  the smaller towns, which near the front are also the nearer ones); each launch area's
  weapons aim only at the towns within :data:`REACH_FACTOR` of the type's range (a decoy
  from Bryansk does not reach Lviv; an Iskander-M from Crimea does not reach Kyiv);
- **the decoy share** of Shahed-type launches (:func:`decoy_share`);
- **duty posture**: the share of the defended country's short- and medium-range shooters on
  duty grows with the night's size (:func:`duty_share`, :func:`on_duty`): a unit of
  :data:`POSTURE_TYPES` is on duty with probability :math:`\min(1, (n / N_0)^\gamma)` for a
  night of :math:`n` launches, :math:`N_0` = :data:`POSTURE_FULL_LAUNCHES` and the exponent
  :math:`\gamma` calibrated (0: the whole laydown every night, as before);
- **timing**: each row's launches spread over its report window, ending :data:`ARRIVAL_LEAD_S`
  before the window's end (the report is written when the wave is over), the scenario
  running :data:`TAIL_S` after the last window so every weapon can arrive.

Every town of the mapping that the reference lacks is added as a city-level asset (population
from the mapping, no notional value), so a front-line night aims at front-line towns and
meets the defences the laydown has there, with the flight times its geometry gives.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from ..catalog import Catalog
from ..engine.compile import _unit_sites, build_theatre
from ..geo import Zone, great_circle_distance_m
from ..rng import keyed_uniform, name_key
from ..scenario.model import Asset, Force, LaunchArea, Raid, RaidGroup, Scenario
from .places import Places, load_places
from .records import NightRow

__all__ = [
    "AIM_EXPONENT",
    "ARRIVAL_LEAD_S",
    "DECOYS_FROM",
    "DECOY_SHARE_AFTER",
    "POSTURE_FULL_LAUNCHES",
    "POSTURE_TYPES",
    "TAIL_S",
    "AimEvidence",
    "build_night",
    "class_of_type",
    "decoy_share",
    "duty_share",
    "on_duty",
    "region_weights",
]

DECOYS_FROM = "2024-09-01"
DECOY_SHARE_AFTER = 0.4
"""Decoy share assumed where the records do not give ``is_shahed`` (source decoy-share)."""
AIM_EXPONENT = 1.0
"""Default exponent of population in the aim weights inside a region (calibrated values are
in ``calibration.yaml``)."""
ARRIVAL_LEAD_S = {"drone": 2 * 3600.0, "cruise": 1.5 * 3600.0, "ballistic": 360.0}
"""Launches of a row end this long before its report window ends (typical flight times)."""
MIN_WINDOW_S = 900.0
"""Shortest launch window."""
TAIL_S = 8 * 3600.0
"""The scenario runs this long after the last report window ends."""
REACH_FACTOR = 0.9
"""A weapon aims only at towns within this share of its catalog range from its launch area."""
NEW_AIM_RADIUS = "5 km"
"""Aim circle of a town the reference scenario lacks (city level)."""
POSTURE_TYPES = ("mobile-fire-group", "gepard", "f-16-cap", "iris-t-slm", "nasams")
"""The defended country's shooters whose duty posture follows the night's size: the crewed
short-range means (mobile fire groups, Gepards, fighter patrols) and the medium-range SAMs that
also fire at drones. Long-range SAMs (Patriot, SAMP/T), radars and electronic warfare stand
every night (a ballistic missile gives minutes of warning; jammers run unattended)."""
POSTURE_FULL_LAUNCHES = 400.0
"""Launches of a night (every class) from which the whole laydown is on duty (NOTIONAL: a
mass raid, which the Air Force sees coming from the launches; source notional-duty-posture)."""
POSTURE_SOURCE = ("NOTIONAL: the share of the short- and medium-range shooters on duty grows with the "
                  "night's size (mobile fire groups, Gepards and fighters are sent out on the warning of a "
                  "mass raid); min(1, (launches / N0)^gamma), N0 a mass raid (400) and gamma fitted on replayed nights "
                  "(docs/calibration.md).")


def duty_share(launched: float, exponent: float, full: float = POSTURE_FULL_LAUNCHES) -> float:
    r"""Probability that a posture unit is on duty on a night of ``launched`` launches.

    :math:`\min(1, (\max(n, 1) / N_0)^\gamma)`: 1 for every night when :math:`\gamma = 0`,
    and for nights of at least :math:`N_0` launches; smaller, smoothly, for smaller nights.
    """
    if exponent <= 0.0 or launched >= full:
        return 1.0
    return float((max(launched, 1.0) / full) ** exponent)


def on_duty(forces: Sequence[Force], share: float, key: int) -> tuple[Force, ...]:
    """The forces on duty: each unit of a :data:`POSTURE_TYPES` force of the defended
    country is on duty with probability ``share`` (a keyed draw per unit: the same ``key``
    gives the same units); every other force stays.

    A force whose units are all on duty stays as it is; of one partly on duty, each unit on
    duty becomes a force of one at the very site the full force's unit had (its place on the
    force's ring, :func:`skyshield.engine.compile._unit_sites`), so thinning a screen leaves
    the units on duty where they were rather than laying a smaller ring; a force with none on
    duty is left out.
    """
    if share >= 1.0:
        return tuple(forces)
    out: list[Force] = []
    for f in forces:
        if f.side != "defended" or f.type not in POSTURE_TYPES:
            out.append(f)
            continue
        on = keyed_uniform(key, name_key(f.id), np.arange(f.count)) < share
        if on.all():
            out.append(f)
            continue
        sites = _unit_sites(f)
        out.extend(f.model_copy(update={"id": f"{f.id}-u{k + 1}", "count": 1, "lonlat": (lon, lat)})
                   for k, (_, lon, lat) in enumerate(sites) if on[k])
    return tuple(out)


@dataclass(frozen=True)
class AimEvidence:
    """What a class's aims on a night were built from (for the replay report)."""

    regions: dict[str, float]  # region id -> weight (sums to 1)
    basis: str  # "records" (regions named) or "none named" (every region, by population)
    unmatched: tuple[str, ...]  # place texts the mapping did not know


def decoy_share(rows: list[NightRow], date: str, assumed: float = DECOY_SHARE_AFTER) -> float:
    """Share of decoys among the night's Shahed-type launches.

    ``1 - is_shahed / launched`` where the records give ``is_shahed`` (since mid-July 2025),
    else ``assumed`` (:data:`DECOY_SHARE_AFTER`, or a calibrated draw) for nights from
    :data:`DECOYS_FROM` on (decoys appear in the counts from autumn 2024) and 0 before.
    """
    sh = [r for r in rows if r.weapon_class == "drone"]
    launched = sum(r.launched for r in sh)
    real = [r.is_shahed for r in sh if r.is_shahed is not None]
    if real and launched > 0:
        return float(min(max(1.0 - sum(real) / launched, 0.0), 1.0))
    return assumed if date >= DECOYS_FROM else 0.0


def region_weights(rows: Sequence[NightRow], places: Places | None = None) -> AimEvidence:
    r"""Where a class's weapons went on a night, as weights over defended regions.

    The evidence of a record row: its ``destroyed_details`` (keys :math:`k` naming regions or
    directions :math:`R_k`, each with a count :math:`c_k` or NaN), the regions named in
    ``affected region``, ``target`` and ``target_main`` (set :math:`N`), and its launched
    count :math:`n`:

    1. a key with a count puts :math:`c_k` on its regions that are in :math:`N` (all of
       :math:`R_k` if none is), equally;
    2. the rest, :math:`\max(n - \sum_k c_k,\ 0)`, goes equally to the regions of
       :math:`N` and to the regions of every key without a count whose direction has no
       region in :math:`N` (a direction named without a region);
    3. a rest with nowhere to go (only counted keys, nothing named), and a night with nothing
       named at all, spread over every region by population.

    Rows split from one record row share its details (counted once).
    """
    pl = places or load_places()
    pop = {k: float(sum(a.population for a in reg.aims)) for k, reg in pl.regions.items()}
    population = {k: v / sum(pop.values()) for k, v in pop.items()}
    weights: dict[str, float] = defaultdict(float)
    unmatched: list[str] = []
    seen: set[tuple[int, str, str]] = set()
    any_named = False
    for r in rows:
        key = (r.line, r.time_end, r.target)
        if key in seen:
            continue
        seen.add(key)
        n_row = r.launched / r.share if r.share > 0 else r.launched
        named: list[str] = []
        for text in (*r.affected_regions, r.target, r.target_main):
            ids, um = pl.regions_in(text)
            named.extend(ids)
            unmatched.extend(um)
        n_set = set(named)
        any_named = any_named or bool(named) or bool(r.destroyed_details)
        counted: list[tuple[tuple[str, ...], float]] = []
        blank: list[tuple[str, ...]] = []
        for k, c in r.destroyed_details:
            ids, um = pl.regions_in(k)
            unmatched.extend(um)
            if not ids:
                continue
            if c is None:
                blank.append(ids)
            else:
                counted.append((tuple(i for i in ids if i in n_set) or ids, c))
        row_w: dict[str, float] = defaultdict(float)
        for ids, c in counted:
            for i in ids:
                row_w[i] += c / len(ids)
        rest_to = list(dict.fromkeys(named))
        for ids in blank:
            if not n_set.intersection(ids):
                rest_to.extend(i for i in ids if i not in rest_to)
        rest = max(n_row - sum(c for _, c in counted), 0.0)
        if rest_to:
            for i in rest_to:
                row_w[i] += rest / len(rest_to)
        elif rest > 0:
            for i, p in population.items():
                row_w[i] += rest * p
        for i, w in row_w.items():
            weights[i] += w
    total = sum(weights.values())
    if total <= 0 or not any_named:
        return AimEvidence(dict(population), "none named", tuple(dict.fromkeys(unmatched)))
    return AimEvidence({k: v / total for k, v in sorted(weights.items()) if v > 0}, "records",
                       tuple(dict.fromkeys(unmatched)))


def _aim_weights(ev: AimEvidence, places: Places, exponent: float, allowed: set[str]) -> dict[str, float]:
    """Aim town weights: each region's weight spread over its towns by population**exponent."""
    out: dict[str, float] = defaultdict(float)
    for reg_id, w in ev.regions.items():
        aims = [a for a in places.regions[reg_id].aims if a.id in allowed]
        if not aims:
            continue
        pw = [float(a.population) ** exponent for a in aims]
        s = sum(pw)
        for a, p in zip(aims, pw):
            out[a.id] += w * p / s
    return {k: v for k, v in sorted(out.items()) if v > 0}


def _reachable(aims: dict[str, float], origin: tuple[float, float], where: dict[str, tuple[float, float]],
               reach_m: float, allowed: set[str]) -> dict[str, float]:
    """The aims within ``reach_m`` of ``origin``; if none, the nearest aim (of ``aims``, or of all)."""
    dist = {k: float(great_circle_distance_m(origin[0], origin[1], *where[k])) for k in aims}
    near = {k: w for k, w in aims.items() if dist[k] <= reach_m}
    if near:
        return near
    pool = dist or {k: float(great_circle_distance_m(origin[0], origin[1], *where[k])) for k in allowed}
    return {min(pool, key=lambda k: pool[k]): 1.0}


def _largest_remainder(x: dict, total: int) -> dict:
    fl = {k: math.floor(v) for k, v in x.items()}
    rest = total - sum(fl.values())
    for k in sorted(x, key=lambda k: (-(x[k] - fl[k]), k))[:max(rest, 0)]:
        fl[k] += 1
    return fl


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text.strip()[:16]) if len(text.strip()) > 10 else datetime.fromisoformat(text.strip()[:10])


def _launch_areas(places: Places, r: NightRow) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ids, um = places.launch_areas_in(r.launch_place)
    if not ids:
        ids = places.default_launch_areas.get(r.threat_type, ())
    return ids, um


def build_night(
    reference: Scenario,
    catalog: Catalog,
    rows: list[NightRow],
    date: str,
    *,
    places: Places | None = None,
    aim_exponent: float | dict[str, float] = AIM_EXPONENT,
    decoy_share_value: float | None = None,
    posture_exponent: float = 0.0,
    posture_key: int = 0,
    posture_full_launches: float = POSTURE_FULL_LAUNCHES,
) -> Scenario:
    r"""The night of ``date`` as a scenario: the reference's defences, the records' raid.

    ``aim_exponent`` is one exponent for every class or one per class (``drone``, ``cruise``,
    ``ballistic``); ``decoy_share_value`` overrides :func:`decoy_share`; ``posture_exponent``
    is the duty posture's :math:`\gamma` and ``posture_full_launches`` its :math:`N_0`
    (:func:`duty_share`); ``posture_key`` keys the draw of which units are on duty (:func:`on_duty`).
    """
    pl = places or load_places()
    exps = aim_exponent if isinstance(aim_exponent, dict) else {}
    default_exp = AIM_EXPONENT if isinstance(aim_exponent, dict) else float(aim_exponent)
    theatre = build_theatre(reference)
    ref_assets = {a.id: a for a in reference.assets}
    new_assets: list[Asset] = []
    allowed: set[str] = set()
    for reg in pl.regions.values():
        for a in reg.aims:
            if a.id in allowed:
                continue
            if a.id in ref_assets:
                allowed.add(a.id)
                continue
            if int(theatre.classify(a.lonlat[0], a.lonlat[1])) != int(Zone.DEFENDED):
                continue  # occupied (or outside) in the theatre's map: not a defended aim
            allowed.add(a.id)
            new_assets.append(Asset(id=a.id, kind="city", lonlat=a.lonlat, radius=NEW_AIM_RADIUS,
                                    population=a.population, source="replay-places"))
    t0 = min(_t(r.time_start) for r in rows)
    t_end = max(_t(r.time_end) for r in rows)
    duration_s = max((t_end - t0).total_seconds(), 3600.0) + TAIL_S

    by_class: dict[str, list[NightRow]] = defaultdict(list)
    for r in rows:
        by_class[r.weapon_class].append(r)
    aims_by_class = {c: _aim_weights(region_weights(rs, pl), pl, exps.get(c, default_exp), allowed)
                     for c, rs in by_class.items()}

    # Weapons grouped by (class, type, launch area, window): a row's launches are shared
    # equally among its launch areas, and each area's weapons aim at what they can reach.
    groups: dict[tuple[str, str, str, tuple[float, float]], float] = defaultdict(float)
    for r in rows:
        areas, _ = _launch_areas(pl, r)
        w0 = max((_t(r.time_start) - t0).total_seconds(), 0.0)
        w1 = max((_t(r.time_end) - t0).total_seconds() - ARRIVAL_LEAD_S[r.weapon_class], w0 + MIN_WINDOW_S)
        for area in areas:
            groups[(r.weapon_class, r.threat_type, area, (round(w0), round(w1)))] += r.launched / len(areas)
    counts: dict = {}
    for cls in by_class:
        sub = {k: v for k, v in groups.items() if k[0] == cls}
        counts.update(_largest_remainder(sub, round(sum(sub.values()))))
    decoys = decoy_share(rows, date) if decoy_share_value is None else decoy_share_value
    where = {a.id: a.lonlat for reg in pl.regions.values() for a in reg.aims} | {a.id: a.lonlat for a in reference.assets}
    used_areas: set[str] = set()
    raid: list[RaidGroup] = []
    for g, ((cls, typ, area, (w0, w1)), n) in enumerate(sorted(counts.items())):
        if n <= 0:
            continue
        used_areas.add(area)
        split = [(typ, n)]
        if typ == "shahed-136" and decoys > 0:
            n_decoy = round(n * decoys)
            split = [("shahed-136", n - n_decoy), ("gerbera", n_decoy)]
        for t, k in split:
            if k <= 0:
                continue
            targets = _reachable(aims_by_class[cls] or {"kyiv": 1.0}, pl.area(area).lonlat, where,
                                 REACH_FACTOR * catalog.threats[t].range.value, allowed)
            raid.append(RaidGroup(
                id=f"g{g}-{t}", type=t, count=int(k), launch_areas=(area,),
                launch_window=(f"{w0} s", f"{w1} s"), targets=targets, dispersion="15 km",
            ))
    launch_areas = tuple(
        LaunchArea(id=k, lonlat=pl.area(k).lonlat, radius=f"{pl.area(k).radius} m", source="replay-places")
        for k in sorted(used_areas)
    )
    fields = {k: getattr(reference, k) for k in Scenario.model_fields}
    fields.update(
        id=f"replay-{date}",
        title=f"Replay of the night ending {date} (public records)",
        description=f"Raid rebuilt from the public attack records; defences of {reference.id}",
        sources={**reference.sources, "replay-places": "skyshield/replay/places.yaml: launch areas and aim "
                 "towns named in the Air Force reports (region and city level; sources in the file)",
                 "notional-duty-posture": POSTURE_SOURCE},
        duration=f"{duration_s} s",
        decision_interval=f"{reference.decision_interval} s",
        assets=tuple(reference.assets) + tuple(new_assets),
        forces=on_duty(reference.forces,
                       duty_share(sum(r.launched for r in rows), posture_exponent, posture_full_launches), posture_key),
        launch_areas=launch_areas,
        raid=Raid(groups=tuple(raid)),
    )
    return Scenario(**fields)


def class_of_type(rows: list[NightRow]) -> dict[str, str]:
    """Reported class of each catalog type in the night (decoys count as drones)."""
    out = {r.threat_type: r.weapon_class for r in rows}
    if "shahed-136" in out:
        out["gerbera"] = out["shahed-136"]
    return out
