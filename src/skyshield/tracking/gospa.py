r"""Generalised optimal sub-pattern assignment (GOSPA) metric.

For estimates :math:`X = \{x_1..x_m\}` and truths :math:`Y = \{y_1..y_n\}` with
:math:`m \le n` (swap otherwise), cut-off :math:`c`, order :math:`p` and :math:`\alpha \in (0, 2]`
(Rahmathullah, García-Fernández and Svensson, 2017):

.. math::

    d_p^{(c,\alpha)}(X, Y) = \left( \min_{\pi \in \Pi_n} \sum_{i=1}^{m}
    d^{(c)}(x_i, y_{\pi(i)})^p + \frac{c^p}{\alpha}(n - m) \right)^{1/p},
    \qquad d^{(c)}(x, y) = \min(\lVert x - y\rVert, c).

For :math:`\alpha = 2` this equals the assignment form

.. math::

    d = \left( \min_{\gamma} \sum_{(i,j)\in\gamma} \lVert x_i - y_j\rVert^p
    + \frac{c^p}{2}\,(m + n - 2|\gamma|) \right)^{1/p},

minimised over partial assignments :math:`\gamma` whose pairs are closer than :math:`c`, which
splits the metric into localisation error, missed targets and false tracks.  Only pairs closer
than :math:`c` matter, so the :math:`\alpha = 2` case is solved on a sparse kd-tree pair list.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree

from skyshield.tracking.association import sparse_assignment

__all__ = ["GospaResult", "gospa"]


@dataclass(frozen=True)
class GospaResult:
    """GOSPA value and its decomposition (decomposition only defined for ``alpha = 2``).

    Attributes
    ----------
    distance : float
        The GOSPA metric, in the units of the positions (m).
    localisation : float
        Sum of :math:`\\lVert x - y \\rVert^p` over assigned pairs (m^p).
    n_missed : int
        Truths left unassigned.
    n_false : int
        Estimates left unassigned.
    """

    distance: float
    localisation: float
    n_missed: int
    n_false: int


def gospa(
    est_xy: ArrayLike, truth_xy: ArrayLike, c: float = 10.0, p: float = 1.0, alpha: float = 2.0
) -> GospaResult:
    """GOSPA between one set of estimated and one set of true positions.

    Parameters
    ----------
    est_xy : array_like
        Estimated positions, ``(m, d)``.
    truth_xy : array_like
        True positions, ``(n, d)``.
    c : float, optional
        Cut-off distance (> 0).
    p : float, optional
        Order (>= 1).
    alpha : float, optional
        Cardinality-mismatch weight, in (0, 2].

    Returns
    -------
    GospaResult
        Metric and (for ``alpha = 2``) its decomposition; for other ``alpha`` the
        decomposition fields report the assignment of the cut-off form.

    Examples
    --------
    >>> gospa([[0.0, 0.0], [100.0, 0.0]], [[3.0, 4.0]], c=10.0, p=1.0).distance
    10.0
    """
    X = np.asarray(est_xy, dtype=float)
    Y = np.asarray(truth_xy, dtype=float)
    X = X.reshape(len(X), -1) if X.size else X.reshape(0, Y.shape[1] if Y.ndim == 2 else 2)
    Y = Y.reshape(len(Y), -1) if Y.size else Y.reshape(0, X.shape[1])
    if not (0.0 < alpha <= 2.0) or c <= 0 or p < 1:
        raise ValueError("need 0 < alpha <= 2, c > 0, p >= 1")
    m, n = len(X), len(Y)
    cp = c**p
    if m == 0 or n == 0:
        return GospaResult(float((cp / alpha * (m + n)) ** (1 / p)), 0.0, n, m)
    if alpha == 2.0:
        pairs = cKDTree(X).sparse_distance_matrix(cKDTree(Y), c, output_type="ndarray")
        keep = pairs["v"] < c
        rows = pairs["i"][keep].astype(np.int64)
        cols = pairs["j"][keep].astype(np.int64)
        dp = pairs["v"][keep] ** p
        a = sparse_assignment(m, n, rows, cols, dp, cp)
        hit = a >= 0
        loc = float(np.sum(np.linalg.norm(X[hit] - Y[a[hit]], axis=1) ** p))
        k = int(hit.sum())
        total = loc + cp / 2.0 * (m + n - 2 * k)
        return GospaResult(float(total ** (1 / p)), loc, n - k, m - k)
    d = np.sqrt(((X[:, None, :] - Y[None, :, :]) ** 2).sum(-1))
    dcp = np.minimum(d, c) ** p
    r, col = linear_sum_assignment(dcp)
    total = dcp[r, col].sum() + cp / alpha * abs(n - m)
    ok = d[r, col] < c
    k = int(ok.sum())
    return GospaResult(float(total ** (1 / p)), float(dcp[r[ok], col[ok]].sum()), n - k, m - k)
