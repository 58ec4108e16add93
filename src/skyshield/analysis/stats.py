"""Summary statistics over replications: means with Student-t confidence intervals."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats

__all__ = ["is_probability", "mean_ci", "summarise", "paired_difference"]


def mean_ci(x: Sequence[float] | np.ndarray, level: float = 0.95, proportion: bool = False) -> tuple[float, float, float]:
    r"""Mean and two-sided confidence interval :math:`\bar x \pm t_{n-1} s / \sqrt n`.

    With ``proportion`` (a metric that is a probability: ``p_direct_engagement`` on a night,
    ``p_rung_ge_<k>``) and every value 0 or 1, the mean is a proportion and the interval is
    Wilson's score interval: it stays inside [0, 1] and is not empty when every replication
    agreed (0 of 100 gives [0, 0.037], where the t interval would give [0, 0]). Counts and
    paired differences keep the t interval (a difference that is zero by construction, as for
    an option with no forces on a night, stays exactly [0, 0]).
    With one replication (or none) the interval is degenerate at the mean (or NaN).
    """
    a = np.asarray(x, dtype=float)
    n = a.size
    if n == 0:
        return (math.nan, math.nan, math.nan)
    m = float(a.mean())
    if n == 1:
        return (m, m, m)
    if proportion and np.all((a == 0.0) | (a == 1.0)):
        ci = stats.binomtest(int(a.sum()), n).proportion_ci(level, method="wilson")
        return (m, float(ci.low), float(ci.high))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * a.std(ddof=1) / math.sqrt(n))
    return (m, m - half, m + half)


def is_probability(metric: str) -> bool:
    """Whether a metric is a probability estimated per replication (``p_<...>``)."""
    return metric.startswith("p_")


def summarise(rows: Sequence[Mapping[str, float]], level: float = 0.95) -> dict[str, dict[str, object]]:
    """``{metric: {"mean": m, "ci95": [lo, hi]}}`` over replication rows (missing = 0)."""
    keys: list[str] = []
    for r in rows:
        for k in r:
            if k not in keys:
                keys.append(k)
    out: dict[str, dict[str, object]] = {}
    for k in keys:
        m, lo, hi = mean_ci([float(r.get(k, 0.0)) for r in rows], level, proportion=is_probability(k))
        out[k] = {"mean": m, "ci95": [lo, hi]}
    return out


def paired_difference(
    a: Sequence[float], b: Sequence[float], level: float = 0.95
) -> tuple[float, float, float]:
    """Mean of ``a - b`` over common replications, with its CI (common random numbers)."""
    return mean_ci(np.asarray(a, float) - np.asarray(b, float), level)
