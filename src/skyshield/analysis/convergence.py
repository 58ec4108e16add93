r"""Convergence: are there enough replications for the precision the analyst asked for?

With :math:`n` replications of sample standard deviation :math:`s`, the half-width of the
two-sided confidence interval of the mean at level :math:`1 - \alpha` is

.. math:: h(n) = t_{1-\alpha/2,\,n-1}\, \frac{s}{\sqrt n}.

For a target half-width :math:`h^*` (absolute, or relative: :math:`h^* = \epsilon |\bar x|`)
the replications needed are the smallest :math:`n` with :math:`h(n) \le h^*`, which for large
:math:`n` is :math:`\lceil (z_{1-\alpha/2}\, s / h^*)^2 \rceil` (the standard sequential
procedure, Law & Kelton, *Simulation Modeling and Analysis*, section 9.4.1), taking the
pilot's :math:`s` as the standard deviation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

__all__ = ["ConvergenceRow", "check_convergence", "replications_needed", "running_mean_ci"]


def replications_needed(std: float, half_width: float, level: float = 0.95, n_max: int = 10**9) -> int | None:
    """Smallest ``n >= 2`` whose t-interval half-width ``t_{n-1} std / sqrt(n)`` is at most ``half_width``.

    ``None`` if no finite ``n`` reaches it (a zero target with a positive spread).

    >>> replications_needed(10.0, 1.0)  # (1.96 * 10 / 1)^2 = 384.2, a little more for t
    387
    """
    if std <= 0:
        return 2
    if half_width <= 0 or not math.isfinite(half_width):
        return None
    q = 0.5 + level / 2
    z = stats.norm.ppf(q)
    n = max(2, math.ceil((z * std / half_width) ** 2))
    if n > n_max:
        return None
    # the t quantile exceeds z: step up from the normal approximation (a few steps at most)
    lo = n
    while stats.t.ppf(q, lo - 1) * std / math.sqrt(lo) > half_width:
        lo = max(lo + 1, int(lo * 1.01))
    # and back down to the smallest n that works
    while lo > 2 and stats.t.ppf(q, lo - 2) * std / math.sqrt(lo - 1) <= half_width:
        lo -= 1
    return lo


@dataclass(frozen=True)
class ConvergenceRow:
    option: str
    sample: int
    metric: str
    n: int
    mean: float
    half_width: float
    target_half_width: float
    converged: bool
    n_required: int | None  # None: no finite number of replications reaches the target

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def check_convergence(
    x: ArrayLike,
    *,
    relative: float | None = 0.05,
    absolute: float | None = None,
    level: float = 0.95,
    option: str = "",
    sample: int = 0,
    metric: str = "",
) -> ConvergenceRow:
    """Compare the CI half-width of ``mean(x)`` with the target (absolute if given, else relative)."""
    a = np.asarray(x, float)
    n = a.size
    mean = float(a.mean()) if n else math.nan
    s = float(a.std(ddof=1)) if n > 1 else math.nan
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * s / math.sqrt(n)) if n > 1 else math.inf
    if absolute is not None:
        target = float(absolute)
    else:
        target = float(relative or 0.0) * abs(mean) if n else math.nan
    if n < 2:
        return ConvergenceRow(option, sample, metric, n, mean, half, target, False, None)
    if s == 0:
        return ConvergenceRow(option, sample, metric, n, mean, 0.0, target, True, n)
    need = replications_needed(s, target, level)
    return ConvergenceRow(option, sample, metric, n, mean, half, target, half <= target, need)


def running_mean_ci(x: ArrayLike, level: float = 0.95) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """``(n, mean_n, half_width_n)`` after each replication, for convergence plots."""
    a = np.asarray(x, float)
    n = np.arange(1, a.size + 1)
    csum = np.cumsum(a)
    csq = np.cumsum(a * a)
    mean = csum / n
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.maximum(csq - n * mean * mean, 0.0) / np.maximum(n - 1, 1)
        t = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
        half = np.where(n > 1, t * np.sqrt(var / n), np.nan)
    return n, mean, half
