r"""Sense at full fidelity: measurement-level tracking per sensor node, a data link with
latency and outages, and track-to-track fusion by covariance intersection.

Same :class:`~skyshield.engine.sense.Picture` as the statistical sense, so the battle runs
unchanged:

* ``by_sensor``: the first time each sensor holds a *confirmed* track on each threat
  (:mod:`skyshield.picture.nodes`);
* ``own_t``: the earliest of these over a side's own sensors;
* ``network_t``: after sharing over the option's link (:mod:`skyshield.picture.network`).

``Picture.metrics`` scores the defended country's fused picture (own tracks and, by tier,
the allied tracks that reached it) against truth every ``eval_dt_s`` (GOSPA and SIAP, see
:mod:`skyshield.picture.metrics`). Early-warning-tier tracks carry only a coarse position
(a 5 km grid reference, no velocity); from the surveillance tier up full tracks are shared.
"""

from __future__ import annotations

import numpy as np

from ..geo import lonlat_to_unit
from ..picture.frames import Plane
from ..picture.fusion import TrackNumbers, fuse_tracks_grouped
from ..picture.metrics import PictureScore, airborne_xy_many, eval_times, latency_s, score_many
from ..picture.network import link_into, side_pictures, track_quality
from ..picture.nodes import LocalTracks, NodeConfig, run_nodes
from ..rng import Streams
from .params import ALLIED, DEFENDED, EngineParams
from .raid import Raid
from .sense import Picture
from .trajectory import Segments

__all__ = ["FullSensing", "EW_GRID_M", "theatre_plane", "first_cover_s"]

EW_GRID_M = 5000.0
"""Early-warning tier: shared positions are grid references of this size, with no velocity."""


def theatre_plane(params: EngineParams) -> Plane:
    x0, y0, x1, y1 = params.theatre.bbox
    return Plane(lonlat_to_unit(np.array([(x0 + x1) / 2]), np.array([(y0 + y1) / 2])).reshape(3))


def first_cover_s(params: EngineParams, n: int, win_k, win_thr, win_in, rows_mask) -> np.ndarray:
    """First entry of each threat into the coverage of the sensors selected by ``rows_mask``."""
    out = np.full(n, np.inf)
    sel = rows_mask[win_k]
    np.minimum.at(out, win_thr[sel], win_in[sel])
    return out


def _predict(x: np.ndarray, P: np.ndarray, dt: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray]:
    out_x = x.copy()
    out_x[:, 0] += x[:, 1] * dt
    out_x[:, 2] += x[:, 3] * dt
    Fk = np.broadcast_to(np.eye(4), (len(dt), 4, 4)).copy()
    Fk[:, 0, 1] = dt
    Fk[:, 2, 3] = dt
    Qk = np.zeros((len(dt), 4, 4))
    for a in (0, 2):
        Qk[:, a, a] = q * dt**3 / 3
        Qk[:, a, a + 1] = Qk[:, a + 1, a] = q * dt**2 / 2
        Qk[:, a + 1, a + 1] = q * dt
    return out_x, Fk @ P @ np.swapaxes(Fk, 1, 2) + Qk


