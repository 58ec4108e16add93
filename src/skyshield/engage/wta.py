r"""Weapon-target assignment: which free fire channel engages which threat, now.

Given a value :math:`v_{jt}` for shooter :math:`j` engaging threat :math:`t` (threat priority
times the salvo's kill probability; ``-inf`` where it cannot) and a number of free channels
:math:`c_j` per shooter, find :math:`x_{jt} \in \{0, 1\}` maximising

.. math:: \sum_{j,t} v_{jt} x_{jt}\quad\text{s.t.}\quad \sum_t x_{jt} \le c_j,\ \ \sum_j x_{jt} \le 1.

This one-salvo-per-threat form is a linear assignment problem once each shooter is expanded
into :math:`c_j` identical rows, solved exactly by :func:`scipy.optimize.linear_sum_assignment`
(Hungarian / Jonker-Volgenant); :func:`greedy_assign` takes the best remaining pair first,
the classic baseline, which can lose up to half the optimal value.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

__all__ = ["greedy_assign", "optimal_assign", "assignment_value"]


def _expand(value: NDArray[np.float64], capacity: NDArray[np.int64]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    cap = np.minimum(np.asarray(capacity, dtype=np.int64), value.shape[1])
    rows = np.repeat(np.arange(value.shape[0]), np.maximum(cap, 0))
    return value[rows], rows


def greedy_assign(value: NDArray[np.float64], capacity: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Best pair first, until no feasible positive pair is left.

    Returns
    -------
    shooter, threat
        Assigned pairs, in the order chosen. Ties break on (shooter, threat) index.
    """
    v = np.asarray(value, dtype=np.float64)
    if v.size == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z
    order = np.lexsort((np.tile(np.arange(v.shape[1]), v.shape[0]), np.repeat(np.arange(v.shape[0]), v.shape[1]), -v.ravel()))
    left = np.asarray(capacity, dtype=np.int64).copy()
    taken = np.zeros(v.shape[1], bool)
    js: list[int] = []
    ts: list[int] = []
    flat = v.ravel()
    ncol = v.shape[1]
    for k in order.tolist():
        if not flat[k] > 0:
            break
        j, t = divmod(k, ncol)
        if left[j] > 0 and not taken[t]:
            left[j] -= 1
            taken[t] = True
            js.append(j)
            ts.append(t)
    return np.array(js, dtype=np.int64), np.array(ts, dtype=np.int64)


def optimal_assign(value: NDArray[np.float64], capacity: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The assignment of greatest total value (exact), pairs sorted by shooter then threat."""
    v = np.asarray(value, dtype=np.float64)
    if v.size == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z
    ve, rows = _expand(v, capacity)
    if ve.shape[0] == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z
    feasible = np.isfinite(ve) & (ve > 0)
    cost = np.where(feasible, -ve, 0.0)  # infeasible pairs are worth nothing; dropped below
    r, c = linear_sum_assignment(cost)
    keep = feasible[r, c]
    j, t = rows[r[keep]], c[keep]
    order = np.lexsort((t, j))
    return j[order].astype(np.int64), t[order].astype(np.int64)


def assignment_value(value: NDArray[np.float64], shooter: NDArray[np.int64], threat: NDArray[np.int64]) -> float:
    """Total value of an assignment."""
    return float(np.asarray(value)[shooter, threat].sum()) if len(shooter) else 0.0
