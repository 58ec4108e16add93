r"""Where great-circle arcs change zone: exact crossings of the theatre's borders.

An arc on the unit sphere, :math:`p(s) = a\cos s + t\sin s` for :math:`s \in [s_0, s_1]`,
crosses from one :class:`~skyshield.geo.Zone` into another only where it meets the outline of
a zone layer. :func:`zone_pieces` returns, for many arcs at once, the maximal pieces of
constant zone, with their ends where the arc meets a border.

How, and why it is exact:

1. Every border of :meth:`Theatre.classify` lies on the outline of one of its layers
   (countries, occupied area) or of the theatre box. Those outlines are cut into straight
   edges (lon/lat degrees) and put in an STR-tree once per theatre.
2. An arc whose disc (centre its midpoint, radius half its length) is farther from every edge
   than its radius lies in one zone: one piece, the zone of its midpoint. The test uses a
   conservative conversion of metres to degrees, so it can only send more arcs to step 3.
3. The other arcs are densified (vertices every :data:`STEP_M`), intersected with the edges
   the tree finds, and each crossing point is put back on the arc exactly,
   :math:`s = \operatorname{atan2}(p\cdot t,\ p\cdot a)`. Between two consecutive crossings
   the zone is that of the piece's midpoint. A 2 km chord departs from the great circle by
   well under a metre in lon/lat, so no crossing is missed or displaced by more than that,
   however thin the sliver of land it cuts.

Used by the rules of engagement (the allowed part of an engagement window is the exact union
of the pieces whose intercept point and debris footprint are allowed) and wherever a path's
passage through a zone matters.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from numpy.typing import NDArray

from .geodesy import EARTH_RADIUS_M, lonlat_to_unit, unit_to_lonlat
from .layers import ZONE_MASK
from .zones import Theatre, _theatre_geometries

__all__ = ["STEP_M", "zone_pieces", "boundary_edges"]

STEP_M = 2000.0
"""Vertex spacing of densified arcs near borders (metres)."""

F = NDArray[np.float64]
I = NDArray[np.int64]


@lru_cache(maxsize=16)
def boundary_edges(theatre: Theatre) -> tuple[np.ndarray, shapely.STRtree]:
    """Every straight edge of every zone outline and of the theatre box, and their STR-tree."""
    outlines = [shapely.boundary(g) for g in _theatre_geometries(theatre).values() if not g.is_empty]
    outlines.append(shapely.box(*theatre.bbox).exterior)
    pairs = []
    for line in outlines:
        for part in shapely.get_parts(line):
            c = shapely.get_coordinates(part)
            if len(c) >= 2:
                pairs.append(np.stack([c[:-1], c[1:]], axis=1))
    edges = shapely.linestrings(np.concatenate(pairs)) if pairs else np.empty(0, dtype=object)
    return edges, shapely.STRtree(edges)


def _points(a: F, t: F, s: F) -> tuple[F, F]:
    u = a * np.cos(s)[:, None] + t * np.sin(s)[:, None]
    lon, lat = unit_to_lonlat(u)
    return np.asarray(lon, float), np.asarray(lat, float)


def zone_pieces(theatre: Theatre, a: F, t: F, s_lo: F, s_hi: F, fine: bool = False) -> tuple[I, F, F, NDArray]:
    """Pieces of constant zone of arcs ``k``: ``p(s) = a_k cos s + t_k sin s``, ``s_lo_k <= s <= s_hi_k``.

    Parameters
    ----------
    theatre
        The theatre whose :meth:`~skyshield.geo.Theatre.classify` defines the zones.
    a, t
        ``(K, 3)`` start point and unit tangent of each arc's great circle.
    s_lo, s_hi
        ``(K,)`` arc parameters (radians) of the part of interest; ``s_hi >= s_lo``.
    fine
        Return fine codes (:meth:`~skyshield.geo.Theatre.classify_fine`: the zone and, over a
        host nation, which one) instead of zones; pieces then also end where a track passes
        from one host nation into another.

    Returns
    -------
    row, s0, s1, zone
        One row per piece, sorted by ``(row, s0)``; the pieces of arc ``k`` tile
        ``[s_lo_k, s_hi_k]`` and neighbours differ in zone (in fine code with ``fine``).
    """
    row, s0, s1, code = _fine_pieces(theatre, a, t, s_lo, s_hi)
    if fine or row.size == 0:
        return row, s0, s1, code
    zone = (code & ZONE_MASK).astype(np.int8)
    new = np.r_[True, (row[1:] != row[:-1]) | (zone[1:] != zone[:-1])]
    gid = np.cumsum(new) - 1
    end = np.full(gid[-1] + 1, -np.inf)
    np.maximum.at(end, gid, s1)
    return row[new], s0[new], end, zone[new]


def _fine_pieces(theatre: Theatre, a: F, t: F, s_lo: F, s_hi: F) -> tuple[I, F, F, NDArray[np.int16]]:
    """:func:`zone_pieces` in fine codes."""
    a = np.asarray(a, float).reshape(-1, 3)
    t = np.asarray(t, float).reshape(-1, 3)
    s_lo = np.asarray(s_lo, float).ravel()
    s_hi = np.maximum(np.asarray(s_hi, float).ravel(), s_lo)
    K = s_lo.size
    if K == 0:
        z = np.zeros(0)
        return np.zeros(0, np.int64), z, z, np.zeros(0, np.int16)
    mid = 0.5 * (s_lo + s_hi)
    lon, lat = _points(a, t, mid)
    half = 0.5 * (s_hi - s_lo)
    # Degrees of lon/lat that the disc can span: an angle h on the sphere is at most
    # h / cos(lat) degrees of longitude at the disc's most poleward latitude.
    lat_max = np.minimum(np.abs(lat) + np.degrees(half), 89.0)
    radius_deg = np.degrees(half) / np.cos(np.radians(lat_max)) * 1.01 + 1e-9
    edges, tree = boundary_edges(theatre)
    near = np.zeros(K, bool)
    if edges.size:
        hit = tree.query(shapely.points(lon, lat), predicate="dwithin", distance=radius_deg)
        near[hit[0]] = True
    near &= s_hi > s_lo  # a point has one zone
    zone_mid = theatre.classify_fine(lon, lat)

    rows = [np.flatnonzero(~near)]
    s0 = [s_lo[~near]]
    s1 = [s_hi[~near]]
    zs = [zone_mid[~near]]
    mixed = np.flatnonzero(near)
    if mixed.size:
        r, b0, b1, bz = _split(theatre, a[mixed], t[mixed], s_lo[mixed], s_hi[mixed], edges, tree)
        rows.append(mixed[r])
        s0.append(b0)
        s1.append(b1)
        zs.append(bz)
    row = np.concatenate(rows)
    s0a, s1a, za = np.concatenate(s0), np.concatenate(s1), np.concatenate(zs)
    order = np.lexsort((s0a, row))
    return row[order], s0a[order], s1a[order], za[order].astype(np.int16)


def _split(theatre: Theatre, a: F, t: F, s_lo: F, s_hi: F, edges, tree) -> tuple[I, F, F, NDArray[np.int16]]:
    """Exact pieces of arcs that pass near a border (densify, intersect, put back on the arc)."""
    K = s_lo.size
    step = STEP_M / EARTH_RADIUS_M
    n_pts = np.maximum(np.ceil((s_hi - s_lo) / step).astype(np.int64), 1) + 1
    row = np.repeat(np.arange(K), n_pts)
    start = np.cumsum(n_pts) - n_pts
    frac = (np.arange(row.size) - start[row]) / (n_pts[row] - 1)
    s = s_lo[row] + (s_hi - s_lo)[row] * frac
    lon, lat = _points(a[row], t[row], s)
    lines = shapely.linestrings(np.stack([lon, lat], axis=1), indices=row)
    li, ei = tree.query(lines, predicate="intersects")
    cuts_row = [np.arange(K), np.arange(K)]
    cuts_s = [s_lo, s_hi]
    if li.size:
        pts = shapely.intersection(lines[li], edges[ei])
        xy, which = shapely.get_coordinates(pts, return_index=True)
        if xy.size:
            k = li[which]
            u = lonlat_to_unit(xy[:, 0], xy[:, 1]).reshape(-1, 3)
            sc = np.arctan2(np.einsum("ij,ij->i", u, t[k]), np.einsum("ij,ij->i", u, a[k]))
            inside = (sc > s_lo[k]) & (sc < s_hi[k])
            cuts_row.append(k[inside])
            cuts_s.append(sc[inside])
    cr = np.concatenate(cuts_row)
    cs = np.concatenate(cuts_s)
    order = np.lexsort((cs, cr))
    cr, cs = cr[order], cs[order]
    # Consecutive cuts of the same arc bound a piece; drop empty ones.
    same = cr[1:] == cr[:-1]
    p_row, p0, p1 = cr[:-1][same], cs[:-1][same], cs[1:][same]
    keep = p1 > p0
    p_row, p0, p1 = p_row[keep], p0[keep], p1[keep]
    plon, plat = _points(a[p_row], t[p_row], 0.5 * (p0 + p1))
    pz = theatre.classify_fine(plon, plat)
    # Merge neighbours of equal (fine) zone.
    new = np.r_[True, (p_row[1:] != p_row[:-1]) | (pz[1:] != pz[:-1])]
    gid = np.cumsum(new) - 1
    end = np.full(gid[-1] + 1, -np.inf) if gid.size else np.zeros(0)
    np.maximum.at(end, gid, p1)
    return p_row[new], p0[new], end, pz[new]
