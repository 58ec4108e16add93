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

import numba
import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from skyshield.tracking.kalman import inv_2x2

__all__ = ["gate_pairs", "sparse_assignment", "gnn_assign"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
F = FloatArray
I = IntArray


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
    whose row and column have no other candidate are decided directly; every other connected
    component of the candidate graph is solved exactly as a full assignment of its rows to (its
    columns + one dummy column per row, cost ``miss_cost``) by shortest augmenting paths
    (compiled; the solver of SciPy's ``linear_sum_assignment``). Tested against SciPy's sparse
    matching (``min_weight_full_bipartite_matching``, LAPJVsp) on the whole problem.

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
    rows = np.ascontiguousarray(rows, np.int64)
    _assign(int(n_rows), int(n_cols), rows, np.ascontiguousarray(cols, np.int64),
            np.ascontiguousarray(cost, float), rows.size, float(miss_cost), assign)
    return assign


@numba.njit(cache=True, nogil=True)
def _lsa(C: F) -> I:
    """Minimum-cost full assignment of the rows of ``C`` (m <= n, ``inf`` = forbidden).

    Shortest augmenting paths with dual variables (Crouse 2016, as in SciPy). Returns the
    column of each row, -1 if the problem is infeasible.
    """
    m, n = C.shape
    u = np.zeros(m)
    v = np.zeros(n)
    shortest = np.empty(n)
    path = np.full(n, -1, np.int64)
    col4row = np.full(m, -1, np.int64)
    row4col = np.full(n, -1, np.int64)
    SR = np.zeros(m, np.bool_)
    SC = np.zeros(n, np.bool_)
    remaining = np.empty(n, np.int64)
    for cur in range(m):
        min_val = 0.0
        i = cur
        n_rem = n
        for it in range(n):
            remaining[it] = n - it - 1
        SR[:] = False
        SC[:] = False
        shortest[:] = np.inf
        sink = -1
        while sink == -1:
            index = -1
            lowest = np.inf
            SR[i] = True
            for it in range(n_rem):
                j = remaining[it]
                r = min_val + C[i, j] - u[i] - v[j]
                if r < shortest[j]:
                    path[j] = i
                    shortest[j] = r
                if shortest[j] < lowest or (shortest[j] == lowest and row4col[j] == -1):
                    lowest = shortest[j]
                    index = it
            min_val = lowest
            if min_val == np.inf or index < 0:
                return np.full(m, -1, np.int64)
            j = remaining[index]
            if row4col[j] == -1:
                sink = j
            else:
                i = row4col[j]
            SC[j] = True
            n_rem -= 1
            remaining[index] = remaining[n_rem]
        u[cur] += min_val
        for i in range(m):
            if SR[i] and i != cur:
                u[i] += min_val - shortest[col4row[i]]
        for j in range(n):
            if SC[j]:
                v[j] -= min_val - shortest[j]
        j = sink
        while True:
            i = path[j]
            row4col[j] = i
            tmp = col4row[i]
            col4row[i] = j
            j = tmp
            if i == cur:
                break
    return col4row


@numba.njit(cache=True, nogil=True)
def _find(parent: I, a: int) -> int:
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


@numba.njit(cache=True, nogil=True)
def _assign(n_rows: int, n_cols: int, rows: I, cols: I, cost: F, n_pairs: int, miss: float,
            out: I) -> None:
    """``out[row] = col`` of the minimum-cost partial assignment (``sparse_assignment``)."""
    if n_pairs == 0:
        return
    row_deg = np.zeros(n_rows, np.int64)
    col_deg = np.zeros(n_cols, np.int64)
    n_ok = 0
    for p in range(n_pairs):
        if cost[p] < miss:
            row_deg[rows[p]] += 1
            col_deg[cols[p]] += 1
            n_ok += 1
    if n_ok == 0:
        return
    # Union-find over rows (0..n_rows-1) and columns (n_rows..) for the contested pairs.
    parent = np.arange(n_rows + n_cols)
    hard = False
    for p in range(n_pairs):
        if not cost[p] < miss:
            continue
        r, c = rows[p], cols[p]
        if row_deg[r] == 1 and col_deg[c] == 1:
            out[r] = c
        else:
            hard = True
            a = _find(parent, r)
            b = _find(parent, n_rows + c)
            if a != b:
                parent[a] = b
    if not hard:
        return
    # Local indices of the rows and columns of each component.
    comp_of_row = np.full(n_rows, -1, np.int64)
    root_id = np.full(n_rows + n_cols, -1, np.int64)
    n_comp = 0
    for p in range(n_pairs):
        r, c = rows[p], cols[p]
        if not cost[p] < miss or (row_deg[r] == 1 and col_deg[c] == 1):
            continue
        root = _find(parent, r)
        if root_id[root] < 0:
            root_id[root] = n_comp
            n_comp += 1
        comp_of_row[r] = root_id[root]
    local_r = np.full(n_rows, -1, np.int64)
    local_c = np.full(n_cols, -1, np.int64)
    nr = np.zeros(n_comp, np.int64)
    nc = np.zeros(n_comp, np.int64)
    for r in range(n_rows):  # rows and columns in increasing index order, as np.unique
        k = comp_of_row[r]
        if k >= 0:
            local_r[r] = nr[k]
            nr[k] += 1
    col_comp = np.full(n_cols, -1, np.int64)
    for p in range(n_pairs):
        r, c = rows[p], cols[p]
        if comp_of_row[r] >= 0 and cost[p] < miss:
            col_comp[c] = comp_of_row[r]
    for c in range(n_cols):
        k = col_comp[c]
        if k >= 0:
            local_c[c] = nc[k]
            nc[k] += 1
    # Members of each component, bucketed once (rows and columns in increasing index order,
    # pairs in input order): each component then costs its own size, not the problem's.
    r_ptr = np.zeros(n_comp + 1, np.int64)
    c_ptr = np.zeros(n_comp + 1, np.int64)
    p_ptr = np.zeros(n_comp + 1, np.int64)
    for k in range(n_comp):
        r_ptr[k + 1] = r_ptr[k] + nr[k]
        c_ptr[k + 1] = c_ptr[k] + nc[k]
    r_mem = np.empty(r_ptr[n_comp], np.int64)
    c_mem = np.empty(c_ptr[n_comp], np.int64)
    for r in range(n_rows):
        k = comp_of_row[r]
        if k >= 0:
            r_mem[r_ptr[k] + local_r[r]] = r
    for c in range(n_cols):
        k = col_comp[c]
        if k >= 0:
            c_mem[c_ptr[k] + local_c[c]] = c
    for p in range(n_pairs):
        k = comp_of_row[rows[p]]
        if k >= 0 and cost[p] < miss:
            p_ptr[k + 1] += 1
    for k in range(n_comp):
        p_ptr[k + 1] += p_ptr[k]
    p_mem = np.empty(p_ptr[n_comp], np.int64)
    p_fill = p_ptr[:-1].copy()
    for p in range(n_pairs):
        k = comp_of_row[rows[p]]
        if k >= 0 and cost[p] < miss:
            p_mem[p_fill[k]] = p
            p_fill[k] += 1
    for k in range(n_comp):
        m = nr[k]
        kc = nc[k]
        C = np.full((m, kc + m), np.inf)
        for i in range(m):
            C[i, kc + i] = miss
        gr = r_mem[r_ptr[k]:r_ptr[k + 1]]
        gc = c_mem[c_ptr[k]:c_ptr[k + 1]]
        for q in range(p_ptr[k], p_ptr[k + 1]):
            p = p_mem[q]
            C[local_r[rows[p]], local_c[cols[p]]] = cost[p]
        a = _lsa(C)
        for i in range(m):
            if 0 <= a[i] < kc:
                out[gr[i]] = gc[a[i]]



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
