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

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from ..engine.trajectory import Segments, positions_at
from ..tracking import gospa
from .frames import Plane

__all__ = ["GOSPA_CUTOFF_M", "eval_times", "airborne_xy", "PictureScore", "latency_s", "METRIC_NAMES"]

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
