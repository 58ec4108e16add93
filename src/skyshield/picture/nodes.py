r"""Sensor nodes at full fidelity: looks, detections, noise, false alarms, one tracker per node.

Only scans during which some threat is inside a sensor's coverage circle (the closed-form
windows of :func:`~skyshield.engine.trajectory.circle_windows`, radius where :math:`P_d`
falls to :data:`~skyshield.picture.measurement.PD_FLOOR`, capped by the radar horizon) are
simulated, plus a short tail so that tracks are deleted when their targets leave.

Sensors of one revisit class scan in step (scan :math:`j` at :math:`jT`). Their trackers are
batched into one :class:`~skyshield.tracking.Tracker` whose nodes live in disjoint copies of
the theatre plane (node :math:`i` shifted by :math:`i \cdot 10^7` m), so that gating never
crosses nodes: each node is tracked on its own. The class's NCV tracker runs in the compiled
scan loop of :class:`~skyshield.tracking.scans.ScanRunner`, a block of scans per call (the same
tracks as :class:`~skyshield.tracking.Tracker` scan by scan, which ``NodeConfig(compiled=False)``
and the IMM still use). Looks are generated for blocks of about :data:`LOOKS_PER_BLOCK` looks,
in compiled code (:mod:`~skyshield.picture.looks`; NumPy with ``NodeConfig(compiled=False)``).
The tracker's isotropic measurement noise is the class's largest converted-measurement
standard deviation :math:`\sqrt{(\sigma_r^2 + (r_{typ}\sigma_{az})^2)/2}`.

Each local track is labelled with the threat (or false alarm) that gave its birth
detection; the first confirmation of a track born on threat :math:`i` at node :math:`k` is
node :math:`k`'s first detection of :math:`i` in the picture.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..engine.params import EngineParams
from ..engine.raid import Raid
from ..engine.trajectory import Segments, circle_windows, positions_at
from ..geo import EARTH_RADIUS_M
from ..rng import Streams, keyed_uniform
from ..sensors.radar import radar_horizon_m
from ..tracking import Tracker, TrackerParams
from ..tracking.scans import ScanRunner
from .frames import Plane, east_north, polar_from, sensor_units, unit_from_polar
from .looks import LookTables, detections, look_pd
from .measurement import coverage_range_m, floor_snr_db, keyed_normal, pd_at_range, poisson_from_uniform, reference_snr_db

__all__ = ["NodeConfig", "LocalTracks", "NodeResult", "run_nodes", "coverage_windows"]

F = NDArray[np.float64]
I = NDArray[np.int64]

NODE_OFFSET_M = 1.0e7
LOOKS_PER_BLOCK = 100_000
"""Scans are simulated in blocks of about this many looks (sensor, threat, scan): big enough
that NumPy's per-call cost is amortised, small enough to bound the memory of a block."""


@dataclass(frozen=True)
class NodeConfig:
    """Tracker settings shared by the nodes (per class only the noise differs)."""

    q_m2ps3: float = 1.0
    gate: float = 4.0
    init_vel_sigma_mps: float = 300.0
    motion: str = "cv"  # "imm" for manoeuvring threats (CV + coordinated turns)
    compiled: bool = True  # compiled looks (picture.looks) and NCV trackers (tracking.scans); same tracks


@dataclass(frozen=True)
class LocalTracks:
    """Confirmed local tracks of many nodes at one snapshot."""

    node: I  # (K,) sensor row
    track_id: I  # (K,) id within its class tracker
    x: F  # (K, 4) [x, vx, y, vy], theatre plane
    P: F  # (K, 4, 4)
    t_s: F  # (K,) time of the state

    @staticmethod
    def empty() -> "LocalTracks":
        z = np.zeros(0, np.int64)
        return LocalTracks(z, z, np.zeros((0, 4)), np.zeros((0, 4, 4)), np.zeros(0))

    @staticmethod
    def concat(parts: list["LocalTracks"]) -> "LocalTracks":
        if not parts:
            return LocalTracks.empty()
        return LocalTracks(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                             ("node", "track_id", "x", "P", "t_s")))


