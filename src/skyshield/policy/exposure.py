r"""Exposure of allied aircraft: where they fly, for how long, inside which adversary envelopes.

Each allied aircraft force (fighters, AEW) of an active allied package has a **station** (its
``lonlat``), a number of units (a fighter unit is a pair in the catalog) and hours on station
(its CAP schedule; the whole night for AEW and for fighters without a posture; none for QRA
pairs, which wait on the ground at their base). On station the aircraft fly an orbit of
radius :math:`r_o` (``orbit_radius_m`` of the laydown) around it, at the altitude of their
kind. The adversary's air defences are the envelopes of :mod:`skyshield.policy.laydown`
(S-400 class SAMs and fighter patrols by region). The share :math:`q_{se}` of the orbit of
station :math:`s` inside envelope :math:`e` (reach :math:`R_e` against the station's kind of
aircraft) is the share of its time on station spent inside, and the station is fired upon at
the rate

.. math::

    \lambda_s = \sum_e \lambda_x f_e \, q_{se} \, a(z_s) \, (1 + \kappa T),

with :math:`\lambda_x` the rate inside a reference envelope (``exposure_fire_rate_per_h``),
:math:`f_e` the envelope's rate factor (a fighter patrol, a Belarusian unit: less than 1),
:math:`a(z_s)` the airspace factor (``allied_airspace_factor`` over allied territory, 1
elsewhere) and :math:`1 + \kappa T` the campaign tension multiplier
(:mod:`skyshield.policy.persistence`). With :math:`U_s` the unit-hours on station, the expected
number of times the station's aircraft are fired upon in a night is :math:`H_s = \lambda_s U_s`,
a sum over envelopes of rate x hours inside; the count is Poisson. Far from every envelope
:math:`H_s = 0`: stand-off distance buys safety by leaving envelopes, not by a fall-off.

An engagement from envelope :math:`e` kills with :math:`p_{se}`, the mean over the orbit's
points inside :math:`e` of :math:`p_e(d) = p_e\,(1 - (1 - \rho)\, d / R_e)` (``pk`` of the unit
against the kind, ``pk_edge_ratio`` :math:`\rho`: a missile at the edge of its envelope has
little energy left), so the expected allied losses are :math:`\sum_e \lambda_{se} U_s p_{se}`.

Events are drawn by inversion of the cumulative hazard: the :math:`k`-th time the station is
fired upon is when :math:`H_s` spread evenly over its unit-time on station reaches
:math:`E_1 + \dots + E_k` with :math:`E_i = -\ln U_i` and :math:`U_i` a keyed uniform of
(station, :math:`i`). The envelope that fired is drawn with probability :math:`\lambda_{se} /
\lambda_s` from another keyed uniform of (station, :math:`i`). With the same dice a station
with more exposure is fired upon at least as often (common random numbers across options and
sensitivity variants).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from ..geo import Zone, destination_point, great_circle_distance_m
from ..rng import keyed_uniform, name_key
from .laydown import Laydown

__all__ = [
    "Station",
    "ADVERSARY_HELD",
    "distance_to_geometry_m",
    "distance_to_adversary_held_m",
    "on_station_intervals",
    "station_intervals",
    "StationExposure",
    "orbit_lonlat",
    "station_exposure",
    "envelope_rates_per_h",
    "station_hazard",
    "expected_losses",
    "which_envelope",
    "fire_upon_times",
]

ADVERSARY_HELD = (Zone.ADVERSARY, Zone.OCCUPIED)
"""Zones whose air defences and airfields the adversary controls."""

ORBIT_POINTS = 360  # points of a station's orbit: shares inside an envelope within 1/180
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


@dataclass(frozen=True)
class StationExposure:
    """Where one station's orbit lies in the laydown: one entry per envelope it enters."""

    envelope: tuple[int, ...]  # (E,) indices into the laydown's envelopes
    share_inside: NDArray[np.float64]  # (E,) q_se: share of the orbit (of the time on station) inside
    pk: NDArray[np.float64]  # (E,) p_se: mean Pk per engagement over the orbit's points inside
    rate_factor: NDArray[np.float64]  # (E,) f_e
    airspace: float  # a(z_s)


