r"""Decide and engage: engagement opportunities, rules of engagement and the battle loop.

An *opportunity* is a (shooter, threat segment) pair whose envelope the threat crosses. Its
earliest intercept time is

.. math::

    t_i = \max\left(t_{in},\ t_{ready} + d(t_i)/v_{int}\right),\qquad
    t_{ready} = \max(t_{picture} + t_{reaction},\ t_{track}),

where :math:`t_{picture}` is the first warning in the shooter's network (so early warning
shortens the wait), :math:`t_{track}` the first detection by its own fire-control radar (or
the network picture, where the shooter may engage on remote tracks) and :math:`d/v_{int}` the
interceptor fly-out. The opportunity lapses if :math:`t_i` is after the threat leaves the
envelope.

The battle loop then takes opportunities in order of intercept time, the only part of the
night that is stepped: inventories, fire channels, salvoes and shoot-look-shoot interact
there. A threat already under fire is not engaged again until the result is known
(coordinated engagement through a shared picture). Kill draws are per threat and per
interceptor fired at it (common random numbers across options).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from ..geo import EARTH_RADIUS_M, Zone
from .params import ALLIED, DEFENDED, ROE_CODES, EngineParams
from .raid import Raid
from .sense import Picture
from .trajectory import Segments, circle_windows, lonlat_at, positions_at

__all__ = ["Opportunities", "find_opportunities", "Engagements", "GreedyBattle", "MAX_SHOTS", "LOOK_S"]

MAX_SHOTS = 32
"""Kill draws held per threat; a threat facing more interceptors reuses them cyclically."""
LOOK_S = 5.0
"""Kill assessment after an intercept before the next shot at the same threat (s)."""
_EPS_S = 1e-6
"""Time tolerance: ``(a + fly) - fly`` may round below ``a``; a retry must not re-trigger."""


@dataclass(frozen=True)
class Opportunities:
    shooter: NDArray[np.int64]  # (O,)
    threat: NDArray[np.int64]  # (O,)
    segment: NDArray[np.int64]  # (O,)
    t_first_s: NDArray[np.float64]  # (O,) earliest allowed intercept
    t_last_s: NDArray[np.float64]  # (O,) threat leaves the envelope (or the allowed zone)
    flyout_s: NDArray[np.float64]  # (O,)
    denied_roe: int  # opportunities ruled out by ROE alone


def _range_m(u1: NDArray[np.float64], u2: NDArray[np.float64]) -> NDArray[np.float64]:
    dot = np.clip(np.einsum("ij,ij->i", u1, u2), -1.0, 1.0)
    return EARTH_RADIUS_M * np.arccos(dot)


def find_opportunities(params: EngineParams, raid: Raid, seg: Segments, pic: Picture) -> Opportunities:
    sh = params.shooters
    tt = params.threat_types
    seg_cls = tt.cls[raid.type_index[seg.threat]]

    def radius(m: NDArray[np.int64], j: NDArray[np.int64]) -> NDArray[np.float64]:
        c = seg_cls[m]
        alt = seg.alt_m[m]
        inside = (alt >= sh.min_alt_m[j, c]) & (alt <= sh.max_alt_m[j, c])
        return np.where(inside, sh.max_range_m[j, c], 0.0)

    max_r = float(sh.max_range_m.max(initial=0.0))
    m, j, t_in, t_out = circle_windows(seg, sh.unit, max_r, radius)
    i = seg.threat[m]
    side = sh.side[j]
    t_pic = pic.network_t[side, i]
    t_fc = pic.sensor_time(sh.radar[j], i)
    remote = (side == ALLIED) | (params.sharing_level >= 3)
    t_track = np.where(remote, np.minimum(t_fc, t_pic), t_fc)
    t_ready = np.maximum(t_pic + sh.reaction_s[j], t_track)
    v = sh.interceptor_speed_mps[j]
    t_i = np.maximum(t_in, t_ready)
    for _ in range(2):  # fixed point of t_i = max(t_in, t_ready + d(t_i)/v)
        fly = _range_m(positions_at(seg, m, np.minimum(t_i, t_out)), sh.unit[j]) / v
        t_i = np.maximum(t_in, t_ready + fly)
    ok = np.isfinite(t_i) & (t_i <= t_out) & (t_i <= params.duration_s)
    m, j, i, t_i, t_out, fly = m[ok], j[ok], i[ok], t_i[ok], t_out[ok], fly[ok]

    # Rules of engagement for allied shooters.
    denied = 0
    roe = sh.roe[j]
    geo = roe == ROE_CODES["over-allied-territory"]
    if geo.any():
        g = np.flatnonzero(geo)
        n_s = 24
        frac = np.linspace(0.0, 1.0, n_s)
        ts = t_i[g, None] + (t_out[g] - t_i[g])[:, None] * frac[None, :]
        lon, lat = lonlat_at(seg, np.repeat(m[g], n_s), ts.ravel())
        allied = (params.theatre.classify(lon, lat) == Zone.ALLIED).reshape(-1, n_s)
        any_ok = allied.any(axis=1)
        first = np.argmax(allied, axis=1)
        last = n_s - 1 - np.argmax(allied[:, ::-1], axis=1)
        t_i[g] = np.where(any_ok, ts[np.arange(g.size), first], t_i[g])
        t_out[g] = np.where(any_ok, ts[np.arange(g.size), last], t_out[g])
        bad = g[~any_ok]
        denied += int(bad.size)
        keep = np.ones(m.size, bool)
        keep[bad] = False
        m, j, i, t_i, t_out, fly = m[keep], j[keep], i[keep], t_i[keep], t_out[keep], fly[keep]
    path = sh.roe[j] == ROE_CODES["path-crosses-allied"]
    if path.any():
        crosses = _path_crosses_allied(params, seg, raid.size)
        bad = path & ~crosses[i]
        denied += int(bad.sum())
        keep = ~bad
        m, j, i, t_i, t_out, fly = m[keep], j[keep], i[keep], t_i[keep], t_out[keep], fly[keep]
    order = np.lexsort((j, i, t_i))
    return Opportunities(j[order], i[order], m[order], t_i[order], t_out[order], fly[order], denied)


def _path_crosses_allied(params: EngineParams, seg: Segments, n: int) -> NDArray[np.bool_]:
    """Whether each threat's whole path passes over allied territory (sampled densely)."""
    n_s = 16
    frac = np.linspace(0.0, 1.0, n_s)
    ts = seg.t0_s[:, None] + (seg.t1_s - seg.t0_s)[:, None] * frac[None, :]
    lon, lat = lonlat_at(seg, np.repeat(np.arange(seg.t0_s.size), n_s), ts.ravel())
    allied = (params.theatre.classify(lon, lat) == Zone.ALLIED).reshape(-1, n_s).any(axis=1)
    out = np.zeros(n, bool)
    np.logical_or.at(out, seg.threat, allied)
    return out


