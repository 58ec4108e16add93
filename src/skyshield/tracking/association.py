r"""Gating and global-nearest-neighbour (GNN) assignment on sparse candidate pairs.

Gating keeps the (track, detection) pairs whose Mahalanobis distance

.. math::

    d_{ij} = \sqrt{(z_j - \hat z_i)^\top S_i^{-1} (z_j - \hat z_i)}

is below the gate :math:`g`.  Candidates are found with a kd-tree in measurement space: the
gate ellipse of track :math:`i` lies inside the disc of radius
:math:`g\sqrt{\lambda_{\max}(S_i)}`, so a Euclidean search with the largest such radius loses
no pair, and the exact distance is then evaluated on the candidates only.

GNN then solves, with one "missed" option per track at cost :math:`g`,

.. math::

    \min_{a} \sum_{i\,\text{assigned}} d_{i a(i)} + \sum_{i\,\text{missed}} g,

each detection used at most once: exactly the rectangular 2-D assignment that Stone Soup's
``GNNWith2DAssignment`` builds (a track x (detections + one dummy per track) cost matrix),
solved here on the sparse graph.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching
from scipy.spatial import cKDTree

from skyshield.tracking.kalman import inv_2x2

__all__ = ["gate_pairs", "sparse_assignment", "gnn_assign"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def gate_pairs(
    z_pred: FloatArray,
    S: FloatArray,
    z: FloatArray,
    gate: float,
) -> tuple[IntArray, IntArray, FloatArray]:
    r"""Candidate (track, detection) pairs inside the Mahalanobis gate.

    Parameters
    ----------
    z_pred : numpy.ndarray
        Predicted 2-D measurements, shape ``(T, 2)``, m.
    S : numpy.ndarray
        Innovation covariances, shape ``(T, 2, 2)``, m^2.
    z : numpy.ndarray
        Detections, shape ``(D, 2)``, m.
    gate : float
        Mahalanobis gate :math:`g` (a distance, not squared).

    Returns
    -------
    rows : numpy.ndarray
        Track index of each pair, int, shape ``(K,)``, sorted by (row, col).
    cols : numpy.ndarray
        Detection index of each pair, int, shape ``(K,)``.
    dist : numpy.ndarray
        Mahalanobis distance :math:`d_{ij} < g`, shape ``(K,)``.
    """
    n_t, n_d = len(z_pred), len(z)
    empty = np.empty(0, dtype=np.int64)
    if n_t == 0 or n_d == 0:
        return empty, empty.copy(), np.empty(0)
    # Largest eigenvalue of each symmetric 2x2 S, closed form.
    a, b, d = S[:, 0, 0], S[:, 0, 1], S[:, 1, 1]
    lam_max = 0.5 * (a + d) + np.sqrt(0.25 * (a - d) ** 2 + b * b)
    radius_m = gate * float(np.sqrt(lam_max.max())) * (1.0 + 1e-9)
    pairs = cKDTree(z_pred).sparse_distance_matrix(
        cKDTree(z), radius_m, output_type="ndarray"
    )
    rows = pairs["i"].astype(np.int64)
    cols = pairs["j"].astype(np.int64)
    S_inv, _ = inv_2x2(S)
    nu = z[cols] - z_pred[rows]
    Si = S_inv[rows]
    d2 = (
        Si[:, 0, 0] * nu[:, 0] ** 2
        + (Si[:, 0, 1] + Si[:, 1, 0]) * nu[:, 0] * nu[:, 1]
        + Si[:, 1, 1] * nu[:, 1] ** 2
    )
    dist = np.sqrt(np.maximum(d2, 0.0))
    keep = dist < gate
    rows, cols, dist = rows[keep], cols[keep], dist[keep]
    order = np.lexsort((cols, rows))
    return rows[order], cols[order], dist[order]


def sparse_assignment(
    n_rows: int,
    n_cols: int,
    rows: IntArray,
    cols: IntArray,
    cost: FloatArray,
    miss_cost: float,
) -> IntArray:
    r"""Minimum-cost assignment with an optional "unassigned" option for every row.

    Solves

    .. math::

        \min_{a} \sum_{i:\,a(i) \ne -1} c_{i a(i)} + \sum_{i:\,a(i) = -1} c_{miss}

    over partial one-to-one maps from rows to columns that use only the listed pairs.  Pairs
    whose row and column have no other candidate are decided in one vectorised pass; the rest
    is solved exactly as a sparse full bipartite matching of rows against (columns + one dummy
    column per row, weight ``miss_cost``) with
    :func:`scipy.sparse.csgraph.min_weight_full_bipartite_matching` (LAPJVsp).

    Parameters
    ----------
    n_rows, n_cols : int
        Problem size.
    rows, cols : numpy.ndarray
        Allowed pairs, int, shape ``(K,)``, no duplicates.
    cost : numpy.ndarray
        Pair costs, shape ``(K,)``.
    miss_cost : float
        Cost of leaving a row unassigned.

    Returns
    -------
    numpy.ndarray
        Column assigned to each row, ``-1`` for unassigned, shape ``(n_rows,)``.
    """
    assign = np.full(n_rows, -1, dtype=np.int64)
    if len(rows) == 0:
        return assign
    # Only pairs that beat the miss option can ever be used.
    ok = cost < miss_cost
    rows, cols, cost = rows[ok], cols[ok], cost[ok]
    if len(rows) == 0:
        return assign
    row_deg = np.bincount(rows, minlength=n_rows)
    col_deg = np.bincount(cols, minlength=n_cols)
    simple = (row_deg[rows] == 1) & (col_deg[cols] == 1)
    assign[rows[simple]] = cols[simple]
    if simple.all():
        return assign
    rows, cols, cost = rows[~simple], cols[~simple], cost[~simple]
    ur, r_loc = np.unique(rows, return_inverse=True)
    uc, c_loc = np.unique(cols, return_inverse=True)
    m, k = len(ur), len(uc)
    # Each row has exactly one entry in a full matching (a real pair or its own dummy), so a
    # common shift of all costs leaves the optimum unchanged; it keeps every weight > 0
    # because the sparse solver cannot tell a zero weight from a missing edge.
    shift = 1.0 - min(float(cost.min()), miss_cost)
    weights = np.concatenate([cost, np.full(m, miss_cost)]) + shift
    g_rows = np.concatenate([r_loc, np.arange(m)])
    g_cols = np.concatenate([c_loc, k + np.arange(m)])
    graph = csr_matrix((weights, (g_rows, g_cols)), shape=(m, k + m))
    r_idx, c_idx = min_weight_full_bipartite_matching(graph)
    real = c_idx < k
    assign[ur[r_idx[real]]] = uc[c_idx[real]]
    return assign


def gnn_assign(
    z_pred: FloatArray, S: FloatArray, z: FloatArray, gate: float
) -> tuple[IntArray, FloatArray]:
    r"""Gate and assign detections to tracks by global nearest neighbour.

    Parameters
    ----------
    z_pred : numpy.ndarray
        Predicted measurements, shape ``(T, 2)``, m.
    S : numpy.ndarray
        Innovation covariances, shape ``(T, 2, 2)``, m^2.
    z : numpy.ndarray
        Detections, shape ``(D, 2)``, m.
    gate : float
        Mahalanobis gate; also the cost of a missed detection.

    Returns
    -------
    assign : numpy.ndarray
        Detection index for each track, ``-1`` where missed, shape ``(T,)``.
    dist : numpy.ndarray
        Mahalanobis distance of each assigned pair, ``nan`` where missed, shape ``(T,)``.
    """
    rows, cols, dist = gate_pairs(z_pred, S, z, gate)
    assign = sparse_assignment(len(z_pred), len(z), rows, cols, dist, gate)
    out = np.full(len(z_pred), np.nan)
    hit = assign >= 0
    if hit.any():
        # rows/cols are sorted by (row, col): locate each chosen pair by binary search.
        key = rows * max(len(z), 1) + cols
        pos = np.searchsorted(key, np.flatnonzero(hit) * max(len(z), 1) + assign[hit])
        out[hit] = dist[pos]
    return assign, out