@dataclass(frozen=True)
class NodeResult:
    first_key: I  # (D,) sensor_row * N + threat, sorted: first confirmed track
    first_t: F  # (D,)
    snapshots: dict[float, LocalTracks]
    win_k: I  # coverage windows: sensor row
    win_thr: I  # threat
    win_in: F  # entry time
    win_out: F  # exit time
    active_node_scans: F  # (S,) scans simulated per sensor row
    false_confirmed: F  # (S,) confirmed tracks born on false alarms, per sensor row


def coverage_windows(params: EngineParams, raid: Raid, seg: Segments):
    """Coverage windows (segment, sensor, t_in, t_out) of the full model, and helpers."""
    sen, mod = params.sensors, params.sensor_models
    rcs = params.threat_types.rcs_m2[raid.type_index[seg.threat]]
    snr0 = reference_snr_db(sen.pd_scan, mod.pfa, mod.swerling)
    floor = floor_snr_db(mod.pfa, mod.swerling)

    def radius(m: I, k: I) -> F:
        cov = coverage_range_m(rcs[m], sen.ref_range_m[k], snr0[k], mod.pfa[k], mod.swerling[k], floor[k])
        return np.minimum(cov, radar_horizon_m(sen.height_m[k], seg.alt_m[m])) + mod.orbit_radius_m[k]

    hi = float(np.max(sen.ref_range_m * 4.0 + mod.orbit_radius_m, initial=0.0))
    hi = min(hi, float(radar_horizon_m(np.max(sen.height_m, initial=0.0), np.max(seg.alt_m, initial=0.0))
                       + np.max(mod.orbit_radius_m, initial=0.0)))
    m, k, t_in, t_out = circle_windows(seg, sen.unit, hi, radius)
    t_in = np.maximum(t_in, 0.0)
    t_out = np.minimum(t_out, params.duration_s)
    ok = t_out > t_in
    return m[ok], k[ok], t_in[ok], t_out[ok], rcs, snr0


def _class_params(cfg: NodeConfig, params: EngineParams, rows: I) -> TrackerParams:
    sen, mod = params.sensors, params.sensor_models
    r_typ = 0.5 * sen.ref_range_m[rows] * 0.05**0.25 * 1.5
    sig = np.sqrt((mod.range_sigma_m[rows] ** 2 + (r_typ * mod.az_sigma_rad[rows]) ** 2) / 2.0)
    return TrackerParams(q_m2ps3=cfg.q_m2ps3, meas_sigma_m=float(sig.max()), gate=cfg.gate,
                         init_vel_sigma_mps=cfg.init_vel_sigma_mps, motion=cfg.motion)


