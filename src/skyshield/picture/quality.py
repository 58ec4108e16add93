r"""The fast model of detection and track quality (statistical fidelity), calibrated from
the full model per sensor kind and threat class.

**Coverage.** Sensor :math:`k` (reference range :math:`R_k` against 1 m², antenna or orbit
height :math:`h_k`, orbit radius :math:`o_k`) covers a threat of RCS :math:`\sigma` at
altitude :math:`h` inside

.. math:: R^{cov} = \min\left(c_k R_k \sigma^{1/4},\ d_{hor}(h_k, h)\right) + o_k,

where :math:`c_k` puts the single-scan :math:`P_d` at :data:`~skyshield.picture.measurement.PD_FLOOR`
(closed form from the sensor's Swerling case, :math:`P_{fa}` and ``pd_scan`` at :math:`R_k`).
This is the circle the full model simulates looks in; SIAP latency is measured from it in
both fidelities.

**Confirmation.** A confirmed track needs detections, so it can only start inside the
coverage; when depends on how the single-scan :math:`P_d` grows as the threat closes and on
how many looks it gets there. The fast model uses a two-zone hazard, per sensor kind
:math:`k` and threat class :math:`c`, on the reference range scaled to the RCS
:math:`r = R_k\sigma^{1/4}`:

* an *outer* circle of radius :math:`\min(f_{k,c}\,r,\ d_{hor}(h_k, h),\ R^{cov})` where,
  from entering it, the track is confirmed after :math:`T(\phi + m + G)` with
  :math:`G \sim \mathrm{Geometric}(q_{k,c})` (slow passes at low :math:`P_d` are confirmed
  eventually, late);
* an *inner* circle of radius :math:`\min(g_{k,c}\,r,\ d_{hor},\ R^{cov})` where, from entering
  it, the track is confirmed after :math:`T(\phi + m)` (close in, :math:`P_d` is high and the
  M-of-N rule completes at once: a threat whose path ends deep inside the coverage, a cruise
  missile flying at an AEW orbit, is not lost to a slow clock).

:math:`T` is the revisit, :math:`\phi` a uniform scan phase and :math:`m` = ``min_scans`` =
:math:`M - 1` of the tracker's M-of-N rule (three hits take at least two scans after the
first). The earlier of the two confirmations counts, and each only if the threat is still
inside its circle then: a track is never confirmed after the threat has left.

Threats faster than ``max_speed_mps`` form a column of their own (:data:`COLUMNS`, ``fast``)
whatever their class: the full tracker's two-point initiation gates the second detection
within about :math:`g\sigma_{v0}T` of the first (gate :math:`g`, initial velocity spread
:math:`\sigma_{v0}`), so it rarely starts a track on them; a Kh-22 (1.1 km/s) and an
Iskander-M (1.7 km/s), both ``ballistic``, are tracked very differently. That is a limitation
of the full tracker, not of radars, so by default the ``fast`` column is not fitted to it but
left to the physical fallback below (the ``ballistic`` column is then fitted on the threats
the tracker can follow).

Cells of the table left ``nan`` (no full-fidelity data for that kind and class) fall back,
explicitly, to the physics alone: :math:`f` puts the single-scan :math:`P_d` at 0.5
(:data:`FALLBACK_PD`), :math:`q` is the sensor's ``pd_scan`` and :math:`g = 1` (the reference
range, where :math:`P_d` is ``pd_scan``).

**Track quality.** At an evaluation time :math:`\tau`, a threat that has entered the defended
picture and is inside the *holding circle* of a sensor that feeds it (single-scan :math:`P_d`
at least 1/2: the M-of-N tracker drops a track after a few misses in a row, which becomes
likely below that) is held with probability :math:`p_{hold}`; a held threat carries :math:`a` tracks (ambiguity); a share :math:`z` of all
tracks are spurious; tracks on threats are off by :math:`e` metres on average. Then

.. math::

    \mathrm{GOSPA}(\tau) \approx e\,h + \tfrac{c}{2}(n - h) + \tfrac{c}{2}(t - h),
    \qquad t = \frac{a h}{1 - z},

with :math:`n` threats airborne and :math:`h` held. :data:`CALIBRATION` is fitted by
``python -m skyshield.calibration.sensing`` (docs/sensing.md gives the table, its residuals
on held-out seeds and the command).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import nan

import numpy as np
from numpy.typing import NDArray

from ..catalog.model import THREAT_CLASSES
from ..engine.params import SENSOR_KINDS
from .measurement import PD_FLOOR, reference_snr_db
from .metrics import GOSPA_CUTOFF_M, PictureScore

__all__ = ["Calibration", "CALIBRATION", "COLUMNS", "FAST", "FALLBACK_PD", "Table", "merged_intervals",
           "fast_picture_metrics", "range_factor_at_pd", "table_column"]

F = NDArray[np.float64]
I = NDArray[np.int64]
COLUMNS: tuple[str, ...] = (*THREAT_CLASSES, "fast")
"""Columns of the tables: the threat classes, then threats faster than ``max_speed_mps``."""
FAST = len(THREAT_CLASSES)
"""Index of the ``fast`` column."""
Table = tuple[tuple[float, ...], ...]
"""A (sensor kind, column) table: rows in ``SENSOR_KINDS`` order, columns in :data:`COLUMNS` order."""

FALLBACK_PD = 0.5
"""Single-scan P_d at the confirmation radius of a cell without full-fidelity data."""

_NAN_TABLE: Table = tuple((nan,) * len(COLUMNS) for _ in SENSOR_KINDS)


@dataclass(frozen=True)
class Calibration:
    """Constants of the fast model.

    Attributes
    ----------
    range_factor
        :math:`f_{k,c}`: outer radius over :math:`R_k\\sigma^{1/4}`; ``nan`` falls back to the
        :data:`FALLBACK_PD` radius.
    confirm_p
        :math:`q_{k,c}`: per-scan confirmation probability in the outer circle; ``nan`` falls
        back to the sensor's ``pd_scan``.
    inner_factor
        :math:`g_{k,c}`: inner radius over :math:`R_k\\sigma^{1/4}` (0: no inner zone);
        ``nan`` falls back to 1.
    min_scans
        Scans from the first detection to the earliest confirmation (:math:`M - 1`).
    max_speed_mps
        Threats faster than this take the ``fast`` column (the tracker's initiation limit).
    p_hold, ambiguity, spuriousness, accuracy_m, ew_accuracy_m
        Track quality (see the module docstring).
    source
        How and on what the constants were fitted.
    """

    range_factor: Table = _NAN_TABLE
    confirm_p: Table = _NAN_TABLE
    inner_factor: Table = _NAN_TABLE
    min_scans: float = 2.0
    max_speed_mps: float = float("inf")
    p_hold: float = 1.0
    ambiguity: float = 1.0
    spuriousness: float = 0.0
    accuracy_m: float = 0.0
    ew_accuracy_m: float = 2000.0
    source: str = field(default="uncalibrated")

    def factor_table(self) -> F:
        """``range_factor`` as a ``(kinds, columns)`` array."""
        return np.asarray(self.range_factor, float).reshape(len(SENSOR_KINDS), len(COLUMNS))

    def confirm_table(self) -> F:
        """``confirm_p`` as a ``(kinds, columns)`` array."""
        return np.asarray(self.confirm_p, float).reshape(len(SENSOR_KINDS), len(COLUMNS))

    def inner_table(self) -> F:
        """``inner_factor`` as a ``(kinds, columns)`` array."""
        return np.asarray(self.inner_factor, float).reshape(len(SENSOR_KINDS), len(COLUMNS))


def table_column(cls: I, speed_mps: F, max_speed_mps: float) -> I:
    """Column of the tables for threats of class ``cls`` flying at ``speed_mps``."""
    return np.where(speed_mps > max_speed_mps, FAST, cls)


def range_factor_at_pd(pd: float | F, pd_scan: F, pfa: F, swerling: I) -> F:
    r"""Range, over :math:`R_k\sigma^{1/4}`, at which single-scan :math:`P_d` falls to ``pd``.

    With :math:`\mathrm{SNR}_0` the SNR that gives ``pd_scan`` at the reference range and
    :math:`\mathrm{SNR}_{pd}` the one that gives ``pd``, the factor is
    :math:`10^{(\mathrm{SNR}_0 - \mathrm{SNR}_{pd})/40}` (the radar equation's :math:`R^{-4}`).
    Computed once per distinct sensor model.
    """
    pd_scan, pfa, swerling = np.broadcast_arrays(np.asarray(pd_scan, float), np.asarray(pfa, float),
                                                 np.asarray(swerling, np.int64))
    pd = np.broadcast_to(np.asarray(pd, float), pd_scan.shape)
    if pd_scan.size == 0:
        return np.zeros(pd_scan.shape)
    rows = np.stack([pd_scan.ravel(), pfa.ravel(), swerling.ravel().astype(float), pd.ravel()], axis=1)
    uniq, inv = np.unique(rows, axis=0, return_inverse=True)
    sw = uniq[:, 2].astype(np.int64)
    snr0 = reference_snr_db(uniq[:, 0], uniq[:, 1], sw)
    snr_pd = reference_snr_db(uniq[:, 3], uniq[:, 1], sw)
    return (10.0 ** ((snr0 - snr_pd) / 40.0))[inv.ravel()].reshape(pd_scan.shape)


CALIBRATION = Calibration(
    range_factor=(  # columns: drone, decoy, cruise, ballistic, aircraft, fast
        (2.16, 1.72, 1.06, 1.6, 1.76, nan),  # ground-radar
        (1.84, 2.18, 1.86, 1.14, 1.9, nan),  # aew
        (2.08, 2.12, 0.8, 1.12, 1.44, nan),  # ship-radar
        (2.42, 2.4, 2.36, 2.08, 1.6, nan),  # fighter-radar
        (2.4, 2.52, 1.98, 1.82, 2.44, nan),  # fire-control
        (1.16, 1.2, 1.48, 0.76, 1.7, nan),  # optical
    ),
    confirm_p=(  # columns: drone, decoy, cruise, ballistic, aircraft, fast
        (0.003, 0.03, 0.8, 0.15, 0.03, nan),  # ground-radar
        (0.1, 0.001, 0.02, 0.6, 0.02, nan),  # aew
        (0.07, 0.02, nan, 0.8, 0.3, nan),  # ship-radar
        (0.005, 0.005, 0.005, 0.05, 0.3, nan),  # fighter-radar
        (0.005, 0.005, 0.2, 0.1, 0.002, nan),  # fire-control
        (0.3, 0.2, 0.2, nan, 0.02, nan),  # optical
    ),
    inner_factor=(  # columns: drone, decoy, cruise, ballistic, aircraft, fast
        (1.4, 1.4, 0.8, 0.8, 1.4, nan),  # ground-radar
        (0.6, 1.8, 1.4, 1.0, 1.2, nan),  # aew
        (1.8, 1.6, 0.6, 0.0, 0.0, nan),  # ship-radar
        (1.8, 1.8, 1.6, 0.6, 0.0, nan),  # fighter-radar
        (1.8, 1.8, 0.0, 1.4, 1.8, nan),  # fire-control
        (0.0, 0.6, 0.0, 0.0, 0.0, nan),  # optical
    ),
    min_scans=2.0, max_speed_mps=1200.0,
    p_hold=1.0, ambiguity=1.012, spuriousness=0.0046,
    accuracy_m=159.2,
    source='python -m skyshield.calibration.sensing --fit 20 --quality 3 --seed 2026: detection on sensing-range-v1.yaml, track quality on the reference night (umbrella)',
)
"""Fitted by ``python -m skyshield.calibration.sensing`` (the command and its output: docs/sensing.md)."""


def merged_intervals(thr: I, t_in: F, t_out: F) -> tuple[I, F, F]:
    """Union of the intervals of each threat: rows ``(thr, start, end)``, disjoint per threat."""
    if thr.size == 0:
        return thr, t_in, t_out
    order = np.lexsort((t_in, thr))
    thr, a, b = thr[order], t_in[order], t_out[order]
    span = float(max(b.max(), 1.0)) * 4.0 + 1.0
    run = np.maximum.accumulate(b + thr * span) - thr * span  # running end within each threat
    new = np.r_[True, (thr[1:] != thr[:-1]) | (a[1:] > run[:-1])]
    gid = np.cumsum(new) - 1
    end = np.full(gid[-1] + 1, -np.inf)
    np.maximum.at(end, gid, b)
    return thr[new], a[new], end


def fast_picture_metrics(grid: F, launch_s: F, arrival_s: F, entry_s: F, win_thr: I, win_in: F,
                         win_out: F, ew_share: F, cal: Calibration = CALIBRATION,
                         c_m: float = GOSPA_CUTOFF_M) -> dict[str, float]:
    """GOSPA and SIAP of the defended picture from holding-circle passes and entry times.

    ``win_*`` are the passes through the holding circles of the sensors that feed the picture;
    ``ew_share`` is, per threat, the share of its held time that rests on coarse
    early-warning tracks only.
    """
    score = PictureScore(c_m)
    if grid.size == 0:
        return score.metrics()
    dt = grid[1] - grid[0] if grid.size > 1 else 1.0
    g0 = grid[0]
    G = grid.size

    def counts(a: F, b: F, w: F) -> F:
        lo = np.clip(np.ceil((a - g0) / dt - 1e-9), 0, G).astype(np.int64)
        hi = np.clip(np.floor((b - g0) / dt - 1e-9) + 1, 0, G).astype(np.int64)
        ok = hi > lo
        d = np.zeros(G + 1)
        np.add.at(d, lo[ok], w[ok])
        np.add.at(d, hi[ok], -w[ok])
        return np.cumsum(d)[:G]

    airborne = counts(launch_s, arrival_s, np.ones(launch_s.size))
    thr, a, b = merged_intervals(win_thr, win_in, win_out)
    a = np.maximum(a, entry_s[thr])
    b = np.minimum(b, arrival_s[thr])
    held = counts(a, b, np.full(thr.size, cal.p_hold))
    err_m = cal.accuracy_m + ew_share[thr] * (cal.ew_accuracy_m - cal.accuracy_m)
    err = counts(a, b, cal.p_hold * err_m)
    on = held * cal.ambiguity
    tracks = on / max(1.0 - cal.spuriousness, 1e-9)
    score.add_many(err + c_m / 2.0 * (airborne - held) + c_m / 2.0 * (tracks - held), airborne, held, tracks,
                   on, err * cal.ambiguity)
    return score.metrics()
