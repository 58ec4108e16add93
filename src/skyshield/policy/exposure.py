r"""Exposure of allied aircraft: stations, hours on station, reach of adversary fire.

No adversary SAM or fighter laydown exists in the scenarios yet, so exposure is geometric.
Each allied aircraft force (fighters, AEW) of an active allied package has a **station** (its
``lonlat``), a number of units (a fighter unit is a pair in the catalog) and hours on station
(its CAP schedule; the whole night for AEW and for fighters without a posture; none for QRA
pairs, which wait on the ground at their base). Its rate of being fired upon is

.. math::

    \lambda_s = \lambda_x \, w(d_s) \, a(z_s) \, (1 + \kappa T),
    \qquad w(d) = \frac{1}{1 + e^{(d - R)/\sigma}},

with :math:`\lambda_x` the rate at the border (``exposure_fire_rate_per_h``), :math:`d_s` the
great-circle distance from the station to adversary-held territory (adversary countries and
the occupied zone; zero inside), :math:`R` the reach at which the rate is half
(``threat_reach``), :math:`\sigma` the width of the fall-off (``threat_reach_falloff``),
:math:`a(z_s)` the airspace factor (``allied_airspace_factor`` over allied territory, 1
elsewhere) and :math:`1 + \kappa T` the campaign tension multiplier
(:mod:`skyshield.policy.persistence`). The expected number of times the station's aircraft are
fired upon in a night is :math:`H_s = \lambda_s \sum_u h_u` over its units' hours on station.

Events are drawn by inversion of the cumulative hazard: the :math:`k`-th time the station is
fired upon is when :math:`H_s` spread evenly over its unit-time on station reaches
:math:`E_1 + \dots + E_k` with :math:`E_i = -\ln U_i` and :math:`U_i` a keyed uniform of
(station, :math:`i`). The count is Poisson with mean :math:`H_s`, and with the same dice a
station with more exposure is fired upon at least as often (common random numbers across
options and sensitivity variants).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from ..geo import Zone, great_circle_distance_m
from ..rng import keyed_uniform, name_key

__all__ = [
    "Station",
    "ADVERSARY_HELD",
    "reach_weight",
    "distance_to_geometry_m",
    "distance_to_adversary_held_m",
    "on_station_intervals",
    "station_intervals",
    "station_weight",
    "station_hazard",
    "fire_upon_times",
]

ADVERSARY_HELD = (Zone.ADVERSARY, Zone.OCCUPIED)
"""Zones whose air defences and airfields the adversary controls."""

_SEGMENT_DEG = 0.02  # boundary vertices at most this far apart (~2 km): distance error < 1 km


@dataclass(frozen=True)
class Station:
    """An allied aircraft force on the ladder: where it flies, how many units, how far from fire."""

    force_id: str
    kind: str  # "fighter" or "aew"
    lon_deg: float
    lat_deg: float
    count: int  # units (a fighter unit is a pair)
    zone: int  # Zone code of the station
    dist_m: float  # great-circle distance to adversary-held territory (0 inside it)


def reach_weight(d_m: ArrayLike, reach_m: float, falloff_m: float) -> NDArray[np.float64]:
    r""":math:`w(d) = 1 / (1 + e^{(d - R)/\sigma})`: the share of the border rate at distance ``d``.

    >>> float(reach_weight(150e3, 150e3, 20e3))
    0.5
    """
    z = (np.asarray(d_m, dtype=float) - reach_m) / falloff_m
    return 0.5 * (1.0 - np.tanh(0.5 * z))  # the logistic, written without overflow


def distance_to_geometry_m(geom, lon_deg: ArrayLike, lat_deg: ArrayLike, vertices=None) -> NDArray[np.float64]:
    """Great-circle distance (m) from points to a lon/lat area (0 inside, ``inf`` if it is empty).

    The boundary is densified to vertices at most 0.02 degrees apart (or ``vertices`` given, an
    ``(n, 2)`` array of them), so the distance is the one to the nearest vertex, within about a
    kilometre of the exact value.
    """
    lon = np.atleast_1d(np.asarray(lon_deg, dtype=float))
    lat = np.atleast_1d(np.asarray(lat_deg, dtype=float))
    out = np.full(lon.shape, np.inf)
    if geom is None or geom.is_empty:
        return out
    xy = _boundary_vertices(geom) if vertices is None else vertices
    for k in range(lon.size):
        out[k] = float(np.min(great_circle_distance_m(np.full(len(xy), lon[k]), np.full(len(xy), lat[k]),
                                                      xy[:, 0], xy[:, 1])))
    inside = shapely.contains_xy(geom, lon, lat)
    out[inside] = 0.0
    return out


def _boundary_vertices(geom) -> NDArray[np.float64]:
    return shapely.get_coordinates(shapely.segmentize(geom.boundary, _SEGMENT_DEG))


@lru_cache(maxsize=8)
def _adversary_held(theatre):
    geom = shapely.union_all([theatre.zone_geometry(z) for z in ADVERSARY_HELD])
    return geom, (_boundary_vertices(geom) if not geom.is_empty else None)


def distance_to_adversary_held_m(theatre, lon_deg: ArrayLike, lat_deg: ArrayLike) -> NDArray[np.float64]:
    """Distance (m) to the adversary countries and the occupied zone of ``theatre`` (geometry cached per theatre)."""
    geom, xy = _adversary_held(theatre)
    return distance_to_geometry_m(geom, lon_deg, lat_deg, xy)


def on_station_intervals(
    avail_from_s: float, avail_to_s: float, endurance_s: float, gap_s: float, reloads: int, qra: bool
) -> list[tuple[float, float]]:
    """Time intervals one aircraft unit spends on its station, from its compiled schedule.

    A CAP flies ``reloads + 1`` sorties of ``endurance_s`` from ``avail_from_s``, a gap of
    ``gap_s`` between them (0 with a relief on station), until ``avail_to_s``; a unit with
    infinite endurance (AEW, a fighter without a posture) is on station from ``avail_from_s``
    to ``avail_to_s``; a QRA pair is on the ground at its base (no time on station).
    """
    if qra or avail_to_s <= avail_from_s:
        return []
    if not np.isfinite(endurance_s):
        return [(avail_from_s, avail_to_s)]
    out = []
    for k in range(int(reloads) + 1):
        t0 = avail_from_s + k * (endurance_s + gap_s)
        if t0 >= avail_to_s:
            break
        out.append((t0, min(t0 + endurance_s, avail_to_s)))
    return out


def station_intervals(params, station: Station) -> list[tuple[float, float]]:
    """On-station intervals of every unit of ``station`` (one list, a unit's intervals in turn)."""
    if station.kind != "fighter":
        return [(0.0, params.duration_s)] * station.count
    sh = params.shooters
    prefix = station.force_id + "#"
    out: list[tuple[float, float]] = []
    for j, uid in enumerate(sh.ids):
        if uid == station.force_id or uid.startswith(prefix):
            out.extend(on_station_intervals(float(sh.avail_from_s[j]), float(sh.avail_to_s[j]),
                                            float(sh.endurance_s[j]), float(sh.reload_s[j]),
                                            int(sh.reloads[j]), bool(sh.qra[j])))
    return out


def station_weight(station: Station, esc) -> float:
    r""":math:`w(d_s)\,a(z_s)`: the station's fire-upon rate as a share of the rate at the border."""
    a = esc.allied_airspace_factor if station.zone == int(Zone.ALLIED) else 1.0
    return float(reach_weight(station.dist_m, esc.threat_reach, esc.threat_reach_falloff)) * a


def station_hazard(station: Station, unit_hours: float, esc, multiplier: float = 1.0) -> float:
    """:math:`H_s`: expected number of times the station's aircraft are fired upon in a night."""
    return esc.exposure_fire_rate_per_h * station_weight(station, esc) * unit_hours * multiplier


def fire_upon_times(key: int, station: Station, hazard: float, intervals: list[tuple[float, float]]) -> list[float]:
    """Times the station's aircraft are fired upon (see the module docstring), in order."""
    total = sum(t1 - t0 for t0, t1 in intervals)
    if hazard <= 0.0 or total <= 0.0:
        return []
    sk = name_key(station.force_id)
    ends = np.cumsum([t1 - t0 for t0, t1 in intervals])
    out: list[float] = []
    cum, i = 0.0, 0
    while True:
        cum -= float(np.log(keyed_uniform(key, sk, i)[()]))
        if cum > hazard:
            break
        x = cum / hazard * total  # unit-seconds on station
        k = int(np.searchsorted(ends, x, side="left"))
        k = min(k, len(intervals) - 1)
        start = ends[k] - (intervals[k][1] - intervals[k][0])
        out.append(intervals[k][0] + (x - start))
        i += 1
    return sorted(out)
