r"""Threat flight paths as piecewise great-circle segments, and when they enter circles.

Every threat flies a chain of great-circle segments at constant speed and altitude: a cruise
profile at its cruise altitude; a ballistic missile with a physical trajectory as the pieces of
its Keplerian conic with re-entry drag (:mod:`skyshield.engine.ballistic`: cut at every
envelope altitude bound, so altitude gating is exact, each piece at its mean ground speed); a
quasi-ballistic type without one as ascent, high arc and terminal segments at representative
altitudes (:data:`BALLISTIC_PROFILE`). A threat that fails in flight
(:attr:`skyshield.engine.raid.Raid.failed`) stops at its failure point. On the unit sphere a segment starting at :math:`a`
with unit tangent :math:`t` is :math:`p(s) = a\cos s + t \sin s` for arc angle
:math:`s \in [0, \theta]`. Its angular distance :math:`\delta` from a point :math:`c` obeys

.. math::

    \cos\delta(s) = (c\cdot a)\cos s + (c\cdot t)\sin s = C\cos(s - \varphi),

with :math:`C = \sqrt{(c\cdot a)^2 + (c\cdot t)^2}` and :math:`\varphi = \operatorname{atan2}
(c\cdot t, c\cdot a)`. So the part of a segment inside a circle of angular radius
:math:`\rho` is the closed form :math:`|s - \varphi| \le \arccos(\cos\rho / C)`: when a threat
enters and leaves a radar's coverage or a shooter's envelope is computed, not stepped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from ..geo import EARTH_RADIUS_M, lonlat_to_unit, unit_to_lonlat
from .params import EngineParams
from .raid import Raid

__all__ = ["Segments", "build_segments", "circle_windows", "positions_at", "BALLISTIC_PROFILE"]

BALLISTIC_PROFILE = ((0.0, 0.2, 0.5), (0.2, 0.7, 1.0), (0.7, 1.0, 1.0 / 3.0))
"""Quasi-ballistic flight as (start, end, altitude/apogee) fractions of the ground track:
ascent at half the apogee, a high arc at the apogee, a terminal segment at a third of it."""


@dataclass(frozen=True)
class Segments:
    threat: NDArray[np.int64]  # (M,) owning threat
    local: NDArray[np.int64]  # (M,) index of the segment within its threat's path
    t0_s: NDArray[np.float64]  # (M,)
    t1_s: NDArray[np.float64]  # (M,)
    a: NDArray[np.float64]  # (M, 3) start, unit sphere
    tangent: NDArray[np.float64]  # (M, 3) unit tangent at start
    arc_rad: NDArray[np.float64]  # (M,)
    rate_rad_s: NDArray[np.float64]  # (M,) angular speed
    alt_m: NDArray[np.float64]  # (M,)
    arrival_s: NDArray[np.float64]  # (N,) per threat: end of its last segment


def _slerp(a: NDArray[np.float64], b: NDArray[np.float64], f: NDArray[np.float64]) -> NDArray[np.float64]:
    cos = np.clip(np.einsum("...k,...k->...", a, b), -1.0, 1.0)
    th = np.arccos(cos)[..., None]
    s = np.sin(th)
    s = np.where(s < 1e-12, 1.0, s)
    fa = np.sin((1 - f[..., None]) * th) / s
    fb = np.sin(f[..., None] * th) / s
    out = np.where(th < 1e-9, a, fa * a + fb * b)
    return out / np.linalg.norm(out, axis=-1, keepdims=True)


def build_segments(raid: Raid, params: EngineParams) -> Segments:
    """Turn sampled routes into segments with times, for cruise and ballistic profiles."""
    tt = params.threat_types
    kep = tt.keplerian[raid.type_index] if tt.keplerian.size else np.zeros(raid.size, bool)
    seg = _profile_segments(raid, params, ~kep)
    if kep.any():
        seg = _merge(seg, _keplerian_segments(raid, params, np.flatnonzero(kep)), raid.size)
    if raid.failed.any():
        seg = _truncate(seg, raid)
    return seg


def _keplerian_segments(raid: Raid, params: EngineParams, bi: NDArray[np.int64]) -> Segments:
    """Pieces of the physical trajectories of ballistic threats ``bi`` (launch to aim, direct)."""
    from .ballistic import pieces

    tt = params.threat_types
    u = lonlat_to_unit(raid.waypoints[bi, 0, 0], raid.waypoints[bi, 0, 1]).reshape(-1, 3)
    last = raid.n_points[bi] - 1
    v = lonlat_to_unit(raid.waypoints[bi, last, 0], raid.waypoints[bi, last, 1]).reshape(-1, 3)
    rng_rad = np.arctan2(np.linalg.norm(np.cross(u, v), axis=-1), np.einsum("ij,ij->i", u, v))
    typ = raid.type_index[bi]
    levels = getattr(params, "ballistic_levels_m", np.zeros(0))
    k, f0, f1, t0, t1, alt = pieces(np.maximum(rng_rad, 1e-6), tt.alt_m[typ], tt.beta_kg_m2[typ], levels)
    a = _slerp(u[k], v[k], f0)
    b = _slerp(u[k], v[k], f1)
    arc = np.maximum((f1 - f0) * rng_rad[k], 0.0)
    dot = np.einsum("mk,mk->m", a, b)
    tan = b - dot[:, None] * a
    norm = np.linalg.norm(tan, axis=-1, keepdims=True)
    # a zero-length piece keeps the great circle of its flight
    whole = v[k] - np.einsum("mk,mk->m", a, v[k])[:, None] * a
    tan = np.where(norm > 1e-15, tan / np.where(norm > 1e-15, norm, 1.0), whole / np.maximum(np.linalg.norm(whole, axis=-1, keepdims=True), 1e-300))
    local = np.arange(k.size) - np.searchsorted(k, k)
    launch = raid.launch_s[bi[k]]
    dur = np.maximum(t1 - t0, 1e-9)
    arrival = np.zeros(raid.size)
    np.maximum.at(arrival, bi[k], launch + t1)
    return Segments(threat=bi[k].astype(np.int64), local=local.astype(np.int64), t0_s=launch + t0, t1_s=launch + t1,
                    a=a, tangent=tan, arc_rad=arc, rate_rad_s=arc / dur, alt_m=alt, arrival_s=arrival)


def _merge(s1: Segments, s2: Segments, n: int) -> Segments:
    """Segments of two disjoint sets of threats, in (threat, local) order."""
    cat = {f: np.concatenate([getattr(s1, f), getattr(s2, f)]) for f in
           ("threat", "local", "t0_s", "t1_s", "a", "tangent", "arc_rad", "rate_rad_s", "alt_m")}
    order = np.lexsort((cat["local"], cat["threat"]))
    arrival = np.maximum(s1.arrival_s, s2.arrival_s) if s1.arrival_s.size == n else s2.arrival_s
    return Segments(**{f: v[order] for f, v in cat.items()}, arrival_s=arrival)


def _truncate(seg: Segments, raid: Raid) -> Segments:
    """Failing threats stop at their failure point: later segments dropped, the one it is in cut."""
    launch = np.full(raid.size, np.inf)
    np.minimum.at(launch, seg.threat, seg.t0_s)
    frac = np.where(raid.failed, raid.fail_frac, np.inf)
    t_fail = launch + frac * (seg.arrival_s - launch)
    tf = t_fail[seg.threat]
    keep = (seg.t0_s < tf) | (seg.local == 0)
    t1 = np.minimum(seg.t1_s, tf)
    arc = np.where(np.isfinite(tf) & (seg.t1_s > tf), seg.rate_rad_s * np.maximum(t1 - seg.t0_s, 0.0), seg.arc_rad)
    arrival = np.where(raid.failed, np.minimum(t_fail, seg.arrival_s), seg.arrival_s)
    return Segments(threat=seg.threat[keep], local=seg.local[keep], t0_s=seg.t0_s[keep], t1_s=t1[keep],
                    a=seg.a[keep], tangent=seg.tangent[keep], arc_rad=arc[keep], rate_rad_s=seg.rate_rad_s[keep],
                    alt_m=seg.alt_m[keep], arrival_s=arrival)


def _profile_segments(raid: Raid, params: EngineParams, take: NDArray[np.bool_]) -> Segments:
    """Segments of threats ``take`` flying their routes (cruise) or the three-piece
    quasi-ballistic profile; the other threats get none (arrival 0)."""
    tt = params.threat_types
    n = raid.size
    W = raid.waypoints.shape[1]
    ball = tt.ballistic[raid.type_index]
    u = lonlat_to_unit(raid.waypoints[..., 0], raid.waypoints[..., 1])  # (N, W, 3), NaN padded
    # Ballistic threats fly launch -> aim directly, split into the profile's pieces.
    if ball.any():
        width = max(W, len(BALLISTIC_PROFILE) + 1)
        if width > W:
            u = np.concatenate([u, np.full((n, width - W, 3), np.nan)], axis=1)
            W = width
        bi = np.flatnonzero(ball)
        start = u[bi, 0]
        aim = u[bi, raid.n_points[bi] - 1]
        fr = np.array([p[0] for p in BALLISTIC_PROFILE] + [1.0])
        pts = _slerp(start[:, None, :], aim[:, None, :], np.broadcast_to(fr, (bi.size, fr.size)))
        u[bi] = np.nan
        u[bi, : fr.size] = pts
    n_pts = np.where(ball, len(BALLISTIC_PROFILE) + 1, raid.n_points)
    a = u[:, :-1]
    b = u[:, 1:]
    valid = (np.arange(W - 1)[None, :] < (n_pts - 1)[:, None]) & take[:, None]  # (N, W-1)
    ti, li = np.nonzero(valid)
    a = a[ti, li]
    b = b[ti, li]
    cross = np.linalg.norm(np.cross(a, b), axis=-1)
    dot = np.einsum("mk,mk->m", a, b)
    arc = np.arctan2(cross, dot)
    tan = b - dot[:, None] * a
    norm = np.linalg.norm(tan, axis=-1, keepdims=True)
    tan = np.where(norm > 1e-15, tan / np.where(norm > 1e-15, norm, 1.0), 0.0)
    typ = raid.type_index[ti]
    rate = tt.speed_mps[typ] / EARTH_RADIUS_M
    dur = arc / rate
    # Start time of each segment: launch time plus the durations of the earlier segments.
    cum = np.zeros_like(dur)
    np.cumsum(dur, out=cum)
    first = np.r_[True, ti[1:] != ti[:-1]]
    base = np.maximum.accumulate(np.where(first, np.arange(dur.size), 0))
    before = cum - dur - (cum[base] - dur[base])
    t0 = raid.launch_s[ti] + before
    t1 = t0 + dur
    alt = tt.alt_m[typ].copy()
    bsel = ball[ti]
    if bsel.any():
        frac = np.array([p[2] for p in BALLISTIC_PROFILE])
        alt[bsel] = tt.alt_m[typ[bsel]] * frac[np.minimum(li[bsel], frac.size - 1)]
    arrival = np.zeros(n)
    np.maximum.at(arrival, ti, t1)
    return Segments(
        threat=ti.astype(np.int64), local=li.astype(np.int64), t0_s=t0, t1_s=t1, a=a,
        tangent=tan, arc_rad=arc, rate_rad_s=rate, alt_m=alt, arrival_s=arrival,
    )


def positions_at(seg: Segments, m: NDArray[np.int64], t_s: NDArray[np.float64]) -> NDArray[np.float64]:
    """Unit-sphere positions ``(K, 3)`` on segments ``m`` at times ``t_s``."""
    s = np.clip((t_s - seg.t0_s[m]) * seg.rate_rad_s[m], 0.0, seg.arc_rad[m])
    return seg.a[m] * np.cos(s)[:, None] + seg.tangent[m] * np.sin(s)[:, None]


def lonlat_at(seg: Segments, m: NDArray[np.int64], t_s: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lon, lat = unit_to_lonlat(positions_at(seg, m, t_s))
    return np.asarray(lon), np.asarray(lat)


def circle_windows(
    seg: Segments,
    centres: NDArray[np.float64],
    max_radius_m: float,
    radius_m,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Time windows during which segments are inside circles around ``centres``.

    Parameters
    ----------
    seg
        The segments.
    centres
        ``(K, 3)`` unit vectors.
    max_radius_m
        An upper bound of every radius, for the kd-tree pre-selection.
    radius_m
        Callable ``(m, k) -> radius in metres`` evaluated on candidate pairs (0 = none).

    Returns
    -------
    m, k, t_in, t_out
        One row per (segment, centre) pair with a non-empty window.
    """
    if seg.t0_s.size == 0 or centres.shape[0] == 0 or max_radius_m <= 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros(0), np.zeros(0)
    mid = seg.a * np.cos(seg.arc_rad / 2)[:, None] + seg.tangent * np.sin(seg.arc_rad / 2)[:, None]
    reach = np.minimum(seg.arc_rad / 2 + max_radius_m / EARTH_RADIUS_M, np.pi)
    chord = 2.0 * np.sin(reach / 2.0)
    tree = cKDTree(centres)
    hits = tree.query_ball_point(mid, chord, return_sorted=False)
    counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
    if counts.sum() == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros(0), np.zeros(0)
    m = np.repeat(np.arange(len(hits)), counts)
    k = np.fromiter((x for h in hits for x in h), dtype=np.int64, count=int(counts.sum()))
    r = radius_m(m, k)
    keep = r > 0
    m, k, r = m[keep], k[keep], r[keep]
    c = centres[k]
    A = np.einsum("ij,ij->i", c, seg.a[m])
    B = np.einsum("ij,ij->i", c, seg.tangent[m])
    C = np.hypot(A, B)
    cos_rho = np.cos(r / EARTH_RADIUS_M)
    ok = C > cos_rho
    half = np.arccos(np.clip(cos_rho / np.where(ok, C, 1.0), -1.0, 1.0))
    phi = np.arctan2(B, A)
    s_in = np.maximum(phi - half, 0.0)
    s_out = np.minimum(phi + half, seg.arc_rad[m])
    ok &= s_in < s_out
    m, k, s_in, s_out = m[ok], k[ok], s_in[ok], s_out[ok]
    rate = seg.rate_rad_s[m]
    return m, k, seg.t0_s[m] + s_in / rate, seg.t0_s[m] + s_out / rate