def orbit_lonlat(lon_deg: float, lat_deg: float, radius_m: float, n: int = ORBIT_POINTS) -> NDArray[np.float64]:
    """``(n, 2)`` points evenly spaced in bearing on the circle of ``radius_m`` around a station (the station alone if 0)."""
    if radius_m <= 0.0:
        return np.array([[lon_deg, lat_deg]])
    brg = (np.arange(n) + 0.5) * (360.0 / n)
    lon, lat = destination_point(np.full(n, lon_deg), np.full(n, lat_deg), brg, np.full(n, radius_m))
    return np.column_stack([np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)])


@lru_cache(maxsize=4096)
def station_exposure(station: Station, laydown: Laydown, scale: float, airspace_factor: float) -> StationExposure:
    r"""The envelopes ``station``'s orbit enters, its share :math:`q_{se}` inside each and the mean Pk there.

    ``scale`` multiplies every reach (``envelope_scale``); ``airspace_factor`` is applied when
    the station lies over allied territory.
    """
    pts = orbit_lonlat(station.lon_deg, station.lat_deg, laydown.orbit_radius_m)
    alt = laydown.altitude_m(station.kind)
    idx, q, pk, f = [], [], [], []
    for k, e in enumerate(laydown.envelopes):
        r = e.reach_m(station.kind, alt, scale)
        if r <= 0.0:
            continue
        d = np.asarray(great_circle_distance_m(pts[:, 0], pts[:, 1], e.lon_deg, e.lat_deg), dtype=float)
        inside = d <= r
        if not inside.any():
            continue
        idx.append(k)
        q.append(float(inside.mean()))
        pk.append(float(np.mean(e.pk(station.kind) * (1.0 - (1.0 - laydown.pk_edge_ratio) * d[inside] / r))))
        f.append(e.rate_factor)
    a = airspace_factor if station.zone == int(Zone.ALLIED) else 1.0
    arrays = [np.array(v, dtype=float) for v in (q, pk, f)]
    for x in arrays:
        x.flags.writeable = False  # cached and shared: read-only
    return StationExposure(tuple(idx), *arrays, a)


def envelope_rates_per_h(sx: StationExposure, esc, multiplier: float = 1.0) -> NDArray[np.float64]:
    r""":math:`\lambda_{se}`: the rate (per unit-hour on station) at which each envelope fires on the station."""
    return esc.exposure_fire_rate_per_h * sx.rate_factor * sx.share_inside * sx.airspace * multiplier


def station_hazard(sx: StationExposure, unit_hours: float, esc, multiplier: float = 1.0) -> float:
    """:math:`H_s`: expected number of times the station's aircraft are fired upon in a night."""
    return float(np.sum(envelope_rates_per_h(sx, esc, multiplier))) * unit_hours


def expected_losses(sx: StationExposure, unit_hours: float, esc, multiplier: float = 1.0) -> float:
    """Expected allied aircraft lost on the station in a night: rate x hours x Pk, summed over envelopes."""
    return float(np.sum(envelope_rates_per_h(sx, esc, multiplier) * sx.pk)) * unit_hours


def which_envelope(key: int, station: Station, rates: NDArray[np.float64], n: int) -> NDArray[np.int64]:
    """Positions (into ``rates``) of the envelopes that fired the station's first ``n`` engagements.

    Each with probability proportional to its rate (the superposed Poisson processes), drawn
    from keyed uniforms of (station, engagement) apart from the times' dice.
    """
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    u = keyed_uniform(key, name_key(station.force_id + "/envelope"), np.arange(n))
    cum = np.cumsum(rates)
    return np.minimum(np.searchsorted(cum / cum[-1], u, side="right"), len(rates) - 1).astype(np.int64)


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