def run_nodes(params: EngineParams, raid: Raid, seg: Segments, streams: Streams, plane: Plane,
              snap_times: F, cfg: NodeConfig = NodeConfig()) -> NodeResult:
    """Simulate every sensor node's scans, detections and tracker over the raid."""
    sen, mod = params.sensors, params.sensor_models
    n = raid.size
    S = len(sen.ids)
    m, k, t_in, t_out, rcs, snr0 = coverage_windows(params, raid, seg)
    k_det, k_noise, k_fa = streams.key("picture/detect"), streams.key("picture/noise"), streams.key("picture/false-alarms")
    phase = keyed_uniform(streams.key("picture/orbit"), sen.key, 0) * 2 * np.pi
    fa_radius = np.minimum(sen.ref_range_m * 0.05**0.25 * 1.5, radar_horizon_m(sen.height_m, 500.0)) + mod.orbit_radius_m
    station_xy = plane.xy(sen.unit)
    east_row, north_row = east_north(sen.unit)
    tab = LookTables(sen, mod, phase, east_row, north_row, snr0, seg, rcs, plane)
    snaps: dict[float, list[LocalTracks]] = {float(s): [] for s in snap_times}
    first_k: list[I] = []
    first_t: list[F] = []
    active = np.zeros(S)
    false_conf = np.zeros(S)

    for T in np.unique(sen.revisit_s):
        rows = np.flatnonzero(sen.revisit_s == T)
        node_of_row = np.full(S, -1, np.int64)
        node_of_row[rows] = np.arange(rows.size)
        sel = np.flatnonzero(node_of_row[k] >= 0)
        if sel.size == 0:
            continue
        wm, wk = m[sel], k[sel]
        j0 = np.ceil(t_in[sel] / T).astype(np.int64)
        j1 = np.floor(t_out[sel] / T).astype(np.int64)
        keep = j1 >= j0
        wm, wk, j0, j1 = wm[keep], wk[keep], j0[keep], j1[keep]
        if wm.size == 0:
            continue
        tparams = _class_params(cfg, params, rows)
        win = tab.windows(wm, wk)
        tail = tparams.confirmed_max_misses + 1
        n_scans = int(np.ceil(params.duration_s / T)) + tail + 2
        mark = np.zeros(n_scans + 1, np.int64)
        np.add.at(mark, j0, 1)
        np.add.at(mark, np.minimum(j1 + 1 + tail, n_scans), -1)
        scans = np.flatnonzero(np.cumsum(mark)[:n_scans] > 0)
        snap_list = sorted(snaps)
        runner = ScanRunner(tparams, np.array(snap_list), 2 * T) if cfg.compiled and cfg.motion == "cv" else None
        trk = Tracker(tparams)
        origin = np.zeros(1024, np.int64)
        node_of_track = np.zeros(1024, np.int64)
        seen_conf = np.zeros(1024, bool)
        last_out, last_t = None, -np.inf
        sp = 0
        recs = []

        def record(upto: float) -> None:
            nonlocal sp
            while sp < len(snap_list) and snap_list[sp] < upto:
                s = snap_list[sp]
                if last_out is not None and last_out.track_id.size and last_t >= s - 2 * T:
                    tid = last_out.track_id
                    nr = node_of_track[tid]
                    x = last_out.x.copy()
                    x[:, 0] -= node_of_row[nr] * NODE_OFFSET_M
                    snaps[s].append(LocalTracks(nr, tid, x, last_out.P, np.full(tid.size, last_t)))
                sp += 1

        for blk in _blocks(scans, j0, j1, n_scans):
            ja, jb = int(blk[0]), int(blk[-1])
            w = np.flatnonzero((j0 <= jb) & (j1 >= ja))
            lo = np.maximum(j0[w], ja)
            cnt = np.maximum(np.minimum(j1[w], jb) - lo + 1, 0)
            lw = np.repeat(w, cnt)
            lj = np.repeat(lo, cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt))
            lm, lk = wm[lw], wk[lw]
            fk, fj = _active_pairs(lk, lj, node_of_row, rows, ja, jb)  # node scans with a look
            thr = seg.threat[lm]
            t = lj * T
            idx = (thr << 20) | lj
            if cfg.compiled:
                pd, r, d = look_pd(tab, win, lk, lm, lw, t)
                det, z = detections(tab, lk, t, idx, pd, r, d, k_det, k_noise)
                lk, lj, thr = lk[det], lj[det], thr[det]
            else:
                lk, lj, thr, z = _looks_numpy(lk, lj, lm, thr, t, idx, rcs, snr0, sen, mod, phase, east_row,
                                              north_row, seg, plane, k_det, k_noise)
            # False alarms at every node scan that has a threat in coverage.
            np.add.at(active, fk, 1.0)
            nfa = poisson_from_uniform(keyed_uniform(k_fa, sen.key[fk], fj), mod.false_alarms_per_scan[fk])
            ak, aj = np.repeat(fk, nfa), np.repeat(fj, nfa)
            ai = np.arange(nfa.sum()) - np.repeat(np.cumsum(nfa) - nfa, nfa)
            fidx = (aj << 8) | ai
            rad = fa_radius[ak] * np.sqrt(keyed_uniform(k_fa, sen.key[ak] + np.int64(1 << 36), fidx))
            ang = 2 * np.pi * keyed_uniform(k_fa, sen.key[ak] + np.int64(1 << 37), fidx)
            zf = station_xy[ak] + np.stack([rad * np.cos(ang), rad * np.sin(ang)], axis=-1)
            dk = np.concatenate([lk, ak])
            dj = np.concatenate([lj, aj])
            dz = np.concatenate([z, zf])
            dz[:, 0] += node_of_row[dk] * NODE_OFFSET_M
            dorig = np.concatenate([thr, np.full(ak.size, -1, np.int64)])
            order = np.argsort(dj, kind="stable")
            dk, dj, dz, dorig = dk[order], dj[order], dz[order], dorig[order]
            bounds = np.searchsorted(dj, blk, side="left"), np.searchsorted(dj, blk, side="right")
            if runner is not None:
                res_b = runner.run(blk * T, bounds[0], bounds[1], dz, dk, dorig)
                _confirmations(res_b, runner, n, first_k, first_t, false_conf)
                recs.append(res_b)
                continue
            for j, a, b in zip(blk, *bounds):
                tj = float(j * T)
                record(tj)
                zj = dz[a:b]
                before = trk.state.next_id
                out = trk.step(zj, tj)
                after = trk.state.next_id
                if after > before:
                    if after > origin.size:
                        grow = max(after, 2 * origin.size)
                        origin = np.resize(origin, grow)
                        node_of_track = np.resize(node_of_track, grow)
                        seen_conf = np.concatenate([seen_conf, np.zeros(grow - seen_conf.size, bool)])
                    nx = trk.state.x[-(after - before):, 0]
                    srt = np.argsort(zj[:, 0], kind="stable")
                    src = srt[np.searchsorted(zj[srt, 0], nx)]
                    origin[before:after] = dorig[a:b][src]
                    node_of_track[before:after] = dk[a:b][src]
                new = out.track_id[~seen_conf[out.track_id]]
                if new.size:
                    seen_conf[new] = True
                    o = origin[new]
                    nk = node_of_track[new]
                    np.add.at(false_conf, nk[o < 0], 1.0)
                    first_k.append(nk[o >= 0] * n + o[o >= 0])
                    first_t.append(np.full(int((o >= 0).sum()), tj))
                last_out, last_t = out, tj
        if runner is not None:
            recs.append(runner.finish())
            _records(recs, runner, node_of_row, snap_list, snaps)
        else:
            record(np.inf)

    fk_all = np.concatenate(first_k) if first_k else np.zeros(0, np.int64)
    ft_all = np.concatenate(first_t) if first_t else np.zeros(0)
    order = np.lexsort((ft_all, fk_all))
    fk_all, ft_all = fk_all[order], ft_all[order]
    firstm = np.r_[True, fk_all[1:] != fk_all[:-1]] if fk_all.size else np.zeros(0, bool)
    return NodeResult(
        first_key=fk_all[firstm], first_t=ft_all[firstm],
        snapshots={s: LocalTracks.concat(v) for s, v in snaps.items()},
        win_k=k, win_thr=seg.threat[m], win_in=t_in, win_out=t_out,
        active_node_scans=active, false_confirmed=false_conf,
    )


