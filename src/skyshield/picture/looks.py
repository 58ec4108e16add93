r"""Looks of a block of scans in compiled code: geometry, detection, noise (the same draws).

:func:`~skyshield.picture.nodes.run_nodes` simulates a block of looks (sensor, threat, scan)
as follows: where the sensor and the threat are (:func:`~skyshield.picture.frames.sensor_units`,
:func:`~skyshield.engine.trajectory.positions_at`), the slant range, azimuth and elevation
(:func:`~skyshield.picture.frames.polar_from`), the single-scan :math:`P_d`
(:func:`~skyshield.picture.measurement.pd_at_range`, zero beyond the radar horizon), the
detection draw, then for the detections the noisy polar measurement
(:func:`~skyshield.picture.measurement.keyed_normal`) mapped back to the ground
(:func:`~skyshield.picture.frames.unit_from_polar`) and into the theatre plane.

In NumPy each of these steps makes several temporary arrays of the block's size; here one
compiled loop per look does the same computation with the same counter-based draws
(:func:`~skyshield.rng.keyed_uniform`'s SplitMix64 mixing in unsigned 64-bit integers, bit for
bit, in the same order per key). Two quantities are rearranged so that a look needs fewer
transcendental functions, exactly equal in real arithmetic: the linear SNR is
:math:`\mathrm{SNR}_{lin}(R_0)\,(R_0/r)^4` with :math:`\mathrm{SNR}_{lin}(R_0)` computed once
per coverage window (not :math:`10^{(\ldots + 40\log_{10}(R_0/r))/10}` per look), and the
horizon test compares the cosine of the ground angle with that of the horizon's (not the arc
cosine with the angle). Azimuth and elevation are computed for detections only. Results agree
with the NumPy path to a few units in the last place, not bit for bit; a detection or horizon
decision could differ only where a uniform draw or a ground angle falls within about
:math:`10^{-15}` of its threshold (probability about :math:`10^{-15}` per look).
``tests/picture/test_looks.py`` checks the kernels against the NumPy path
(``NodeConfig(compiled=False)``) look by look; ``tests/picture/test_nodes_compiled.py`` checks a
whole run against the frozen outputs of commit 913e546.

Swerling cases 1 to 4 (closed forms) are evaluated in the loop; cases 0 and 5 (Marcum Q, via
SciPy) are filled in by :func:`~skyshield.picture.measurement.pd_at_range` on their looks.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

from ..geo import EARTH_RADIUS_M
from ..sensors.radar import radar_horizon_m
from .measurement import pd_at_range

__all__ = ["keyed_uniform_nb", "LookTables", "look_pd", "detections"]

F = NDArray[np.float64]
I = NDArray[np.int64]

_JIT = {"cache": True, "nogil": True}
_R = EARTH_RADIUS_M
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_ONE = np.uint64(1)


@numba.njit(**_JIT)
def _mix(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@numba.njit(**_JIT)
def keyed_uniform_nb(key, stream, index):
    """:func:`~skyshield.rng.keyed_uniform` of one ``(key, stream, index)``, bit for bit."""
    s = np.uint64(stream)
    i = np.uint64(index)
    z = _mix(np.uint64(key) ^ _mix(s * _GOLDEN + _ONE))
    z = _mix(z + (i + _ONE) * _GOLDEN)
    return (np.float64(z >> _S11) + 0.5) * (1.0 / 9007199254740992.0)


@numba.njit(**_JIT)
def _keyed_normal(key, stream, index):
    u1 = keyed_uniform_nb(key, stream, index)
    u2 = keyed_uniform_nb(key, stream + (1 << 34), index)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


@numba.njit(**_JIT)
def _sensor_frame(k, t, unit, orbit_radius_m, orbit_period_s, phase, cos_a, sin_a, east_row, north_row, out):
    """Sensor ``k``'s unit position and east, north axes at ``t`` into ``out`` (3, 3)
    (:func:`~skyshield.picture.frames.sensor_units` and :func:`~skyshield.picture.frames.east_north`;
    ``cos_a``, ``sin_a``: of the orbit's angular radius)."""
    if orbit_radius_m[k] == 0.0:
        for c in range(3):
            out[0, c] = unit[k, c]
            out[1, c] = east_row[k, c]
            out[2, c] = north_row[k, c]
        return
    th = phase[k] + 2.0 * np.pi * t / max(orbit_period_s[k], 1.0)
    ct, st, ca, sa = np.cos(th), np.sin(th), cos_a[k], sin_a[k]
    for c in range(3):
        off = east_row[k, c] * ct + north_row[k, c] * st
        out[0, c] = unit[k, c] * ca + off * sa
    s0, s1, s2 = out[0, 0], out[0, 1], out[0, 2]
    # east = z x s normalised, north = s x east
    e0, e1, e2 = -s1, s0, 0.0
    nrm = max(np.sqrt(e0 * e0 + e1 * e1 + e2 * e2), 1e-15)
    e0, e1, e2 = e0 / nrm, e1 / nrm, e2 / nrm
    out[1, 0], out[1, 1], out[1, 2] = e0, e1, e2
    out[2, 0] = s1 * e2 - s2 * e1
    out[2, 1] = s2 * e0 - s0 * e2
    out[2, 2] = s0 * e1 - s1 * e0


@numba.njit(**_JIT)
def _target(m, t, seg_t0, seg_rate, seg_arc, seg_a, seg_tan, u):
    s = min(max((t - seg_t0[m]) * seg_rate[m], 0.0), seg_arc[m])
    cs, sn = np.cos(s), np.sin(s)
    for c in range(3):
        u[c] = seg_a[m, c] * cs + seg_tan[m, c] * sn


@numba.njit(**_JIT)
def _look_pd_kernel(lk, lm, lw, t, unit, height_m, orbit_radius_m, orbit_period_s, phase, cos_a, sin_a, east_row,
                    north_row, ref_range_m, w_snr_lin, w_cos_hor, thr_pfa, swerling, seg_t0, seg_rate, seg_arc,
                    seg_a, seg_tan, seg_alt, r_out, d_out):
    n = lk.shape[0]
    pd = np.empty(n)
    fr = np.empty((3, 3))
    u = np.empty(3)
    for i in range(n):
        k, m, w = lk[i], lm[i], lw[i]
        _sensor_frame(k, t[i], unit, orbit_radius_m, orbit_period_s, phase, cos_a, sin_a, east_row, north_row, fr)
        _target(m, t[i], seg_t0, seg_rate, seg_arc, seg_a, seg_tan, u)
        ht, hs = _R + seg_alt[m], _R + height_m[k]
        d0 = ht * u[0] - hs * fr[0, 0]
        d1 = ht * u[1] - hs * fr[0, 1]
        d2 = ht * u[2] - hs * fr[0, 2]
        r = np.sqrt(d0 * d0 + d1 * d1 + d2 * d2)
        r_out[i] = r
        d_out[i, 0], d_out[i, 1], d_out[i, 2] = d0, d1, d2
        # beyond the radar horizon (ground angle above hor / R) nothing is seen
        if not fr[0, 0] * u[0] + fr[0, 1] * u[1] + fr[0, 2] * u[2] >= w_cos_hor[w]:
            pd[i] = 0.0
            continue
        sw = swerling[k]
        if sw == 1 or sw == 2 or sw == 3 or sw == 4:
            q = ref_range_m[k] / max(r, 1.0)
            x = w_snr_lin[w] * ((q * q) * (q * q))
            th = thr_pfa[k]
            if sw <= 2:
                p = np.exp(-th / (1.0 + x))
            else:
                a = 0.5 * x
                p = np.exp(-th / (1.0 + a)) * (1.0 + a * th / (1.0 + a) ** 2)
            pd[i] = min(max(p, 0.0), 1.0)
        else:
            pd[i] = np.nan  # Marcum Q: filled in by NumPy/SciPy
    return pd


class LookTables:
    """What the kernels need of the sensors, computed once per run."""

    def __init__(self, sen, mod, phase: F, east_row: F, north_row: F, snr0: F, seg, rcs_m2: F, plane) -> None:
        self.sen, self.mod, self.seg, self.plane, self.snr0, self.rcs = sen, mod, seg, plane, snr0, rcs_m2
        self.phase, self.east_row, self.north_row = phase, east_row, north_row
        a = mod.orbit_radius_m / _R
        self.cos_a, self.sin_a = np.cos(a), np.sin(a)
        self.thr_pfa = -np.log(mod.pfa)  # detection.detection_threshold
        self.swerling = np.asarray(mod.swerling, np.int64)
        self.key = np.asarray(sen.key, np.int64)

    def windows(self, wm: I, wk: I) -> tuple[F, F]:
        """Per coverage window (segment ``wm``, sensor ``wk``): the linear SNR of the threat at
        the reference range, and the cosine of the radar horizon's ground angle."""
        sen, seg = self.sen, self.seg
        snr_lin = 10.0 ** ((self.snr0[wk] + 10.0 * np.log10(self.rcs[wm])) / 10.0)
        hor = radar_horizon_m(sen.height_m[wk], seg.alt_m[wm])
        return snr_lin, np.cos(np.minimum(hor / _R, np.pi))


def look_pd(tab: LookTables, win: tuple[F, F], lk: I, lm: I, lw: I, t: F) -> tuple[F, F, F]:
    """Single-scan :math:`P_d` of looks ``(sensor row lk, segment lm, time t)`` in windows ``lw``
    (of :meth:`LookTables.windows` ``win``), 0 beyond the horizon; the looks' slant ranges and
    line-of-sight vectors (m, earth-centred)."""
    sen, mod, seg = tab.sen, tab.mod, tab.seg
    r, d = np.empty(lk.size), np.empty((lk.size, 3))
    pd = _look_pd_kernel(lk, lm, lw, t, sen.unit, sen.height_m, mod.orbit_radius_m, mod.orbit_period_s, tab.phase,
                         tab.cos_a, tab.sin_a, tab.east_row, tab.north_row, sen.ref_range_m, win[0], win[1],
                         tab.thr_pfa, tab.swerling, seg.t0_s, seg.rate_rad_s, seg.arc_rad, seg.a, seg.tangent,
                         seg.alt_m, r, d)
    mq = np.isnan(pd)
    if mq.any():
        k = lk[mq]
        pd[mq] = pd_at_range(r[mq], tab.rcs[lm[mq]], sen.ref_range_m[k], tab.snr0[k], mod.pfa[k], mod.swerling[k])
    return pd, r, d


@numba.njit(**_JIT)
def _detections_kernel(lk, t, idx, pd, r_l, d_l, key_det, key_noise, sen_key, unit, height_m,
                       orbit_radius_m, orbit_period_s, phase, cos_a, sin_a, east_row, north_row, range_sigma_m,
                       az_sigma_rad, el_sigma_rad, plane_e, plane_n):
    n = lk.shape[0]
    sel = np.empty(n, np.int64)
    nd = 0
    for i in range(n):
        if keyed_uniform_nb(key_det, sen_key[lk[i]], idx[i]) < pd[i]:
            sel[nd] = i
            nd += 1
    z = np.empty((nd, 2))
    fr = np.empty((3, 3))
    for q in range(nd):
        i = sel[q]
        k = lk[i]
        _sensor_frame(k, t[i], unit, orbit_radius_m, orbit_period_s, phase, cos_a, sin_a, east_row, north_row, fr)
        hs = _R + height_m[k]
        d0, d1, d2, r = d_l[i, 0], d_l[i, 1], d_l[i, 2], r_l[i]
        az = np.arctan2(d0 * fr[1, 0] + d1 * fr[1, 1] + d2 * fr[1, 2], d0 * fr[2, 0] + d1 * fr[2, 1] + d2 * fr[2, 2])
        el = np.arcsin(min(max((d0 * fr[0, 0] + d1 * fr[0, 1] + d2 * fr[0, 2]) / max(r, 1e-9), -1.0), 1.0))
        off = sen_key[k] + (1 << 36)
        r = abs(r + range_sigma_m[k] * _keyed_normal(key_noise, off, idx[i]))
        az = az + az_sigma_rad[k] * _keyed_normal(key_noise, off + (1 << 37), idx[i])
        el = el + el_sigma_rad[k] * _keyed_normal(key_noise, off + (1 << 38), idx[i])
        ce = np.cos(el)
        ae, an, au = r * (ce * np.sin(az)), r * (ce * np.cos(az)), r * np.sin(el)
        p0 = hs * fr[0, 0] + (ae * fr[1, 0] + an * fr[2, 0] + au * fr[0, 0])
        p1 = hs * fr[0, 1] + (ae * fr[1, 1] + an * fr[2, 1] + au * fr[0, 1])
        p2 = hs * fr[0, 2] + (ae * fr[1, 2] + an * fr[2, 2] + au * fr[0, 2])
        nrm = np.sqrt(p0 * p0 + p1 * p1 + p2 * p2)
        p0, p1, p2 = p0 / nrm, p1 / nrm, p2 / nrm
        z[q, 0] = _R * (p0 * plane_e[0] + p1 * plane_e[1] + p2 * plane_e[2])
        z[q, 1] = _R * (p0 * plane_n[0] + p1 * plane_n[1] + p2 * plane_n[2])
    return sel[:nd], z


def detections(tab: LookTables, lk: I, t: F, idx: I, pd: F, r: F, d: F, key_det: int,
               key_noise: int) -> tuple[I, F]:
    """Which looks detect (the draw ``keyed_uniform(key_det, sensor key, idx) < pd``) and their
    noisy plane positions ``(D, 2)``: the indices of the detecting looks, in order, and ``z``."""
    sen, mod = tab.sen, tab.mod
    return _detections_kernel(
        lk, t, idx, pd, r, d, np.uint64(key_det), np.uint64(key_noise), tab.key, sen.unit, sen.height_m,
        mod.orbit_radius_m, mod.orbit_period_s, tab.phase, tab.cos_a, tab.sin_a, tab.east_row, tab.north_row,
        mod.range_sigma_m, mod.az_sigma_rad, mod.el_sigma_rad, tab.plane.e, tab.plane.n)
