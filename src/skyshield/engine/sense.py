r"""Sense: who sees each threat, when (statistical fidelity).

A sensor covers a threat segment inside the circle of radius

.. math:: R = \min\left(R_{ref}\,\sigma^{1/4},\ d_{horizon}(h_{sensor}, h_{threat})\right).

Inside coverage it scans every ``revisit_s`` and detects with probability ``pd_scan`` per
scan, so the first detection comes a geometric number of scans (plus a uniform scan phase)
after the threat enters coverage, if before it leaves. The draws are counter-based, keyed by
the sensor's name and the threat's index, so a sensor added elsewhere changes nothing here.

The coverage radius is scaled by a per-kind range factor and a confirmed track follows the
first detection by a per-kind initiation delay, both calibrated from the full fidelity
(:mod:`skyshield.picture.quality`; factors 1 and delays 0 give the plain model above).

The network picture of a side is the earliest detection by any of its sensors (shooters'
own radars included). Allied tracks reach the defended network when the option shares data
(early warning or better) over the option's link: reported once per ``link_update_s``,
arriving ``sharing_latency_s`` later, lost in outages or to jamming
(:mod:`skyshield.picture.network`); from the surveillance tier up the exchange is two-way.
``Picture.metrics`` carries ``gospa_m`` and the SIAP metrics of the defended picture from the
fast calibrated model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from typing import Protocol

from ..picture.metrics import eval_times, latency_s
from ..picture.network import link_into, side_pictures
from ..picture.quality import CALIBRATION, Calibration, fast_picture_metrics
from ..rng import Streams, keyed_uniform
from ..sensors.radar import detection_range_m, radar_horizon_m
from .params import ALLIED, DEFENDED, EngineParams
from .raid import Raid
from .trajectory import Segments, circle_windows

__all__ = ["Picture", "Sensing", "StatisticalSensing"]


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


class StatisticalSensing:
    """Detection drawn from coverage windows and per-scan Pd (the ``statistical`` fidelity).

    Parameters
    ----------
    calibration
        Constants of the fast model (:mod:`skyshield.picture.quality`).
    metrics
        Whether to score the picture (GOSPA, SIAP) with the fast model.
    eval_dt_s
        Spacing of the evaluation times of the picture metrics.
    """

    def __init__(self, calibration: Calibration = CALIBRATION, metrics: bool = True,
                 eval_dt_s: float = 60.0) -> None:
        self.calibration = calibration
        self.metrics = metrics
        self.eval_dt_s = eval_dt_s

    def __call__(self, params: EngineParams, raid: Raid, seg: Segments, streams: Streams) -> Picture:
        sen = params.sensors
        tt = params.threat_types
        n = raid.size
        seg_type = raid.type_index[seg.threat]
        rcs = tt.rcs_m2[seg_type]
        cal = self.calibration
        factor = np.asarray(cal.range_factor)[self._kinds(params)]
        delay = np.asarray(cal.delay_scans)[self._kinds(params)]
        max_r = float(
            np.max(sen.ref_range_m * factor) * float(np.max(tt.rcs_m2)) ** 0.25 if sen.ref_range_m.size else 0.0
        )
        max_r = min(max_r, float(radar_horizon_m(np.max(sen.height_m, initial=0.0), np.max(seg.alt_m, initial=0.0))))
        m, k, t_in, t_out = circle_windows(
            seg, sen.unit, max_r,
            lambda m, k: detection_range_m(sen.ref_range_m[k] * factor[k], rcs[m], sen.height_m[k], seg.alt_m[m]))
        t_in = np.maximum(t_in, 0.0)
        thr = seg.threat[m]
        win = (k, thr, t_in, t_out)
        key = streams.key("sensors")
        idx = thr * 64 + seg.local[m]
        u_scan = keyed_uniform(key, sen.key[k], idx)
        u_phase = keyed_uniform(key, sen.key[k] + np.int64(1 << 33), idx)
        pd = sen.pd_scan[k]
        with np.errstate(divide="ignore"):
            n_miss = np.where(pd >= 1.0, 0.0, np.floor(np.log(u_scan) / np.log1p(-np.minimum(pd, 1 - 1e-12))))
        n_miss = np.where(pd <= 0.0, np.inf, n_miss)
        t_det = t_in + sen.revisit_s[k] * (u_phase + n_miss)
        hit = t_det <= t_out
        # A confirmed track follows the first detection by the calibrated initiation delay.
        k, thr, t_det = k[hit], thr[hit], t_det[hit] + delay[k[hit]] * sen.revisit_s[k[hit]]

        # Earliest detection per (sensor, threat).
        pair = k * n + thr
        order = np.lexsort((t_det, pair))
        pair, t_det_s = pair[order], t_det[order]
        first = np.r_[True, pair[1:] != pair[:-1]] if pair.size else np.zeros(0, bool)
        by_key, by_t = pair[first], t_det_s[first]
        own, net = side_pictures(params, by_key, by_t, n, link_into(params, streams))
        metrics = self._metrics(params, raid, seg, own, net, win) if self.metrics else {}
        return Picture(by_key, by_t, net, own, n, metrics)

    @staticmethod
    def _kinds(params: EngineParams) -> NDArray[np.int64]:
        sm = params.sensor_models
        return sm.kind if sm is not None else np.zeros(len(params.sensors.ids), np.int64)

    def _metrics(self, params: EngineParams, raid: Raid, seg: Segments, own, net, win) -> dict[str, float]:
        """GOSPA and SIAP of the defended picture from the fast calibrated model."""
        k, thr, t_in, t_out = win
        sen = params.sensors
        n = raid.size
        feeds = (sen.side == DEFENDED) | ((sen.side == ALLIED) & (params.sharing_level >= 1))
        sel = feeds[k]
        grid = eval_times(seg, params.duration_s, self.eval_dt_s)
        launch = np.full(n, np.inf)
        np.minimum.at(launch, seg.threat, seg.t0_s)
        ew = np.zeros(n)
        if params.sharing_level == 1:
            ew = (~np.isfinite(own[DEFENDED]) | (own[DEFENDED] > seg.arrival_s)).astype(float)
        out = fast_picture_metrics(grid, launch, seg.arrival_s, net[DEFENDED], thr[sel], t_in[sel],
                                   t_out[sel], ew, self.calibration)
        cover = np.full(n, np.inf)
        np.minimum.at(cover, thr[sel], t_in[sel])
        out["siap_latency_s"] = latency_s(cover, net[DEFENDED], seg.arrival_s)
        return out
