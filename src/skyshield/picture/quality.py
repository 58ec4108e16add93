r"""The fast model of detection and track quality (statistical fidelity), calibrated from
the full model.

Detection. A sensor of kind :math:`k` covers a threat inside
:math:`f_k R_{ref}\sigma^{1/4}` (capped by the horizon), where the *range factor*
:math:`f_k` accounts for the Swerling tail of :math:`P_d` beyond the reference range, and
enters a confirmed track :math:`d_k` scans after its first detection (M-of-N confirmation).

Track quality. At an evaluation time :math:`\tau`, a threat that has entered the defended
picture and is inside the coverage of a sensor that feeds it is held with probability
:math:`p_{hold}`; a held threat carries :math:`a` tracks (ambiguity); a share :math:`s` of all
tracks are spurious; tracks on threats are off by :math:`e` metres on average. Then

.. math::

    \mathrm{GOSPA}(\tau) \approx e\,h + \tfrac{c}{2}(n - h) + \tfrac{c}{2}(t - h),
    \qquad t = \frac{a h}{1 - s},

with :math:`n` threats airborne and :math:`h` held. The constants in :data:`CALIBRATION` come
from :func:`skyshield.picture.calibrate.calibrate` on the reference scenario; the agreement
test in ``tests/engine/test_sense_full.py`` checks both fidelities against each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .metrics import GOSPA_CUTOFF_M, PictureScore

__all__ = ["Calibration", "CALIBRATION", "merged_intervals", "fast_picture_metrics"]

F = NDArray[np.float64]
I = NDArray[np.int64]


@dataclass(frozen=True)
class Calibration:
    """Constants of the fast model, by sensor kind (index of ``SENSOR_KINDS``)."""

    range_factor: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
    delay_scans: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    p_hold: float = 1.0
    ambiguity: float = 1.0
    spuriousness: float = 0.0
    accuracy_m: float = 0.0
    ew_accuracy_m: float = 2000.0
    source: str = field(default="uncalibrated")


CALIBRATION = Calibration(
    range_factor=(1.5, 2.05, 1.0, 2.3, 2.15, 1.1),
    delay_scans=(1.55, 91.78, 2.34, 78.0, 24.52, 1.92),
    p_hold=0.915, ambiguity=1.011, spuriousness=0.004, accuracy_m=151.8,
    source="calibrate(reference umbrella, seed 11, 1 replication), 2026-11",
)
"""Fitted by ``python -m skyshield.picture.calibrate``; kinds in ``SENSOR_KINDS`` order."""


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
    """GOSPA and SIAP of the defended picture from coverage windows and entry times.

    ``win_*`` are the coverage windows of the sensors that feed the picture; ``ew_share`` is,
    per threat, the share of its held time that rests on coarse early-warning tracks only.
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
    for n_t, h, o, t, e in zip(airborne, held, on, tracks, err):
        g = e + c_m / 2.0 * (n_t - h) + c_m / 2.0 * (t - h)
        score.add_counts(g, n_t, h, t, o, e * cal.ambiguity)
    return score.metrics()
