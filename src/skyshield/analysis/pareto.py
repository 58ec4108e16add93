r"""Pareto fronts: the options (and design points) no other one beats on every objective.

Point :math:`a` dominates :math:`b` when it is at least as good on every objective and
strictly better on one; the front is the set of points no point dominates. With objectives
turned to minimisation (a maximised one is negated), :math:`a \prec b \iff a \le b` element
wise and :math:`a \ne b`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["pareto_mask"]


def pareto_mask(points: ArrayLike, senses: Sequence[str] | None = None) -> NDArray[np.bool_]:
    """Boolean mask of the non-dominated rows of ``points`` ``(n, k)``.

    Parameters
    ----------
    senses
        ``"min"`` or ``"max"`` per objective (default: all minimised). Rows with a NaN are
        never on the front. Duplicate points are all kept.

    >>> pareto_mask([[1, 5], [2, 2], [3, 3], [5, 1]]).tolist()
    [True, True, False, True]
    """
    p = np.array(points, dtype=float, ndmin=2)
    n, k = p.shape
    if senses is not None:
        if len(senses) != k:
            raise ValueError(f"{len(senses)} senses for {k} objectives")
        sign = np.array([1.0 if s == "min" else -1.0 if s == "max" else np.nan for s in senses])
        if np.isnan(sign).any():
            raise ValueError("each sense is 'min' or 'max'")
        p = p * sign
    ok = ~np.isnan(p).any(axis=1)
    mask = ok.copy()
    idx = np.flatnonzero(ok)
    q = p[idx]
    # n is the number of (option, sample) points, hundreds at most: an O(n^2 k) sweep is fine.
    for j, i in enumerate(idx):
        le = (q <= q[j]).all(axis=1)
        lt = (q < q[j]).any(axis=1)
        if (le & lt).any():
            mask[i] = False
    return mask
