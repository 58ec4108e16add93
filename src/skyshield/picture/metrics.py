r"""Air-picture metrics against truth: GOSPA and SIAP-style completeness, ambiguity,
spuriousness, accuracy and latency.

The picture is scored at evaluation times :math:`\tau_g` every ``eval_dt_s`` while threats
fly. The truth at :math:`\tau` is every airborne threat (launched, not yet arrived); the
estimate is the side's fused network picture. With :math:`c` the cut-off (10 km):

* ``gospa_m``: mean over :math:`\tau` of GOSPA (:math:`p = 1`, :math:`\alpha = 2`, cut-off
  :math:`c`): localisation error plus :math:`c/2` per missed threat and per false track.
* ``siap_completeness``: share of threat-times held by at least one track within :math:`c`.
* ``siap_ambiguity``: tracks on held threats per held threat (1 is ideal).
* ``siap_spuriousness``: share of tracks that are within :math:`c` of no threat.
* ``siap_accuracy_m``: mean distance of tracks to the threat they are on.
* ``siap_latency_s``: mean time from a threat's first entry into the coverage of a sensor
  that feeds the picture to its first appearance in the picture.

Ratios are of sums over the evaluation times (threat-time weighted).
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from ..engine.trajectory import Segments, positions_at
from ..tracking import gospa
from ..tracking.association import _assign
from .frames import Plane

__all__ = ["GOSPA_CUTOFF_M", "eval_times", "airborne_xy", "airborne_xy_many", "score_many", "PictureScore",
           "latency_s", "METRIC_NAMES"]

F = NDArray[np.float64]
GOSPA_CUTOFF_M = 10_000.0
METRIC_NAMES = ("gospa_m", "siap_completeness", "siap_ambiguity", "siap_spuriousness",
                "siap_accuracy_m", "siap_latency_s")


def eval_times(seg: Segments, duration_s: float, dt_s: float) -> F:
    """Evaluation grid: multiples of ``dt_s`` while any threat flies."""
    if seg.t0_s.size == 0:
        return np.zeros(0)
    t0 = np.ceil(seg.t0_s.min() / dt_s) * dt_s
    t1 = min(seg.arrival_s.max(), duration_s)
    return np.arange(t0, t1, dt_s)


def airborne_xy(seg: Segments, plane: Plane, t_s: float) -> tuple[F, NDArray[np.int64]]:
    """Plane positions and indices of the threats airborne at ``t_s``."""
    m = np.flatnonzero((seg.t0_s <= t_s) & (t_s < seg.t1_s))
    return plane.xy(positions_at(seg, m, np.full(m.size, t_s))), seg.threat[m]


def airborne_xy_many(seg: Segments, plane: Plane, times_s: F) -> tuple[F, NDArray[np.int64]]:
    """:func:`airborne_xy` at many (sorted) times at once: the positions of every time in turn
    (threats in segment order within a time) and the first row of each time ``(T + 1,)``."""
    g0 = np.searchsorted(times_s, seg.t0_s, side="left")  # first time with t0 <= tau
    g1 = np.searchsorted(times_s, seg.t1_s, side="left")  # first time with tau >= t1
    cnt = np.maximum(g1 - g0, 0)
    m = np.repeat(np.arange(seg.t0_s.size), cnt)
    g = np.repeat(g0, cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    order = np.lexsort((m, g))
    m, g = m[order], g[order]
    xy = plane.xy(positions_at(seg, m, times_s[g]))
    return xy, np.searchsorted(g, np.arange(times_s.size + 1))


@numba.njit(cache=True, nogil=True)
def _score_many(est, est_start, truth, truth_start, c):
    G = est_start.shape[0] - 1
    out = np.zeros((G, 6))  # gospa, truth, held, tracks, on_truth, err_sum
    for g in range(G):
        a, b = est_start[g], est_start[g + 1]
        ta, tb = truth_start[g], truth_start[g + 1]
        m, n = b - a, tb - ta
        out[g, 1] = n
        out[g, 3] = m
        if m == 0 or n == 0:
            out[g, 0] = c / 2.0 * (m + n)
            continue
        # pairs closer than c (GOSPA), and each track's nearest threat within c (SIAP)
        cap = 16
        pr = np.empty(cap, np.int64)
        pc = np.empty(cap, np.int64)
        pv = np.empty(cap)
        n_p = 0
        held = np.zeros(n, np.bool_)
        on, err = 0, 0.0
        order = np.argsort(truth[ta:tb, 0])
        xs = truth[ta:tb, 0][order]
        for i in range(m):
            best, bj = np.inf, -1
            q = np.searchsorted(xs, est[a + i, 0] - c)
            while q < n and xs[q] <= est[a + i, 0] + c:
                j = order[q]
                q += 1
                dx = est[a + i, 0] - truth[ta + j, 0]
                dy = est[a + i, 1] - truth[ta + j, 1]
                d = np.sqrt(dx * dx + dy * dy)
                if d < c:
                    if n_p == cap:
                        cap *= 2
                        pr2, pc2, pv2 = np.empty(cap, np.int64), np.empty(cap, np.int64), np.empty(cap)
                        pr2[:n_p], pc2[:n_p], pv2[:n_p] = pr[:n_p], pc[:n_p], pv[:n_p]
                        pr, pc, pv = pr2, pc2, pv2
                    pr[n_p], pc[n_p], pv[n_p] = i, j, d
                    n_p += 1
                    if d < best:
                        best, bj = d, j
            if bj >= 0:
                on += 1
                err += best
                held[bj] = True
        asg = np.full(m, -1, np.int64)
        _assign(m, n, pr[:n_p], pc[:n_p], pv[:n_p], n_p, c, asg)
        loc, k = 0.0, 0
        for i in range(m):
            j = asg[i]
            if j >= 0:
                dx = est[a + i, 0] - truth[ta + j, 0]
                dy = est[a + i, 1] - truth[ta + j, 1]
                loc += np.sqrt(dx * dx + dy * dy)
                k += 1
        out[g, 0] = loc + c / 2.0 * (m + n - 2 * k)
        out[g, 2] = held.sum()
        out[g, 4] = on
        out[g, 5] = err
    return out


def score_many(est_xy: F, est_start: NDArray[np.int64], truth_xy: F, truth_start: NDArray[np.int64],
               c_m: float = GOSPA_CUTOFF_M) -> F:
    """What :meth:`PictureScore.add` counts at many evaluation times, in compiled code.

    Time ``g`` has estimates ``est_xy[est_start[g]:est_start[g + 1]]`` and truths likewise.
    Returns ``(T, 6)``: GOSPA (:math:`p = 1`, :math:`\alpha = 2`, solved on the pairs closer
    than ``c_m`` by the assignment of :func:`~skyshield.tracking.gospa`), threats, threats held,
    tracks, tracks on a threat, and the sum of their distances to their nearest threat, as
    :meth:`PictureScore.add_many` takes them.
    """
    return _score_many(np.ascontiguousarray(est_xy, float), np.ascontiguousarray(est_start, np.int64),
                       np.ascontiguousarray(truth_xy, float), np.ascontiguousarray(truth_start, np.int64),
                       float(c_m))


class PictureScore:
    """Accumulates GOSPA and SIAP counts over evaluation times."""

    def __init__(self, c_m: float = GOSPA_CUTOFF_M) -> None:
        self.c = c_m
        self.n = 0
        self.gospa_sum = 0.0
        self.truth = 0.0
        self.held = 0.0
        self.tracks = 0.0
        self.on_truth = 0.0
        self.err_sum = 0.0

    def add(self, est_xy: F, truth_xy: F) -> None:
        """Score one evaluation time."""
        self.n += 1
        self.gospa_sum += gospa(est_xy, truth_xy, c=self.c, p=1.0, alpha=2.0).distance
        self.truth += len(truth_xy)
        self.tracks += len(est_xy)
        if len(est_xy) and len(truth_xy):
            d, j = cKDTree(truth_xy).query(est_xy, distance_upper_bound=self.c)
            ok = np.isfinite(d)
            self.on_truth += ok.sum()
            self.held += np.unique(j[ok]).size
            self.err_sum += d[ok].sum()

    def add_counts(self, gospa_m: float, truth: float, held: float, tracks: float, on_truth: float,
                   err_sum: float) -> None:
        """Score one evaluation time from counts (the fast model)."""
        self.n += 1
        self.gospa_sum += gospa_m
        self.truth += truth
        self.held += held
        self.tracks += tracks
        self.on_truth += on_truth
        self.err_sum += err_sum

    def add_many(self, gospa_m: F, truth: F, held: F, tracks: F, on_truth: F, err_sum: F) -> None:
        """Score many evaluation times at once from per-time counts (arrays of equal length)."""
        self.n += int(np.size(gospa_m))
        self.gospa_sum += float(np.sum(gospa_m))
        self.truth += float(np.sum(truth))
        self.held += float(np.sum(held))
        self.tracks += float(np.sum(tracks))
        self.on_truth += float(np.sum(on_truth))
        self.err_sum += float(np.sum(err_sum))

    def metrics(self) -> dict[str, float]:
        return {
            "gospa_m": self.gospa_sum / self.n if self.n else 0.0,
            "siap_completeness": self.held / self.truth if self.truth else 0.0,
            "siap_ambiguity": self.on_truth / self.held if self.held else 0.0,
            "siap_spuriousness": (self.tracks - self.on_truth) / self.tracks if self.tracks else 0.0,
            "siap_accuracy_m": self.err_sum / self.on_truth if self.on_truth else 0.0,
        }


def latency_s(first_cover_s: F, picture_s: F, arrival_s: F) -> float:
    """Mean delay from first coverage to first picture, over threats seen before arrival."""
    ok = np.isfinite(picture_s) & (picture_s <= arrival_s) & np.isfinite(first_cover_s)
    return float(np.mean(np.maximum(picture_s[ok] - first_cover_s[ok], 0.0))) if ok.any() else 0.0
