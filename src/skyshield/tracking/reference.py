"""Slow scalar reference tracker for differential tests (plain Python loops, no vectorisation).

This is deliberately written as one object per track, with the Kalman filter in plain Python
floats (standard form :math:`P^+ = (I - KH)P^-`, not Joseph), gating by a double loop over
(track, detection) pairs and GNN as one dense assignment over tracks x (detections + one dummy
per track), exactly as Stone Soup's ``GNNWith2DAssignment`` builds it.  It shares no code with
:mod:`skyshield.tracking.tracker` beyond :class:`~skyshield.tracking.tracker.TrackerParams`, so
agreement between the two is evidence that the vectorised tracker is right.

Use only on small cases: it is hundreds of times slower.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import linear_sum_assignment

from skyshield.tracking.tracker import TrackerParams

__all__ = ["ReferenceTrack", "ReferenceTracker"]

Matrix = list[list[float]]


def _matmul(a: Matrix, b: Matrix) -> Matrix:
    return [
        [sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))]
        for i in range(len(a))
    ]


def _transpose(a: Matrix) -> Matrix:
    return [list(row) for row in zip(*a, strict=True)]


def _add(a: Matrix, b: Matrix) -> Matrix:
    return [[a[i][j] + b[i][j] for j in range(len(a[0]))] for i in range(len(a))]


@dataclass
class ReferenceTrack:
    """One track: state as Python lists and its hit history (``True`` = updated)."""

    track_id: int
    x: list[float]
    P: Matrix
    hits: list[bool] = field(default_factory=list)
    confirmed: bool = False


class ReferenceTracker:
    """Scalar reference of :class:`skyshield.tracking.tracker.Tracker` (same semantics).

    Parameters
    ----------
    params : TrackerParams | None
        Static parameters.
    """

    def __init__(self, params: TrackerParams | None = None) -> None:
        self.params = params if params is not None else TrackerParams()
        self.tracks: list[ReferenceTrack] = []
        self.t_s: float | None = None
        self.next_id = 0

    # -- Kalman filter, scalar -------------------------------------------------------------
    def _predict(self, trk: ReferenceTrack, dt: float) -> None:
        q = self.params.q_m2ps3
        F = [[1.0, dt, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, dt], [0.0, 0.0, 0.0, 1.0]]
        a, b, c = q * dt**3 / 3.0, q * dt**2 / 2.0, q * dt
        Q = [[a, b, 0.0, 0.0], [b, c, 0.0, 0.0], [0.0, 0.0, a, b], [0.0, 0.0, b, c]]
        trk.x = [sum(F[i][j] * trk.x[j] for j in range(4)) for i in range(4)]
        trk.P = _add(_matmul(_matmul(F, trk.P), _transpose(F)), Q)

    def _innovation_cov(self, trk: ReferenceTrack) -> Matrix:
        r = self.params.meas_sigma_m**2
        P = trk.P
        return [[P[0][0] + r, P[0][2]], [P[2][0], P[2][2] + r]]

    def _distance(self, trk: ReferenceTrack, z: tuple[float, float]) -> float:
        S = self._innovation_cov(trk)
        det = S[0][0] * S[1][1] - S[0][1] * S[1][0]
        inv = [[S[1][1] / det, -S[0][1] / det], [-S[1][0] / det, S[0][0] / det]]
        nu = (z[0] - trk.x[0], z[1] - trk.x[2])
        d2 = sum(nu[i] * inv[i][j] * nu[j] for i in range(2) for j in range(2))
        return math.sqrt(max(d2, 0.0))

    def _update(self, trk: ReferenceTrack, z: tuple[float, float]) -> None:
        S = self._innovation_cov(trk)
        det = S[0][0] * S[1][1] - S[0][1] * S[1][0]
        inv = [[S[1][1] / det, -S[0][1] / det], [-S[1][0] / det, S[0][0] / det]]
        PHt = [[trk.P[i][0], trk.P[i][2]] for i in range(4)]
        K = _matmul(PHt, inv)
        nu = (z[0] - trk.x[0], z[1] - trk.x[2])
        trk.x = [trk.x[i] + K[i][0] * nu[0] + K[i][1] * nu[1] for i in range(4)]
        KH = [[K[i][0] if j == 0 else K[i][1] if j == 2 else 0.0 for j in range(4)]
              for i in range(4)]
        IKH = [[(1.0 if i == j else 0.0) - KH[i][j] for j in range(4)] for i in range(4)]
        trk.P = _matmul(IKH, trk.P)

    # -- association, dense -----------------------------------------------------------------
    def _associate(
        self, tracks: list[ReferenceTrack], dets: list[tuple[float, float]]
    ) -> dict[int, int]:
        """GNN over tracks x (detections + dummies); returns {track position: detection}."""
        gate = self.params.gate
        nt, nd = len(tracks), len(dets)
        if nt == 0 or nd == 0:
            return {}
        cost = np.full((nt, nd + nt), np.inf)
        any_valid = False
        for i, trk in enumerate(tracks):
            cost[i, nd + i] = gate
            for j, z in enumerate(dets):
                d = self._distance(trk, z)
                if d < gate:
                    cost[i, j] = d
                    any_valid = True
        if not any_valid:
            return {}
        rows, cols = linear_sum_assignment(cost)
        return {int(i): int(j) for i, j in zip(rows, cols, strict=True) if j < nd}

    # -- one scan ------------------------------------------------------------------------------
    def step(self, detections_xy: ArrayLike, t_s: float) -> list[ReferenceTrack]:
        """Process one scan; return the confirmed tracks (in track order)."""
        prm = self.params
        dets = [(float(a), float(b)) for a, b in np.asarray(detections_xy, float).reshape(-1, 2)]
        if self.t_s is not None and t_s != self.t_s:
            for trk in self.tracks:
                self._predict(trk, t_s - self.t_s)
        self.t_s = t_s
        used = [False] * len(dets)

        confirmed = [t for t in self.tracks if t.confirmed]
        assoc = self._associate(confirmed, dets)
        for i, trk in enumerate(confirmed):
            if i in assoc:
                self._update(trk, dets[assoc[i]])
                used[assoc[i]] = True
            trk.hits.append(i in assoc)

        tentative = [t for t in self.tracks if not t.confirmed]
        free = [j for j in range(len(dets)) if not used[j]]
        assoc = self._associate(tentative, [dets[j] for j in free])
        for i, trk in enumerate(tentative):
            if i in assoc:
                self._update(trk, dets[free[assoc[i]]])
                used[free[assoc[i]]] = True
            trk.hits.append(i in assoc)

        survivors = []
        for trk in self.tracks:
            misses = 0
            for h in reversed(trk.hits):
                if h:
                    break
                misses += 1
            if trk.confirmed:
                if misses < prm.confirmed_max_misses:
                    survivors.append(trk)
            elif sum(trk.hits[-prm.confirm_n:]) >= prm.confirm_m:
                trk.confirmed = True
                survivors.append(trk)
            elif misses < prm.tentative_max_misses and len(trk.hits) < prm.confirm_n:
                survivors.append(trk)
        self.tracks = survivors

        r, v = prm.meas_sigma_m**2, prm.init_vel_sigma_mps**2
        for j, z in enumerate(dets):
            if not used[j]:
                P = [[r, 0.0, 0.0, 0.0], [0.0, v, 0.0, 0.0], [0.0, 0.0, r, 0.0], [0.0, 0.0, 0.0, v]]
                self.tracks.append(ReferenceTrack(self.next_id, [z[0], 0.0, z[1], 0.0], P, [True]))
                self.next_id += 1
        return [t for t in self.tracks if t.confirmed]