@dataclass(frozen=True)
class Engagements:
    """Every salvo fired, in firing order."""

    shooter: NDArray[np.int64]  # (E,)
    threat: NDArray[np.int64]  # (E,)
    segment: NDArray[np.int64]  # (E,)
    t_fire_s: NDArray[np.float64]  # (E,)
    t_intercept_s: NDArray[np.float64]  # (E,)
    n_interceptors: NDArray[np.int64]  # (E,)
    killed: NDArray[np.bool_]  # (E,)


class BattlePolicy(Protocol):
    def __call__(
        self, params: EngineParams, raid: Raid, opp: Opportunities, kill_u: NDArray[np.float64]
    ) -> Engagements: ...


class GreedyBattle:
    """Earliest-intercept-first battle management with shoot-look-shoot.

    Each opportunity, at its turn, fires one salvo if the threat is alive and not already
    under fire, the shooter has rounds and a free fire channel; a surviving threat can be
    engaged again by any shooter after :data:`LOOK_S` while it stays in an envelope.
    """

    def __call__(
        self, params: EngineParams, raid: Raid, opp: Opportunities, kill_u: NDArray[np.float64]
    ) -> Engagements:
        sh = params.shooters
        cls = params.threat_types.cls[raid.type_index]
        inv = sh.inventory.tolist()
        channels = [[-np.inf] * int(c) for c in sh.fire_channels.tolist()]
        pk = sh.pk.tolist()
        salvo = sh.salvo.tolist()
        cls_l = cls.tolist()
        ku = kill_u.tolist()
        alive = [True] * raid.size
        busy = [-np.inf] * raid.size
        shots = [0] * raid.size
        heap = list(
            zip(opp.t_first_s.tolist(), range(opp.shooter.size), opp.shooter.tolist(),
                opp.threat.tolist(), opp.t_last_s.tolist(), opp.flyout_s.tolist(), opp.segment.tolist())
        )
        heapq.heapify(heap)
        seq = len(heap)
        out: list[tuple[int, int, int, float, float, int, bool]] = []
        push = heapq.heappush
        pop = heapq.heappop
        while heap:
            t, _, j, i, t_last, fly, m = pop(heap)
            if not alive[i] or inv[j] <= 0:
                continue
            if t - fly < busy[i] + LOOK_S - _EPS_S:  # the last salvo's result is not known yet
                nt = busy[i] + LOOK_S + fly
                if nt <= t_last:
                    seq += 1
                    push(heap, (nt, seq, j, i, t_last, fly, m))
                continue
            ch = channels[j]
            c = min(range(len(ch)), key=ch.__getitem__)
            t_fire = t - fly
            if ch[c] > t_fire + _EPS_S:  # every channel busy: next free one
                nt = ch[c] + fly
                if nt <= t_last:
                    seq += 1
                    push(heap, (nt, seq, j, i, t_last, fly, m))
                continue
            c_i = cls_l[i]
            n = min(salvo[j][c_i], inv[j])
            inv[j] -= n
            ch[c] = t
            p = pk[j][c_i]
            k = shots[i]
            row = ku[i]
            killed = any(row[(k + q) % MAX_SHOTS] < p for q in range(n))
            shots[i] = k + n
            out.append((j, i, m, t_fire, t, n, killed))
            if killed:
                alive[i] = False
            else:
                busy[i] = t
                nt = t + LOOK_S + fly
                if nt <= t_last:
                    seq += 1
                    push(heap, (nt, seq, j, i, t_last, fly, m))
        if not out:
            z = np.zeros(0, dtype=np.int64)
            return Engagements(z, z, z, np.zeros(0), np.zeros(0), z, np.zeros(0, bool))
        j_, i_, m_, tf, ti, n_, k_ = zip(*out)
        return Engagements(
            np.array(j_, dtype=np.int64), np.array(i_, dtype=np.int64), np.array(m_, dtype=np.int64),
            np.array(tf), np.array(ti), np.array(n_, dtype=np.int64), np.array(k_, dtype=bool),
        )
