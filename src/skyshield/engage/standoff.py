r"""Stand-off: an option's aircraft keep more than a distance away from named territory.

The Sky Shield proposal for western Ukraine (2025) keeps its fighters "more than 200 km from
Russian territory" (shared data ``cases/README.md`` section 2.6). An option's ``standoff``
(:class:`skyshield.policy.spec.StandOff`) makes that a constraint of the geometry, not a
label:

- **stations**: every force of the option's packages (CAP station, QRA or home base, AEW
  orbit, ground site) must lie outside the *keep-out*, the set of points within ``distance``
  of the ``areas``; a scenario that breaks the rule is refused at compile time
  (:func:`check_sites`), it is never silently moved;
- **engagements**: the option's shooters may intercept only where the intercept point is
  outside the keep-out. The allowed sub-intervals of an engagement window
  (:func:`skyshield.engine.opportunities.lawful_windows`) are cut to the parts of the track
  outside it (:func:`clip_outside`); a window with no part left is denied for the rule
  ``standoff`` (:data:`skyshield.engage.roe.REASONS`).

A fighter flies in a straight line from its station to the intercept point; with both ends
outside the keep-out the line may still clip a concave part of it, which is not checked.

**Geometry.** The keep-out is the buffer of the areas by ``distance`` computed in an
azimuthal equidistant projection centred on the defended country's centroid, where
distances from the centre are exact and others are stretched by well under one per cent
within 1,000 km of it (the tests measure the error against great-circle distances to the
areas' outlines, :func:`skyshield.policy.exposure.distance_to_geometry_m`). A track is tested
at points at most :data:`SAMPLE_STEP_M` apart, and an allowed part runs from its first outside
sample to its last, so it is never longer than the exact one and short of it by less than a
step at each end.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyproj
import shapely
from numpy.typing import NDArray

from ..geo import EARTH_RADIUS_M, Zone, unit_to_lonlat
from ..geo.zones import country_geometry

__all__ = ["StandOffRule", "SAMPLE_STEP_M", "keepout", "inside_keepout", "distance_to_keepout_edge_m",
           "check_sites", "clip_outside"]

SAMPLE_STEP_M = 2000.0
"""Spacing of the points at which a track is tested against the keep-out."""


@dataclass(frozen=True)
class StandOffRule:
    """A compiled stand-off: the least distance (m) from the areas (ISO3 codes or ``occupied``)."""

    distance_m: float
    areas: tuple[str, ...]


def _projection(theatre) -> tuple[pyproj.Transformer, pyproj.Transformer]:
    c = country_geometry(theatre.defended, theatre.bbox).centroid
    aeqd = pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={c.y:.4f} +lon_0={c.x:.4f} +datum=WGS84 +units=m")
    fwd = pyproj.Transformer.from_crs("EPSG:4326", aeqd, always_xy=True)
    back = pyproj.Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True)
    return fwd, back


@lru_cache(maxsize=16)
def _keepout(theatre, rule: StandOffRule):
    """(keep-out in lon/lat, keep-out projected, forward transformer), prepared."""
    parts = [theatre.zone_geometry(Zone.OCCUPIED) if a == "occupied" else country_geometry(a, theatre.bbox)
             for a in rule.areas]
    area = shapely.union_all([p for p in parts if not p.is_empty])
    fwd, back = _projection(theatre)
    if area.is_empty:
        return area, area, fwd
    proj = shapely.transform(area, lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1])))
    buf = proj.buffer(rule.distance_m, quad_segs=16).simplify(200.0)
    geo = shapely.transform(buf, lambda xy: np.column_stack(back.transform(xy[:, 0], xy[:, 1])))
    shapely.prepare(geo)
    shapely.prepare(buf)
    return geo, buf, fwd


def keepout(theatre, rule: StandOffRule):
    """The keep-out of ``rule`` in ``theatre``: lon/lat polygon(s) (cached per theatre and rule)."""
    return _keepout(theatre, rule)[0]


def inside_keepout(theatre, rule: StandOffRule, lon_deg, lat_deg) -> NDArray[np.bool_]:
    """Whether each point lies within the rule's distance of its areas."""
    geo = _keepout(theatre, rule)[0]
    lon = np.atleast_1d(np.asarray(lon_deg, dtype=float))
    lat = np.atleast_1d(np.asarray(lat_deg, dtype=float))
    if geo.is_empty:
        return np.zeros(lon.shape, bool)
    return shapely.contains_xy(geo, lon, lat)


def distance_to_keepout_edge_m(theatre, rule: StandOffRule, lon_deg, lat_deg) -> NDArray[np.float64]:
    """Projected distance (m) from points to the keep-out (0 inside): a cheap bound for the
    pre-filter of :func:`clip_outside` (within the projection's error, under one per cent)."""
    _, buf, fwd = _keepout(theatre, rule)
    x, y = fwd.transform(np.atleast_1d(lon_deg), np.atleast_1d(lat_deg))
    if buf.is_empty:
        return np.full(np.shape(x), np.inf)
    return shapely.distance(buf, shapely.points(np.asarray(x), np.asarray(y)))


def check_sites(theatre, rule: StandOffRule, sites: list[tuple[str, float, float]]) -> list[str]:
    """Messages for the sites ``(name, lon, lat)`` that lie inside the keep-out (empty if none)."""
    if not sites:
        return []
    lon = np.array([s[1] for s in sites])
    lat = np.array([s[2] for s in sites])
    bad = inside_keepout(theatre, rule, lon, lat)
    return [f"{s[0]} at ({s[1]:.2f}, {s[2]:.2f}) is within {rule.distance_m / 1e3:.0f} km of "
            f"{'/'.join(rule.areas)} (the option's stand-off)" for s, b in zip(sites, bad) if b]


def clip_outside(theatre, rule: StandOffRule, a: NDArray, tangent: NDArray, s0: NDArray, s1: NDArray):
    """The parts of great-circle arcs ``[s0, s1]`` (radians along ``a``, ``tangent``) outside the keep-out.

    Returns ``(row, start, end)``: for each part, the arc it comes from and its ends (radians).
    An arc of zero length is kept or dropped whole by its single point. Vectorised over arcs.
    """
    K = s0.size
    if K == 0:
        z = np.zeros(0)
        return np.zeros(0, np.int64), z, z
    n = np.maximum(np.ceil((s1 - s0) * EARTH_RADIUS_M / SAMPLE_STEP_M).astype(np.int64) + 1, 2)
    n = np.where(s1 > s0, n, 1)
    row = np.repeat(np.arange(K), n)
    first = np.cumsum(n) - n
    k = np.arange(row.size) - first[row]
    frac = np.where(n[row] > 1, k / np.maximum(n[row] - 1, 1), 0.0)
    s = s0[row] + (s1 - s0)[row] * frac
    q = a[row] * np.cos(s)[:, None] + tangent[row] * np.sin(s)[:, None]
    lon, lat = unit_to_lonlat(q)
    out = ~inside_keepout(theatre, rule, np.asarray(lon), np.asarray(lat))
    # Runs of consecutive outside samples of the same arc.
    start = out & np.r_[True, (row[1:] != row[:-1]) | ~out[:-1]]
    stop = out & np.r_[(row[1:] != row[:-1]) | ~out[1:], True]
    i0, i1 = np.flatnonzero(start), np.flatnonzero(stop)
    return row[i0], s[i0], s[i1]
