r"""Sense: who sees each threat, when (statistical fidelity).

Each sensor covers each threat segment inside a circle (the full model's coverage: single-scan
:math:`P_d` above :data:`~skyshield.picture.measurement.PD_FLOOR`, capped by the 4/3-earth
radar horizon, widened by the orbit of an airborne sensor), and confirms a track only inside
two smaller circles calibrated per sensor kind and threat class against the full fidelity
(:mod:`skyshield.picture.quality`): after a geometric number of scans in the outer one, after
``min_scans`` scans in the inner one, and only while the threat is still inside.
When a threat enters and leaves each circle is a closed form
(:func:`~skyshield.engine.trajectory.circle_windows`); consecutive segments of one path inside
a circle count as one pass. The draws are counter-based, keyed by the sensor's name and the
threat's index, so a sensor added elsewhere changes nothing here.

The network picture of a side is the earliest confirmed track by any of its sensors
(shooters' own radars included). Allied tracks reach the defended network when the option
shares data (early warning or better) over the option's link: reported once per
``link_update_s``, arriving ``sharing_latency_s`` later, lost in outages or to jamming
(:mod:`skyshield.picture.network`); from the surveillance tier up the exchange is two-way.
``Picture.metrics`` carries ``gospa_m`` and the SIAP metrics of the defended picture from the
fast calibrated model; SIAP latency is measured from the coverage circle, as at full fidelity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from ..geo import EARTH_RADIUS_M
from ..picture.measurement import PD_FLOOR
from ..picture.metrics import eval_times, latency_s
from ..picture.network import link_into, side_pictures
from ..picture.quality import (CALIBRATION, FALLBACK_PD, Calibration, fast_picture_metrics, range_factor_at_pd,
                               table_column)
from ..rng import Streams, keyed_uniform
from ..sensors.radar import radar_horizon_m
from .params import ALLIED, DEFENDED, EngineParams
from .raid import Raid
from .trajectory import Segments, circle_windows

__all__ = ["Picture", "Sensing", "StatisticalSensing", "Coverage", "coverage", "effective_windows",
           "pair_draws", "geometric_scans", "first_confirmations", "CHUNK_THREATS", "threat_chunks",
           "segment_slice", "sensor_groups"]

F = NDArray[np.float64]
I = NDArray[np.int64]

_REACH_GROUP_OCTAVES = 1.0
"""Sensors whose reach is within this many doublings share one kd-tree search."""
CHUNK_THREATS = 4096
"""Threats sensed (and turned into opportunities) at a time. Everything per window is per
threat, so a chunk's dense intermediates (coverage rows, passes, candidate pairs) are freed
before the next chunk: peak memory follows the chunk, not the raid. Results do not depend on
it (tests/engine/test_chunking.py); ``None`` takes the whole raid at once."""


def threat_chunks(seg: Segments, chunk_threats: int | None = CHUNK_THREATS) -> list[tuple[int, int]]:
    """Segment ranges ``[lo, hi)`` of consecutive blocks of at most ``chunk_threats`` threats.

    Segments are stored in threat order, so a block of threats is a slice of segments; if
    they are not (or ``chunk_threats`` is ``None``), the whole raid is one range.
    """
    M = seg.threat.size
    th = seg.threat
    if chunk_threats is None or M == 0 or int(th[-1]) - int(th[0]) < chunk_threats or np.any(th[1:] < th[:-1]):
        return [(0, M)]
    cuts = np.searchsorted(th, np.arange(int(th[0]) + chunk_threats, int(th[-1]) + 1, chunk_threats))
    edges = np.unique(np.r_[0, cuts, M])
    return list(zip(edges[:-1].tolist(), edges[1:].tolist()))


def segment_slice(seg: Segments, lo: int, hi: int) -> Segments:
    """Segments ``lo:hi`` (views, no copy); threat indices and ``arrival_s`` stay global."""
    return Segments(threat=seg.threat[lo:hi], local=seg.local[lo:hi], t0_s=seg.t0_s[lo:hi], t1_s=seg.t1_s[lo:hi],
                    a=seg.a[lo:hi], tangent=seg.tangent[lo:hi], arc_rad=seg.arc_rad[lo:hi],
                    rate_rad_s=seg.rate_rad_s[lo:hi], alt_m=seg.alt_m[lo:hi], arrival_s=seg.arrival_s)


@dataclass(frozen=True)
class Picture:
    """First-detection times; ``inf`` where never detected."""

    by_sensor_key: NDArray[np.int64]  # (D,) sensor_row * N + threat, sorted
    by_sensor_t: NDArray[np.float64]  # (D,) earliest detection of that pair
    network_t: NDArray[np.float64]  # (2, N) side picture after sharing
    own_t: NDArray[np.float64]  # (2, N) side picture from its own sensors only
    n_threats: int
    metrics: dict[str, float] = field(default_factory=dict)  # air-picture metrics, if any

    def sensor_time(self, sensor_row: NDArray[np.int64], threat: NDArray[np.int64]) -> NDArray[np.float64]:
        """Earliest detection of ``threat`` by sensor ``sensor_row`` (``inf`` if none)."""
        key = sensor_row * self.n_threats + threat
        pos = np.searchsorted(self.by_sensor_key, key)
        pos_c = np.minimum(pos, max(self.by_sensor_key.size - 1, 0))
        found = (pos < self.by_sensor_key.size) & (self.by_sensor_key[pos_c] == key) if self.by_sensor_key.size else np.zeros(key.shape, bool)
        return np.where(found, self.by_sensor_t[pos_c] if self.by_sensor_key.size else np.inf, np.inf)


class Sensing(Protocol):
    """The sense phase: from flight paths to first-detection times per sensor and network."""

    def __call__(self, params: EngineParams, raid: Raid, seg: Segments, streams: Streams) -> Picture: ...


@dataclass(frozen=True)
class Coverage:
    """Coverage windows: one row per (segment, sensor) pair whose segment enters the circle."""

    m: I  # (W,) segment
    k: I  # (W,) sensor row
    thr: I  # (W,) threat
    t_in: F  # (W,) entry into the coverage circle, clipped to [0, duration]
    t_out: F  # (W,) exit
    r_ref_m: F  # (W,) R_k sigma^(1/4): the sensor's reference range scaled to the threat's RCS
    horizon_m: F  # (W,) 4/3-earth horizon between the sensor and the segment's altitude
    r_cov_m: F  # (W,) coverage radius (horizon-capped, orbit added)
    kind: I  # (W,) sensor kind (index into SENSOR_KINDS)
    cls: I  # (W,) threat class (index into THREAT_CLASSES)
    speed_mps: F  # (W,) threat speed on the segment
    half_pd_factor: F  # (W,) range factor at which single-scan P_d = 1/2 (fallback, holding circle)


def _models(params: EngineParams) -> tuple[I, F, I, F]:
    """Kind, P_fa, Swerling case and orbit radius per sensor row (defaults without models)."""
    sm, S = params.sensor_models, len(params.sensors.ids)
    if sm is None:
        return np.zeros(S, np.int64), np.full(S, 1e-6), np.ones(S, np.int64), np.zeros(S)
    return sm.kind, sm.pfa, sm.swerling, sm.orbit_radius_m


def sensor_groups(params: EngineParams, raid: Raid, seg: Segments) -> list[tuple[I, float]]:
    """Sensor rows searched together (similar reach), each with the group's greatest reach.

    Sensors are searched in groups of similar reach, so that a 6 km optical post is not
    paired with every segment within an AEW's 400 km. The reach is bounded over the whole
    raid, so that every chunk of it is searched alike.
    """
    sen, tt = params.sensors, params.threat_types
    _, pfa, swerling, orbit = _models(params)
    rcs4 = tt.rcs_m2[raid.type_index[seg.threat]] ** 0.25
    c_cov = range_factor_at_pd(PD_FLOOR, sen.pd_scan, pfa, swerling)
    reach = np.minimum(c_cov * sen.ref_range_m * float(np.max(rcs4, initial=0.0)),
                       radar_horizon_m(sen.height_m, float(np.max(seg.alt_m, initial=0.0)))) + orbit
    group = np.floor(np.log2(np.maximum(reach, 1.0)) / _REACH_GROUP_OCTAVES).astype(np.int64)
    out = []
    for g in np.unique(group):
        rows = np.flatnonzero(group == g)
        out.append((rows, float(reach[rows].max())))
    return out


def coverage(params: EngineParams, raid: Raid, seg: Segments,
             groups: list[tuple[I, float]] | None = None) -> Coverage:
    """The coverage windows of every sensor over the raid (the full model's circles).

    ``groups`` (:func:`sensor_groups` of the whole raid) when ``seg`` is a chunk of it.
    """
    sen, tt = params.sensors, params.threat_types
    kind, pfa, swerling, orbit = _models(params)
    rcs4 = tt.rcs_m2[raid.type_index[seg.threat]] ** 0.25
    c_cov = range_factor_at_pd(PD_FLOOR, sen.pd_scan, pfa, swerling)
    c_half = range_factor_at_pd(FALLBACK_PD, sen.pd_scan, pfa, swerling)
    parts = []
    for rows, reach in (sensor_groups(params, raid, seg) if groups is None else groups):

        def radius(m: I, j: I, rows: I = rows) -> F:
            k = rows[j]
            return np.minimum(c_cov[k] * sen.ref_range_m[k] * rcs4[m],
                              radar_horizon_m(sen.height_m[k], seg.alt_m[m])) + orbit[k]

        gm, gj, gi, go = circle_windows(seg, sen.unit[rows], reach, radius)
        parts.append((gm, rows[gj], gi, go))
    m, k, t_in, t_out = (np.concatenate(c) for c in zip(*parts)) if parts else (
        np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
    t_in = np.maximum(t_in, 0.0)
    t_out = np.minimum(t_out, params.duration_s)
    ok = t_out > t_in
    m, k, t_in, t_out = m[ok], k[ok], t_in[ok], t_out[ok]
    thr = seg.threat[m]
    r_ref = sen.ref_range_m[k] * rcs4[m]
    hor = radar_horizon_m(sen.height_m[k], seg.alt_m[m])
    return Coverage(m, k, thr, t_in, t_out, r_ref, hor, np.minimum(c_cov[k] * r_ref, hor) + orbit[k],
                    kind[k], tt.cls[raid.type_index[thr]], seg.rate_rad_s[m] * EARTH_RADIUS_M, c_half[k])


def effective_windows(params: EngineParams, seg: Segments, cov: Coverage, factor: F) -> tuple[I, F, F]:
    """Passes through the circle of radius ``min(factor * r_ref, horizon, r_cov)``.

    ``factor`` is per coverage row. Consecutive segments of one threat inside the circle of
    one sensor merge into one pass. Returns ``(row, t_a, t_b)``: the coverage row of the
    pass's first segment (its sensor and threat), entry and exit.
    """
    r = np.minimum(np.minimum(factor * cov.r_ref_m, cov.horizon_m), cov.r_cov_m)
    live = np.flatnonzero(r > 0)
    m, k = cov.m[live], cov.k[live]
    c = params.sensors.unit[k]
    A = np.einsum("ij,ij->i", c, seg.a[m])
    B = np.einsum("ij,ij->i", c, seg.tangent[m])
    C = np.hypot(A, B)
    cos_rho = np.cos(r[live] / EARTH_RADIUS_M)
    ok = C > cos_rho
    half = np.arccos(np.clip(cos_rho / np.where(ok, C, 1.0), -1.0, 1.0))
    phi = np.arctan2(B, A)
    rate = seg.rate_rad_s[m]
    a = np.maximum(seg.t0_s[m] + np.maximum(phi - half, 0.0) / rate, 0.0)
    b = np.minimum(seg.t0_s[m] + np.minimum(phi + half, seg.arc_rad[m]) / rate, params.duration_s)
    ok &= b > a
    row, a, b = live[ok], a[ok], b[ok]
    if row.size == 0:
        return row, a, b
    # Merge touching passes of one (sensor, threat): a waypoint inside the circle is no new pass.
    pair = cov.k[row] * (int(cov.thr.max()) + 1) + cov.thr[row]
    order = np.lexsort((a, pair))
    row, a, b, pair = row[order], a[order], b[order], pair[order]
    new = np.r_[True, (pair[1:] != pair[:-1]) | (a[1:] > b[:-1] + 1e-6)]
    start = np.flatnonzero(new)
    return row[start], a[start], np.maximum.reduceat(b, start)


def pair_draws(params: EngineParams, cov: Coverage, key: int) -> tuple[F, F]:
    """Per coverage row, the pair's uniforms: ``u`` (geometric wait) and ``phase`` (scan).

    Keyed by the sensor's name and the threat's index: one draw per (sensor, threat) pair,
    whichever segments of the path a pass spans.
    """
    sk = params.sensors.key[cov.k]
    return keyed_uniform(key, sk, cov.thr), keyed_uniform(key, sk + np.int64(1 << 33), cov.thr)


def geometric_scans(u: F, q: F) -> F:
    """Failures before the first success of per-scan probability ``q``, by inversion of ``u``."""
    qc = np.clip(q, 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        n = np.floor(np.log(u) / np.log1p(-np.minimum(qc, 1 - 1e-12)))
    # a wait of more than 1e15 scans (a per-scan probability near the smallest doubles) never
    # ends within any night: infinite, so that later products with the revisit cannot overflow
    n = np.where(n > 1e15, np.inf, n)
    return np.where(qc >= 1.0, 0.0, np.where(qc <= 0.0, np.inf, n))


def first_confirmations(params: EngineParams, cov: Coverage, row: I, t_a: F, t_b: F, wait_scans: F,
                        pair_of_row: I, n_pairs: int) -> F:
    r"""Earliest confirmation per pair: passes ``row`` entered at ``t_a`` and left at ``t_b``,
    confirmed :math:`T \cdot` ``wait_scans`` after entry if that is before ``t_b``.

    ``wait_scans`` may carry a trailing axis (several waits at once, for calibration).
    ``pair_of_row`` maps each coverage row to its pair; returns ``(n_pairs, ...)`` (``inf``: none).
    """
    T = params.sensors.revisit_s[cov.k[row]]
    if np.ndim(wait_scans) > 1:
        T, t_a, t_b = T[:, None], t_a[:, None], t_b[:, None]
    t_c = t_a + T * wait_scans
    t_c = np.where(t_c <= t_b, t_c, np.inf)
    out = np.full((n_pairs, *t_c.shape[1:]), np.inf)
    np.minimum.at(out, pair_of_row[row], t_c)
    return out


class StatisticalSensing:
    """Confirmed tracks from calibrated coverage circles (the ``statistical`` fidelity).

    Parameters
    ----------
    calibration
        Constants of the fast model (:mod:`skyshield.picture.quality`).
    metrics
        Whether to score the picture (GOSPA, SIAP) with the fast model.
    eval_dt_s
        Spacing of the evaluation times of the picture metrics.
    chunk_threats
        Threats sensed at a time (:data:`CHUNK_THREATS`; ``None``: all at once). Bounds the
        memory of a large raid; the picture does not depend on it.
    """

    def __init__(self, calibration: Calibration = CALIBRATION, metrics: bool = True,
                 eval_dt_s: float = 60.0, chunk_threats: int | None = CHUNK_THREATS) -> None:
        self.calibration = calibration
        self.metrics = metrics
        self.eval_dt_s = eval_dt_s
        self.chunk_threats = chunk_threats

    def __call__(self, params: EngineParams, raid: Raid, seg: Segments, streams: Streams) -> Picture:
        n = raid.size
        sen = params.sensors
        groups = sensor_groups(params, raid, seg)
        key = streams.key("sensors")
        feeds = (sen.side == DEFENDED) | ((sen.side == ALLIED) & (params.sharing_level >= 1))
        first_cover = np.full(n, np.inf)
        found: list[tuple[I, F]] = []
        held: list[tuple[I, F, F]] = []
        for lo, hi in threat_chunks(seg, self.chunk_threats):
            sub = seg if (lo, hi) == (0, seg.threat.size) else segment_slice(seg, lo, hi)
            cov = coverage(params, raid, sub, groups)
            found.append(self._confirmed(params, sub, cov, key, n))
            if self.metrics:
                # A confirmed track is held while detections keep coming: inside the P_d = 1/2 circle.
                row, t_a, t_b = effective_windows(params, sub, cov, cov.half_pd_factor)
                sel = feeds[cov.k[row]]
                held.append((cov.thr[row[sel]], t_a[sel], t_b[sel]))
                fc = feeds[cov.k]
                np.minimum.at(first_cover, cov.thr[fc], cov.t_in[fc])
            del cov
        by_key, by_t = (np.concatenate(x) for x in zip(*found))
        if len(found) > 1:  # chunks hold disjoint threats: sort their pairs as one raid's
            order = np.argsort(by_key)
            by_key, by_t = by_key[order], by_t[order]
        own, net = side_pictures(params, by_key, by_t, n, link_into(params, streams))
        metrics = {}
        if self.metrics:
            thr, t_a, t_b = (np.concatenate(x) for x in zip(*held))
            metrics = self._metrics(params, raid, seg, own, net, thr, t_a, t_b, first_cover)
        return Picture(by_key, by_t, net, own, n, metrics)

    def _confirmed(self, params: EngineParams, seg: Segments, cov: Coverage, key: int, n: int) -> tuple[I, F]:
        """Sorted pair keys ``sensor_row * n + threat`` and first confirmation of the pairs
        of ``cov`` that confirm a track."""
        cal = self.calibration
        col = table_column(cov.cls, cov.speed_mps, cal.max_speed_mps)
        f = cal.factor_table()[cov.kind, col]
        f = np.where(np.isnan(f), cov.half_pd_factor, f)
        q = cal.confirm_table()[cov.kind, col]
        q = np.where(np.isnan(q), params.sensors.pd_scan[cov.k], q)
        g = np.nan_to_num(cal.inner_table()[cov.kind, col], nan=1.0)
        u, phase = pair_draws(params, cov, key)
        pair = cov.k * n + cov.thr
        keys, pid = np.unique(pair, return_inverse=True)
        pid = pid.ravel()
        # Outer circle: a geometric wait; inner circle: min_scans. Never after the threat left.
        row, t_a, t_b = effective_windows(params, seg, cov, f)
        first = first_confirmations(params, cov, row, t_a, t_b,
                                    phase[row] + cal.min_scans + geometric_scans(u[row], q[row]), pid, keys.size)
        row_i, a_i, b_i = effective_windows(params, seg, cov, g)
        first = np.minimum(first, first_confirmations(params, cov, row_i, a_i, b_i,
                                                      phase[row_i] + cal.min_scans, pid, keys.size))
        hit = np.isfinite(first)
        return keys[hit], first[hit]

    def _metrics(self, params: EngineParams, raid: Raid, seg: Segments, own: F, net: F,
                 thr: I, t_a: F, t_b: F, first_cover: F) -> dict[str, float]:
        """GOSPA and SIAP of the defended picture from the fast calibrated model: ``thr``,
        ``t_a``, ``t_b`` are the holding-circle passes of the sensors feeding it,
        ``first_cover`` each threat's first entry into their coverage."""
        n = raid.size
        grid = eval_times(seg, params.duration_s, self.eval_dt_s)
        launch = np.full(n, np.inf)
        np.minimum.at(launch, seg.threat, seg.t0_s)
        ew = np.zeros(n)
        if params.sharing_level == 1:
            ew = (~np.isfinite(own[DEFENDED]) | (own[DEFENDED] > seg.arrival_s)).astype(float)
        out = fast_picture_metrics(grid, launch, seg.arrival_s, net[DEFENDED], thr, t_a, t_b, ew, self.calibration)
        out["siap_latency_s"] = latency_s(first_cover, net[DEFENDED], seg.arrival_s)
        return out