def _looks_numpy(lk, lj, lm, thr, t, idx, rcs, snr0, sen, mod, phase, east_row, north_row, seg, plane,
                 k_det, k_noise):
    """The looks of a block with NumPy (the reference of :mod:`skyshield.picture.looks`):
    detections' sensor rows, scans, threats and noisy plane positions."""
    s_u = _sensor_positions(sen.unit, lk, mod.orbit_radius_m, mod.orbit_period_s, phase, t,
                            east_row, north_row)
    en = _local_axes(s_u, lk, mod.orbit_radius_m, east_row, north_row)
    u = positions_at(seg, lm, t)
    r, az, el = polar_from(s_u, sen.height_m[lk], u, seg.alt_m[lm], en=en)
    ground = np.arccos(np.clip(np.einsum("ij,ij->i", s_u, u), -1, 1)) * EARTH_RADIUS_M
    pd = pd_at_range(r, rcs[lm], sen.ref_range_m[lk], snr0[lk], mod.pfa[lk], mod.swerling[lk])
    pd = np.where(ground <= radar_horizon_m(sen.height_m[lk], seg.alt_m[lm]), pd, 0.0)
    det = keyed_uniform(k_det, sen.key[lk], idx) < pd
    lk, lj, thr, r, az, el, s_u, idx = (a[det] for a in (lk, lj, thr, r, az, el, s_u, idx))
    en = (en[0][det], en[1][det])
    off = sen.key[lk] + np.int64(1 << 36)
    r = r + mod.range_sigma_m[lk] * keyed_normal(k_noise, off, idx)
    az = az + mod.az_sigma_rad[lk] * keyed_normal(k_noise, off + np.int64(1 << 37), idx)
    el = el + mod.el_sigma_rad[lk] * keyed_normal(k_noise, off + np.int64(1 << 38), idx)
    z = plane.xy(unit_from_polar(s_u, sen.height_m[lk], np.abs(r), az, el, en=en))
    return lk, lj, thr, z


