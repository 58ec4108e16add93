r"""Decide: who could fire at what, when, and where the rules of engagement allow it.

An *opportunity* is a (shooter, threat segment) pair whose envelope the threat crosses. Its
earliest intercept time is the smallest :math:`t_i` in the envelope window with

.. math::

    t_i = t_{ready} + \frac{\max(0,\ d(t_i) - r_0)}{v},\qquad
    t_{ready} = \max(t_{picture} + t_{reaction},\ t_{track},\ t_{available}),

where :math:`t_{picture}` is the first warning in the shooter's network (so early warning
shortens the wait) and :math:`t_{track}` the track it may fire on:

- a SAM, gun or ship fires on its own fire-control radar's track, so it engages only inside
  that radar's coverage: its envelope is capped by the 4/3-earth radar horizon against the
  threat's altitude (:func:`skyshield.sensors.radar.radar_horizon_m`);
- a shooter type whose catalog entry declares **engage-on-remote** (with its public basis:
  CEC/NIFC-CA, a netted fire-distribution centre, IBCS) may fire on a fire-control-quality
  track from another sensor of its network (fire-control radars and ship radars; allied ones
  only when the option shares data at the fire-control tier), out to its full envelope;
- fighters are vectored on the network picture and fly out at dash speed (:math:`v`) from
  their CAP station or QRA base (whose reaction includes the alert state);
- **mobile** units (mobile fire groups) are cued by the network picture and drive toward the
  predicted path at road speed :math:`v`, up to their relocation distance; their weapon's reach
  is :math:`r_0`, so they need only come within :math:`r_0` of the threat. More warning means
  more time to move, hence a wider effective reach.

For every other shooter :math:`r_0 = 0` and :math:`v` is the interceptor's fly-out speed. The
equation is solved by a fixed point, then by bisection where the fixed point converges slowly
(a fighter chasing a cruise missile). The opportunity lapses if :math:`t_i` is after the threat
leaves the envelope.

**Rules of engagement** (:mod:`skyshield.engage.roe`) then keep the exact union of the
sub-intervals of the window where both the intercept point and its debris footprint are
allowed for the shooter's nationality, location and ROE variant, and the threat's predicted
path. The zone along the track is piecewise constant with breakpoints where the track crosses
a border (:func:`skyshield.geo.crossings.zone_pieces`, exact); the debris of an intercept at arc
:math:`s` lands at :math:`s + \delta` on the same great circle, so the joint zone changes at the
border crossings :math:`b` and at :math:`b - \delta`. Each allowed sub-interval becomes an
opportunity of its own (with its own earliest intercept); sub-intervals that end at a border are
pulled in by :data:`BORDER_MARGIN_M` so no intercept lands on the wrong side. Windows with no
allowed part are counted as denied, by the reason at their start.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..engage.roe import REASONS, SPACE_ALT_M, roe_allows
from ..engage.standoff import SAMPLE_STEP_M, clip_outside, distance_to_keepout_edge_m, inside_keepout
from ..geo import EARTH_RADIUS_M, Zone, unit_to_lonlat
from ..geo.crossings import zone_pieces
from ..geo.layers import host_of, zone_of
from ..picture.network import Link, side_pictures
from ..sensors.radar import radar_horizon_m
from .params import ALLIED, DEFENDED, ROE_CODES, SHOOTER_KINDS, EngineParams
from .raid import Raid
from .sense import CHUNK_THREATS, Picture, segment_slice, threat_chunks
from .trajectory import Segments, circle_windows, positions_at

__all__ = ["Opportunities", "find_opportunities", "debris_points", "DEBRIS_DRAG", "BORDER_MARGIN_M",
           "debris_shift_rad", "path_crosses", "lawful_windows", "host_permits"]

DEBRIS_DRAG = 0.5
"""Notional: debris carries forward half the vacuum fall distance ``v sqrt(2h/g)``."""
BORDER_MARGIN_M = 25.0
"""Allowed sub-intervals that end at a border stop this far short of it (metres of track)."""
_FIGHTER = SHOOTER_KINDS.index("fighter")
_G = 9.81


@dataclass(frozen=True)
class Opportunities:
    shooter: NDArray[np.int64]  # (O,)
    threat: NDArray[np.int64]  # (O,)
    segment: NDArray[np.int64]  # (O,)
    t_first_s: NDArray[np.float64]  # (O,) earliest allowed intercept
    t_last_s: NDArray[np.float64]  # (O,) threat leaves the envelope (or the allowed zone)
    flyout_s: NDArray[np.float64]  # (O,) interceptor fly-out, or transit of a fighter / mobile unit
    denied_roe: int  # windows ruled out by ROE alone
    denied_by_reason: tuple[int, ...] = (0, 0, 0, 0, 0, 0)  # counts by engage.roe.REASONS[1:]
    ew_site: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))  # (X,)
    ew_threat: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))  # (X,)
    ew_t_enter_s: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (X,)
    denied_shooter: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))  # (D,)
    denied_threat: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))  # (D,)
    denied_reason: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))  # (D,) REASONS code
    # Every envelope crossing, ready or not, lawful or not (for explaining leakers).
    win_shooter: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))  # (G,)
    win_threat: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))  # (G,)
    win_segment: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))  # (G,)
    win_t_in_s: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (G,)
    win_t_out_s: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (G,)
    segment_pk_factor: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (M,) kill probability factor of a terminal manoeuvre


def _range_m(u1: NDArray[np.float64], u2: NDArray[np.float64]) -> NDArray[np.float64]:
    dot = np.clip(np.einsum("ij,ij->i", u1, u2), -1.0, 1.0)
    return EARTH_RADIUS_M * np.arccos(dot)


def debris_shift_rad(speed_mps: NDArray[np.float64], alt_m: NDArray[np.float64]) -> NDArray[np.float64]:
    r"""How far ahead along the track debris lands, as an arc: :math:`k\,v\sqrt{2h/g}/R`."""
    return DEBRIS_DRAG * np.asarray(speed_mps) * np.sqrt(2.0 * np.maximum(alt_m, 0.0) / _G) / EARTH_RADIUS_M


def debris_points(seg: Segments, m: NDArray[np.int64], t_s: NDArray[np.float64], speed_mps: NDArray[np.float64]):
    r"""Where the debris of intercepts on segments ``m`` at ``t_s`` lands (lon, lat).

    The ground point under the intercept, carried forward along the track by
    :math:`k\,v\sqrt{2h/g}` (:data:`DEBRIS_DRAG` :math:`= k`): metres for a drone, tens of
    kilometres for a ballistic missile intercepted high.
    """
    s = np.clip((t_s - seg.t0_s[m]) * seg.rate_rad_s[m], 0.0, seg.arc_rad[m])
    s = s + debris_shift_rad(speed_mps, seg.alt_m[m])  # on along the same great circle
    q = seg.a[m] * np.cos(s)[:, None] + seg.tangent[m] * np.sin(s)[:, None]
    lon, lat = unit_to_lonlat(q)
    return np.asarray(lon), np.asarray(lat)


def _solve_intercept(seg, m, unit_j, t_lo, t_hi, t_ready, v, r0):
    """Smallest t in [t_lo, t_hi] with t >= t_ready + max(0, d(t) - r0)/v (fixed point, then bisection)."""

    def go(ms, uj, t, vs, r):
        return np.maximum(_range_m(positions_at(seg, ms, t), uj) - r, 0.0) / vs

    t_i = t_lo.copy()
    for _ in range(3):
        t_i = np.maximum(t_lo, t_ready + go(m, unit_j, np.minimum(t_i, t_hi), v, r0))
    with np.errstate(invalid="ignore"):
        resid = t_ready + go(m, unit_j, np.minimum(t_i, t_hi), v, r0) - t_i
    slow = np.flatnonzero(np.isfinite(t_i) & (resid > 1.0) & (t_i <= t_hi))
    if slow.size:
        lo, hi = t_i[slow], t_hi[slow]
        ms, uj, tr, vs, rs = m[slow], unit_j[slow], t_ready[slow], v[slow], r0[slow]
        reach = tr + go(ms, uj, hi, vs, rs) - hi <= 0
        for _ in range(30):
            mid = 0.5 * (lo + hi)
            f = tr + go(ms, uj, mid, vs, rs) - mid
            lo = np.where(f > 0, mid, lo)
            hi = np.where(f > 0, hi, mid)
        t_i[slow] = np.where(reach, hi, np.inf)
    return t_i, go(m, unit_j, np.minimum(t_i, t_hi), v, r0)


def fire_control_picture(params: EngineParams, pic: Picture, link: Link) -> NDArray[np.float64]:
    """``(2, N)`` first fire-control-quality track of each threat in each side's network.

    Fire-control and ship radars hold tracks good enough to guide another unit's interceptor;
    the other side's reach a network only when the option shares at the fire-control tier.
    """
    n = pic.n_threats
    sen = params.sensors
    if pic.by_sensor_key.size == 0:
        return np.full((2, n), np.inf)
    rows = pic.by_sensor_key // max(n, 1)
    sel = sen.fc_quality[rows]
    _, net = side_pictures(params, pic.by_sensor_key[sel], pic.by_sensor_t[sel], n, link,
                           tiers=((DEFENDED, ALLIED, 3), (ALLIED, DEFENDED, 3)))
    return net


def find_opportunities(params: EngineParams, raid: Raid, seg: Segments, pic: Picture, link: Link,
                       chunk_threats: int | None = None) -> Opportunities:
    """Every opportunity of the night, in order of earliest intercept.

    Threats are taken ``chunk_threats`` at a time (default :data:`~skyshield.engine.sense.CHUNK_THREATS`;
    every window is per threat, so a chunk's candidate pairs and ROE pieces are freed before
    the next); the result does not depend on it.
    """
    chunk = CHUNK_THREATS if chunk_threats is None else chunk_threats
    t_fcq = fire_control_picture(params, pic, link)
    parts, counts, ew = [], np.zeros(len(REASONS) - 1, np.int64), []
    for lo, hi in threat_chunks(seg, chunk):
        sub = seg if (lo, hi) == (0, seg.threat.size) else segment_slice(seg, lo, hi)
        cols, c = _chunk_opportunities(params, raid, sub, pic, t_fcq, lo)
        parts.append(list(cols))
        counts += c
        ew.append(_ew_exposure(params, raid, sub))
    cols = _concatenate(parts)
    # Earliest intercept first (ties: by threat, then shooter; chunks hold disjoint threats,
    # so this is the order of the whole raid at once).
    order = np.lexsort((cols[0], cols[1], cols[3]))
    for c in range(6):
        cols[c] = cols[c][order]
    del order
    ew_site, ew_threat, ew_t = _concatenate([list(e) for e in ew])
    if len(ew) > 1:  # by (site, threat), as for the whole raid at once
        order = np.argsort(ew_site * raid.size + ew_threat)
        ew_site, ew_threat, ew_t = ew_site[order], ew_threat[order], ew_t[order]
    jj, ii, mm, t_first, t_b, fly = cols[:6]
    return Opportunities(
        jj, ii, mm, t_first, t_b, fly, int(cols[6].size), tuple(int(x) for x in counts), ew_site, ew_threat, ew_t,
        denied_shooter=cols[6], denied_threat=cols[7], denied_reason=cols[8],
        win_shooter=cols[9], win_threat=cols[10], win_segment=cols[11],
        win_t_in_s=cols[12], win_t_out_s=cols[13], segment_pk_factor=_manoeuvre(params, raid, seg),
    )


def _concatenate(parts: list[list[NDArray]]) -> list[NDArray]:
    """Column ``c`` of every part, end to end, for each ``c``; each part's arrays are released
    as soon as their column is joined (so the columns are not held twice at once)."""
    out = []
    for c in range(len(parts[0])):
        out.append(np.concatenate([p[c] for p in parts]) if len(parts) > 1 else parts[0][c])
        for p in parts:
            p[c] = None
    return out


def _chunk_opportunities(params: EngineParams, raid: Raid, seg: Segments, pic: Picture,
                         t_fcq: NDArray[np.float64], offset: int):
    """Opportunities of the threats of ``seg`` (a slice of the night's segments starting at
    segment ``offset``): the columns of :class:`Opportunities` (segments global, unsorted) and
    the counts of windows denied by reason."""
    sh = params.shooters
    tt = params.threat_types
    sen = params.sensors
    seg_cls = tt.cls[raid.type_index[seg.threat]]
    vectored = (sh.kind == _FIGHTER) | (sh.mobile_reach_m > 0)
    own_radar_only = ~vectored & ~sh.engage_on_remote & (sh.radar >= 0)
    radar_h = sen.height_m[np.maximum(sh.radar, 0)] if sen.height_m.size else np.zeros(sh.radar.size)

    def radius(m: NDArray[np.int64], j: NDArray[np.int64]) -> NDArray[np.float64]:
        c = seg_cls[m]
        alt = seg.alt_m[m]
        inside = (alt >= sh.min_alt_m[j, c]) & (alt <= sh.max_alt_m[j, c]) & (sh.pk[j, c] > 0)
        r = sh.max_range_m[j, c] + np.where(sh.max_range_m[j, c] > 0, sh.mobile_reach_m[j], 0.0)
        r = np.where(own_radar_only[j], np.minimum(r, radar_horizon_m(radar_h[j], alt)), r)
        return np.where(inside, r, 0.0)

    reach = (sh.max_range_m.max(axis=1) + sh.mobile_reach_m) if sh.max_range_m.size else np.zeros(0)
    m, j, t_in, t_out = _windows_by_reach(seg, sh.unit, reach, radius)
    i = seg.threat[m]
    geometric = (j, i, m + offset, t_in, np.minimum(t_out, params.duration_s))
    side = sh.side[j]
    t_pic = pic.network_t[side, i]
    t_fc = pic.sensor_time(sh.radar[j], i)
    t_track = np.where(vectored[j], np.minimum(t_fc, t_pic),
                       np.where(sh.engage_on_remote[j], np.minimum(t_fc, t_fcq[side, i]), t_fc))
    t_ready = np.maximum(np.maximum(t_pic + sh.reaction_s[j], t_track), sh.avail_from_s[j])
    t_out = np.minimum(np.minimum(t_out, sh.avail_to_s[j]), params.duration_s)
    r0 = np.where(sh.mobile_reach_m[j] > 0, sh.max_range_m[j, seg_cls[m]], 0.0)
    v = sh.interceptor_speed_mps[j]
    t_i, fly = _solve_intercept(seg, m, sh.unit[j], np.maximum(t_in, t_ready), t_out, t_ready, v, r0)
    ok = np.isfinite(t_i) & (t_i <= t_out)
    m, j, i, t_i, t_out, t_ready, r0, v = (x[ok] for x in (m, j, i, t_i, t_out, t_ready, r0, v))

    row, t_a, t_b, reason = _roe_windows(params, raid, seg, m, j, i, t_i, t_out)
    mm, jj, ii = m[row], j[row], i[row]
    t_first, fly = _solve_intercept(seg, mm, sh.unit[jj], t_a, t_b, t_ready[row], v[row], r0[row])
    ok = np.isfinite(t_first) & (t_first <= t_b)
    # A window whose allowed parts all come too late for the shooter is denied as well.
    served = np.zeros(m.size, bool)
    served[row[ok]] = True
    denied = np.flatnonzero(~served)
    reason_d = np.where(reason[denied] > 0, reason[denied], 1)
    counts = np.bincount(reason_d - 1, minlength=len(REASONS) - 1)[: len(REASONS) - 1]
    cols = (jj[ok], ii[ok], mm[ok] + offset, t_first[ok], t_b[ok], fly[ok],
            j[denied], i[denied], reason_d.astype(np.int64), *geometric)
    return cols, counts


def _manoeuvre(params: EngineParams, raid: Raid, seg: Segments) -> NDArray[np.float64]:
    """Per segment: the factor on single-shot kill probability of a threat manoeuvring there
    (its type's ``manoeuvre.pk_factor`` below ``manoeuvre.below``; 1 elsewhere)."""
    tt = params.threat_types
    if tt.manoeuvre_pk.size == 0 or seg.threat.size == 0:
        return np.ones(seg.threat.size)
    typ = raid.type_index[seg.threat]
    return np.where(seg.alt_m < tt.manoeuvre_below_m[typ], tt.manoeuvre_pk[typ], 1.0)


_REACH_BINS_M = (10e3, 50e3, 150e3, 400e3)


def _windows_by_reach(seg, centres, reach_m, radius):
    """:func:`circle_windows` for shooters grouped by reach, so that a few long-reach
    shooters (QRA fighters, ships) do not widen the kd-tree search for all the short ones."""
    if reach_m.size == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros(0), np.zeros(0)
    bins = np.searchsorted(np.array(_REACH_BINS_M), reach_m)
    parts = []
    for b in np.unique(bins):
        rows = np.flatnonzero(bins == b)
        m, k, t_in, t_out = circle_windows(
            seg, centres[rows], float(reach_m[rows].max()), lambda mm, kk, rows=rows: radius(mm, rows[kk])
        )
        parts.append((m, rows[k], t_in, t_out))
    m, j, t_in, t_out = (np.concatenate(x) for x in zip(*parts))
    order = np.lexsort((j, m))  # the order circle_windows would give for one call
    return m[order], j[order], t_in[order], t_out[order]


def path_crosses(params: EngineParams, seg: Segments, n: int, zone: Zone, threats=None) -> NDArray[np.bool_]:
    """Whether each threat's whole path passes over ``zone`` (exact, :func:`zone_pieces`).

    ``threats``, if given, limits the work to those threats (others are ``False``).
    """
    out = np.zeros(n, bool)
    rows = np.arange(seg.t0_s.size) if threats is None else np.flatnonzero(np.isin(seg.threat, threats))
    if rows.size == 0:
        return out
    r, _, _, z = zone_pieces(params.theatre, seg.a[rows], seg.tangent[rows], np.zeros(rows.size), seg.arc_rad[rows])
    np.logical_or.at(out, seg.threat[rows[r]], z == zone)
    return out


def lawful_windows(params, raid, seg, m, j, i, t_a, t_b):
    """The parts of windows ``[t_a, t_b]`` (segments ``m``, shooters ``j``, threats ``i``) where
    the rules of engagement allow an intercept: ``(row, start, end, reason at each window's start)``."""
    return _roe_windows(params, raid, seg, m, j, i, t_a, t_b)


def _roe_windows(params, raid, seg, m, j, i, t_a, t_b):
    """The allowed sub-intervals of windows ``[t_a, t_b]`` on segments ``m`` for shooters ``j``.

    Returns ``row`` (index of the window each sub-interval comes from), its start and end
    times, and per window the ROE reason code at its start (0 if allowed there).
    """
    sh = params.shooters
    W = m.size
    if W == 0:
        z = np.zeros(0)
        return np.zeros(0, np.int64), z, z, np.zeros(0, np.int64)
    roe = sh.roe[j]
    speed = params.threat_types.speed_mps[raid.type_index[i]]
    delta = debris_shift_rad(speed, seg.alt_m[m])
    exo = seg.alt_m[m] >= SPACE_ALT_M  # above the airspace: judged as international airspace
    crosses = np.zeros(W, bool)
    need_path = np.isin(roe, (ROE_CODES["over-allied-territory"], ROE_CODES["path-crosses-allied"]))
    if need_path.any():
        crosses = path_crosses(params, seg, raid.size, Zone.ALLIED, np.unique(i[need_path]))[i]
    rate = seg.rate_rad_s[m]
    s_a = (t_a - seg.t0_s[m]) * rate
    s_b = (t_b - seg.t0_s[m]) * rate
    # Zones along each window's track, from its start to its end plus the debris shift.
    p_row, p0, p1, pz = zone_pieces(params.theatre, seg.a[m], seg.tangent[m], s_a, s_b + delta, fine=True)
    # Cut points of the joint (intercept zone, debris zone): borders b and b - delta.
    inner = p0 > s_a[p_row]
    cut_row = np.concatenate([np.arange(W), np.arange(W), p_row[inner], p_row[inner]])
    cut_s = np.concatenate([s_a, s_b, p0[inner], p0[inner] - delta[p_row[inner]]])
    keep = (cut_s >= s_a[cut_row]) & (cut_s <= s_b[cut_row])
    cut_row, cut_s = cut_row[keep], cut_s[keep]
    order = np.lexsort((cut_s, cut_row))
    cut_row, cut_s = cut_row[order], cut_s[order]
    same = cut_row[1:] == cut_row[:-1]
    q_row, q0, q1 = cut_row[:-1][same], cut_s[:-1][same], cut_s[1:][same]
    point = q1 <= q0  # a window of zero length (or a duplicate cut) is judged at that point
    first_of_row = np.ones(q_row.size, bool)
    first_of_row[1:] = q_row[1:] != q_row[:-1]
    keep = ~point | first_of_row
    q_row, q0, q1 = q_row[keep], q0[keep], q1[keep]
    mid = np.where(q1 > q0, 0.5 * (q0 + q1), q0)

    # Zone at an arc position of a window: the piece of that window containing it.
    span = 8.0  # > any arc (radians) + shift: keys of different windows never interleave
    key = p_row * span + p0

    def zone_at(r, s):
        k = np.searchsorted(key, r * span + s, side="right") - 1
        return pz[np.clip(k, 0, key.size - 1)]

    fz = zone_at(q_row, mid)
    iz = np.where(exo[q_row], int(Zone.SEA), zone_of(fz))
    dz = zone_of(zone_at(q_row, mid + delta[q_row]))
    ok, why = roe_allows(roe[q_row], sh.zone[j[q_row]], iz, dz, crosses[q_row],
                         host_permits(params, j[q_row], host_of(fz)))
    first = np.ones(q_row.size, bool)
    first[1:] = q_row[1:] != q_row[:-1]
    reason = np.zeros(W, np.int64)
    reason[q_row[first]] = why[first]
    # Merge consecutive allowed sub-intervals of a window.
    a_row, a0, a1 = q_row[ok], q0[ok], q1[ok]
    joined = np.zeros(a_row.size, bool)
    joined[1:] = (a_row[1:] == a_row[:-1]) & (a0[1:] <= a1[:-1])
    gid = np.cumsum(~joined) - 1
    r_out = a_row[~joined]
    s0 = a0[~joined]
    s1 = np.full(r_out.size, -np.inf)
    np.maximum.at(s1, gid, a1)
    # Pull ends that lie on a border (not the window's own ends) back by the margin.
    eps = BORDER_MARGIN_M / EARTH_RADIUS_M
    s0 = np.where(s0 > s_a[r_out], s0 + eps, s0)
    s1 = np.where(s1 < s_b[r_out], s1 - eps, s1)
    good = s1 >= s0
    r_out, s0, s1 = r_out[good], s0[good], s1[good]
    r_out, s0, s1 = _standoff_cut(params, seg, m, j, s_a, reason, r_out, s0, s1)
    m_out = m[r_out]
    t0 = seg.t0_s[m_out] + s0 / seg.rate_rad_s[m_out]
    t1 = seg.t0_s[m_out] + s1 / seg.rate_rad_s[m_out]
    # Keep exact window ends (no round trip through arc units).
    t0 = np.where(s0 == s_a[r_out], t_a[r_out], t0)
    t1 = np.where(s1 == s_b[r_out], t_b[r_out], t1)
    return r_out, t0, t1, reason


def _standoff_cut(params, seg, m, j, s_a, reason, r_out, s0, s1):
    """Allowed parts ``(r_out, s0, s1)`` cut to where the intercept point is outside the
    keep-out of the shooter's stand-off rule (:mod:`skyshield.engage.standoff`); a window
    otherwise allowed at its start but inside the keep-out there gets the reason ``standoff``.

    Only shooters whose reach comes near the keep-out are tested (a window lies within the
    shooter's reach of its station).
    """
    rule_of = getattr(params.shooters, "standoff", None)
    rules = getattr(params, "standoffs", ())
    if not rules or rule_of is None or rule_of.size == 0 or r_out.size == 0:
        return r_out, s0, s1
    sh = params.shooters
    keep = np.ones(r_out.size, bool)
    parts = []
    why = REASONS.index("standoff")
    for k, rule in enumerate(rules):
        rows = np.flatnonzero(rule_of == k)
        if rows.size == 0:
            continue
        reach = sh.max_range_m[rows].max(axis=1) + sh.mobile_reach_m[rows]
        near_rows = rows[distance_to_keepout_edge_m(params.theatre, rule, sh.lonlat[rows, 0], sh.lonlat[rows, 1])
                         <= reach * 1.01 + SAMPLE_STEP_M]
        if near_rows.size == 0:
            continue
        sel = np.flatnonzero(np.isin(j[r_out], near_rows))
        if sel.size == 0:
            continue
        keep[sel] = False
        mm = m[r_out[sel]]
        row, a0, a1 = clip_outside(params.theatre, rule, seg.a[mm], seg.tangent[mm], s0[sel], s1[sel])
        parts.append((r_out[sel][row], a0, a1))
        # Windows allowed at their start by zone but inside the keep-out there.
        w = np.unique(r_out[sel])
        w = w[(reason[w] == 0)]
        if w.size:
            mw = m[w]
            q = seg.a[mw] * np.cos(s_a[w])[:, None] + seg.tangent[mw] * np.sin(s_a[w])[:, None]
            lon, lat = unit_to_lonlat(q)
            inside = inside_keepout(params.theatre, rule, np.asarray(lon), np.asarray(lat))
            reason[w[inside]] = why
    if not parts:
        return r_out, s0, s1
    r_new = np.concatenate([r_out[keep]] + [p[0] for p in parts])
    s0_new = np.concatenate([s0[keep]] + [p[1] for p in parts])
    s1_new = np.concatenate([s1[keep]] + [p[2] for p in parts])
    order = np.lexsort((s0_new, r_new))
    return r_new[order], s0_new[order], s1_new[order]


def host_permits(params, j: NDArray[np.int64], host: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Whether host nation ``host`` (index, ``-1`` for none) permits shooter ``j``'s
    nationality to intercept over it (``True`` where there is no host)."""
    perm = getattr(params, "host_permits", None)
    nat = getattr(params.shooters, "nationality", None)
    out = np.ones(np.broadcast(j, host).shape, bool)
    if perm is None or nat is None or perm.size == 0:
        return out
    over = host >= 0
    out[over] = perm[host[over], nat[j[over]]]
    return out


def _ew_exposure(params: EngineParams, raid: Raid, seg: Segments):
    """First entry of each threat into each EW site's coverage: (site, threat, t_enter)."""
    ew = params.ew
    z = np.zeros(0, dtype=np.int64)
    if ew is None or raid.size == 0:
        return z, z, np.zeros(0)
    seg_cls = params.threat_types.cls[raid.type_index[seg.threat]]

    def radius(m: NDArray[np.int64], k: NDArray[np.int64]) -> NDArray[np.float64]:
        return ew.radius_m[k, seg_cls[m]]

    m, k, t_in, _ = circle_windows(seg, ew.unit, float(ew.radius_m.max(initial=0.0)), radius)
    if m.size == 0:
        return z, z, np.zeros(0)
    i = seg.threat[m]
    pair = k * raid.size + i
    order = np.lexsort((t_in, pair))
    pair, t_in, k, i = pair[order], t_in[order], k[order], i[order]
    first = np.r_[True, pair[1:] != pair[:-1]]
    return k[first], i[first], t_in[first]
