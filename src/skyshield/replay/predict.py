r"""The predictive distribution of a night's reported destroyed count, and its interval.

A night's reported destroyed (or suppressed) count of a class with :math:`n` launches is one
draw of a random process. Given the model, it is predicted by a mixture over the parameter
draws :math:`s = 1..S` (:meth:`skyshield.replay.params.Calibration.draws`) of beta-binomial
laws:

.. math::

    K \mid s \sim \mathrm{BetaBinomial}\bigl(n,\ \bar m_s,\ \rho\bigr),
    \qquad P(K = k) = \frac{1}{S}\sum_s P(K = k \mid s),

where :math:`\bar m_s` is the mean simulated fraction of draw :math:`s` (its replications
average the Monte Carlo noise away), and :math:`\rho` the class's night-to-night spread
fitted on the calibration period (:func:`estimate_rho`). The three parts of the interval's
width are thus: the **binomial noise** of a count of :math:`n` (all of it when
:math:`\rho = 0`), the **parameter uncertainty** (the spread of :math:`\bar m_s`), and the
**unexplained spread** between nights (:math:`\rho > 0` inflates the variance to
:math:`n p (1 - p) (1 + (n - 1) \rho)`).

The central interval at level :math:`L` runs from the :math:`(1 - L)/2` to the
:math:`(1 + L)/2` quantile of :math:`K / n` (quantiles of a discrete law: the smallest
:math:`k` whose distribution function reaches the level).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

__all__ = ["LEVEL", "estimate_rho", "mixture_pmf", "predictive_interval"]

LEVEL = 0.9
"""Default level of the predictive interval (90 %)."""
_EPS = 1e-9


def mixture_pmf(n: int, means: ArrayLike, rho: float = 0.0) -> NDArray[np.float64]:
    """``P(K = k)`` for ``k = 0..n`` of the equal-weight mixture over ``means``.

    Parameters
    ----------
    n
        Launches (trials), at least 1.
    means
        Mean destroyed fraction of each parameter draw, in ``[0, 1]``.
    rho
        Intra-night correlation of the beta-binomial, ``0 <= rho < 1`` (0: binomial).
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    if not 0.0 <= rho < 1.0:
        raise ValueError("rho must be in [0, 1)")
    m = np.clip(np.asarray(means, dtype=float).ravel(), 0.0, 1.0)
    if m.size == 0:
        raise ValueError("at least one mean is needed")
    k = np.arange(n + 1)
    if rho <= 0.0:
        # SciPy's binomial overflows for p near the smallest normal double (2e-308); within
        # 1e-15 of 0 or 1 the pmf equals the degenerate one to far below any reported digit
        m = np.where(m < 1e-15, 0.0, np.where(m > 1.0 - 1e-15, 1.0, m))
        pmf = stats.binom.pmf(k[None, :], n, m[:, None])
    else:
        mc = np.clip(m, _EPS, 1.0 - _EPS)
        scale = 1.0 / rho - 1.0
        pmf = stats.betabinom.pmf(k[None, :], n, (mc * scale)[:, None], ((1.0 - mc) * scale)[:, None])
    out = pmf.mean(axis=0)
    return out / out.sum()


def predictive_interval(n: int, means: ArrayLike, rho: float = 0.0, level: float = LEVEL) -> tuple[float, float]:
    """Central predictive interval of the reported *fraction* ``K / n`` at ``level``."""
    if not 0.0 < level < 1.0:
        raise ValueError("level must be in (0, 1)")
    cdf = np.cumsum(mixture_pmf(n, means, rho))
    lo_q, hi_q = (1.0 - level) / 2.0, (1.0 + level) / 2.0
    lo = int(np.searchsorted(cdf, lo_q - 1e-12))
    hi = int(np.searchsorted(cdf, hi_q - 1e-12))
    return lo / n, min(hi, n) / n


def estimate_rho(reported: ArrayLike, model: ArrayLike, n: ArrayLike) -> float:
    r"""Night-to-night spread the model leaves unexplained (method of moments).

    With :math:`E[(r_i - m_i)^2] = \frac{m_i (1 - m_i)}{n_i}\,(1 + (n_i - 1)\rho)` for the
    reported fraction :math:`r_i` of night :math:`i`, model mean :math:`m_i` and count
    :math:`n_i`, the pooled estimate is

    .. math::

        \hat\rho = \frac{\sum_i (r_i - m_i)^2 - m_i (1 - m_i)/n_i}
                        {\sum_i m_i (1 - m_i)(n_i - 1)/n_i},

    clipped to ``[0, 0.99]``. The model's bias on the calibration nights counts as spread.
    """
    r = np.asarray(reported, dtype=float)
    m = np.clip(np.asarray(model, dtype=float), _EPS, 1.0 - _EPS)
    nn = np.maximum(np.asarray(n, dtype=float), 1.0)
    if r.size == 0:
        return 0.0
    num = float(np.sum((r - m) ** 2 - m * (1.0 - m) / nn))
    den = float(np.sum(m * (1.0 - m) * (nn - 1.0) / nn))
    if den <= 0:
        return 0.0
    return float(np.clip(num / den, 0.0, 0.99))