class FullSensing:
    """Measurement-level sensing (the ``full`` fidelity)."""

    def __init__(self, config: NodeConfig = NodeConfig(), eval_dt_s: float = 60.0) -> None:
        self.config = config
        self.eval_dt_s = eval_dt_s

    def __call__(self, params: EngineParams, raid: Raid, seg: Segments, streams: Streams) -> Picture:
        n = raid.size
        sen = params.sensors
        plane = theatre_plane(params)
        link = link_into(params, streams)
        grid = eval_times(seg, params.duration_s, self.eval_dt_s)
        lat = params.sharing_latency_s
        snap_times = np.unique(np.concatenate([grid, grid - lat]))
        res = run_nodes(params, raid, seg, streams, plane, snap_times, self.config)
        own, net = side_pictures(params, res.first_key, res.first_t, n, link)

        # Score the defended country's fused picture.
        level = params.sharing_level
        feeds = (sen.side == DEFENDED) | ((sen.side == ALLIED) & (level >= 1))
        score = PictureScore()
        numbers = TrackNumbers()
        lt, grp = _picture_tracks(params, res.snapshots, grid, link)
        G = grid.size
        starts = np.searchsorted(grp, np.arange(G + 1))
        tq_sum, tq_n = 0.0, 0
        if lt.node.size:
            # All evaluation times at once: predict, associate and fuse each time's tracks.
            x, P = _predict(lt.x, lt.P, grid[grp] - lt.t_s, self.config.q_m2ps3)
            keys = (lt.node << 32) | lt.track_id
            fused, c0, _ = fuse_tracks_grouped(x, P, lt.node, keys, grp, G)
            tq = track_quality(fused.P)
            tq_sum, tq_n = float(tq.sum()), tq.size
        truth, t_start = airborne_xy_many(seg, plane, grid)
        est = np.zeros((0, 2))
        e_start = np.zeros(G + 1, np.int64)
        if lt.node.size:
            est = fused.x[:, [0, 2]]  # scored against truth at every time in one compiled pass
            e_start = c0
            for g in np.flatnonzero(np.diff(starts)):  # track numbers: in time order
                a, b, ca, cb = int(starts[g]), int(starts[g + 1]), int(c0[g]), int(c0[g + 1])
                numbers.assign(keys[a:b], fused.cluster[a:b] - ca, cb - ca)
        score.add_many(*score_many(est, e_start, truth, t_start, score.c).T)
        metrics = score.metrics()
        cover = first_cover_s(params, n, res.win_k, res.win_thr, res.win_in, feeds)
        metrics["siap_latency_s"] = latency_s(cover, net[DEFENDED], seg.arrival_s)
        metrics["track_quality_mean"] = tq_sum / tq_n if tq_n else 0.0
        metrics["network_track_numbers"] = float(numbers._next - 1)
        return Picture(res.first_key, res.first_t, net, own, n, metrics)


def _picture_tracks(params: EngineParams, snapshots: dict[float, LocalTracks], grid: np.ndarray,
                    link) -> tuple[LocalTracks, np.ndarray]:
    """The local tracks in the defended country's picture at every evaluation time, and the
    index of the time of each (sorted; within a time: own tracks, then the allied tracks
    delivered over the link, in snapshot order)."""
    sen = params.sensors
    level, lat = params.sharing_level, params.sharing_latency_s

    def gather(times: np.ndarray) -> tuple[LocalTracks, np.ndarray]:
        parts = [snapshots[float(t)] for t in times]
        g = np.repeat(np.arange(times.size), [p.node.size for p in parts])
        return LocalTracks.concat(parts), g

    a, ga = gather(grid)
    keep = sen.side[a.node] == DEFENDED
    a, ga = _select(a, keep), ga[keep]
    if level < 1:
        return a, ga
    b, gb = gather(grid - lat)
    keep = sen.side[b.node] == ALLIED
    b, gb = _select(b, keep), gb[keep]
    if b.node.size:
        U = np.full(b.node.size, params.link_update_s)
        if level >= 3:
            U = np.minimum(U, sen.revisit_s[b.node])
        keep = np.isfinite(link.last_delivered(sen.key[b.node], grid[gb], U))
        b, gb = _select(b, keep), gb[keep]
        if level == 1:
            b = _coarse(b)
    order = np.argsort(np.concatenate([2 * ga, 2 * gb + 1]), kind="stable")
    lt = LocalTracks.concat([a, b])
    return _select(lt, order), np.concatenate([ga, gb])[order]


def _select(a: LocalTracks, keep: np.ndarray) -> LocalTracks:
    return LocalTracks(a.node[keep], a.track_id[keep], a.x[keep], a.P[keep], a.t_s[keep])


def _coarse(b: LocalTracks) -> LocalTracks:
    """Early-warning tier: a grid-reference position and no velocity."""
    x = b.x.copy()
    x[:, [0, 2]] = (np.floor(x[:, [0, 2]] / EW_GRID_M) + 0.5) * EW_GRID_M
    x[:, [1, 3]] = 0.0
    P = b.P.copy()
    P[:, :, :] = 0.0
    P[:, [0, 2], [0, 2]] = b.P[:, [0, 2], [0, 2]] + EW_GRID_M**2 / 12.0
    P[:, [1, 3], [1, 3]] = 100.0**2
    return LocalTracks(b.node, b.track_id, x, P, b.t_s)