def _confirmations(res, runner: ScanRunner, n: int, first_k: list, first_t: list, false_conf: F) -> None:
    """First confirmations of a block: node*N + threat of tracks born on threats, and the
    count of tracks born on false alarms per node."""
    if res.confirmed_id.size == 0:
        return
    o = runner.track_origin[res.confirmed_id]
    nk = runner.track_node[res.confirmed_id]
    np.add.at(false_conf, nk[o < 0], 1.0)
    first_k.append(nk[o >= 0] * n + o[o >= 0])
    first_t.append(res.confirmed_t_s[o >= 0])


def _records(recs: list, runner: ScanRunner, node_of_row: I, snap_list: list[float],
             snaps: dict[float, list[LocalTracks]]) -> None:
    """Append one class's snapshot records to ``snaps`` (one LocalTracks per snapshot)."""
    idx = np.concatenate([r.snap_index for r in recs])
    if idx.size == 0:
        return
    tid = np.concatenate([r.snap_id for r in recs])
    x = np.concatenate([r.snap_x for r in recs])
    P = np.concatenate([r.snap_P for r in recs])
    t = np.concatenate([r.snap_t_s for r in recs])
    nr = runner.track_node[tid]
    x[:, 0] -= node_of_row[nr] * NODE_OFFSET_M
    cut = np.flatnonzero(np.diff(idx)) + 1  # records come in snapshot order
    for a, b in zip(np.r_[0, cut], np.r_[cut, idx.size]):
        snaps[snap_list[int(idx[a])]].append(LocalTracks(nr[a:b], tid[a:b], x[a:b], P[a:b], t[a:b]))


def _blocks(scans: I, j0: I, j1: I, n_scans: int) -> list[I]:
    """Split the active scans into blocks of about :data:`LOOKS_PER_BLOCK` looks (a block
    changes no draw: every draw is keyed by sensor, threat and scan)."""
    mark = np.zeros(n_scans + 1, np.int64)
    np.add.at(mark, np.minimum(j0, n_scans), 1)
    np.add.at(mark, np.minimum(j1 + 1, n_scans), -1)
    looks = np.cumsum(mark)[:n_scans][scans]
    block = np.cumsum(looks + 1) // LOOKS_PER_BLOCK
    cut = np.flatnonzero(np.diff(block)) + 1
    return np.split(scans, cut)


def _local_axes(s_u: F, rows: I, orbit_radius_m: F, east_row: F, north_row: F) -> tuple[F, F]:
    """East and north axes at the sensor positions ``s_u``: those of the station for sensors
    that do not move (``s_u`` is then exactly the station), computed for orbiting ones."""
    e, n = east_row[rows], north_row[rows]
    orb = orbit_radius_m[rows] != 0.0
    if orb.any():
        e[orb], n[orb] = east_north(s_u[orb])
    return e, n


def _active_pairs(lk: I, lj: I, node_of_row: I, rows: I, ja: int, jb: int) -> tuple[I, I]:
    """Distinct (sensor row, scan) of the looks of a block, sorted by row then scan (what
    ``np.unique`` of ``row * 2**24 + scan`` gives), by counting on the block's grid."""
    nb = jb - ja + 1
    if rows.size * nb > 8 * lk.size + 1024:
        pair = np.unique(lk * (1 << 24) + lj)
        return pair >> 24, pair & ((1 << 24) - 1)
    hit = np.flatnonzero(np.bincount(node_of_row[lk] * nb + (lj - ja), minlength=rows.size * nb))
    return rows[hit // nb], ja + hit % nb


def _sensor_positions(unit: F, rows: I, orbit_radius_m: F, orbit_period_s: F, phase: F, t: F,
                      east_row: F, north_row: F) -> F:
    """:func:`~skyshield.picture.frames.sensor_units` of sensors ``rows`` at ``t``, computed
    for orbiting sensors only: a sensor that does not orbit is at its station (the orbit's
    formula gives the station exactly there: cos 0 = 1, sin 0 = 0)."""
    s_u = unit[rows]
    orb = orbit_radius_m[rows] != 0.0
    if orb.any():
        r = rows[orb]
        s_u[orb] = sensor_units(unit[r], orbit_radius_m[r], orbit_period_s[r], phase[r], t[orb],
                                en=(east_row[r], north_row[r]))
    return s_u
