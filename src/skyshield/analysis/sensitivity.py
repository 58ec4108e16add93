r"""Global sensitivity: which uncertain inputs drive an output, through SALib.

For a model output :math:`Y = f(X_1, \dots, X_d)` with independent inputs, the first-order
Sobol index of :math:`X_i` is the share of the output variance explained by :math:`X_i`
alone, and the total index adds every interaction it takes part in:

.. math::

    S_i = \frac{\operatorname{Var}_{X_i}\left(E[Y \mid X_i]\right)}{\operatorname{Var}(Y)},
    \qquad
    S_{T_i} = 1 - \frac{\operatorname{Var}_{X_{\sim i}}\left(E[Y \mid X_{\sim i}]\right)}{\operatorname{Var}(Y)}.

A ``saltelli`` design gives both (Saltelli 2002 / Jansen estimators, SALib's ``sobol``
analysis); any other design (LHS, Sobol sequence, grid) of at least :data:`MIN_POINTS_DELTA`
points gives first-order indices from the given sample (SALib's ``delta`` method, Plischke et
al. 2013, which also returns Borgonovo's moment-independent :math:`\delta`). Here :math:`Y`
is the mean over a design point's replications, so replication noise adds to every index's
uncertainty: the confidence intervals come from SALib's bootstrap.

A smaller design (the shipped example has 16 points) is too small for the delta method's
bins. It gets a **linear screening** instead: the squared standardised regression
coefficients

.. math::

    \mathrm{SRC}_i^2 = \left(\beta_i \frac{\sigma_{X_i}}{\sigma_Y}\right)^2,

with :math:`\beta` the least-squares slopes of :math:`Y` on the inputs and a bootstrap 95 %
interval. For a model linear in independent inputs they are exactly the first-order indices
(and sum to :math:`R^2 = 1`); the result reports :math:`R^2`, and the further it is below 1
the less the screening says (it ranks inputs by their linear effect only).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["MIN_POINTS_DELTA", "MIN_POINTS_SCREENING", "sobol_indices", "src_indices"]

MIN_POINTS_DELTA = 64
"""Fewest design points for the delta method (its bins need about ten points each)."""
MIN_POINTS_SCREENING = 4
"""Fewest design points for the linear screening, beyond one per input plus one."""


def src_indices(x: np.ndarray, y: np.ndarray, seed: int = 0, num_resamples: int = 100) -> dict[str, Any]:
    """Squared standardised regression coefficients of ``y`` on the columns of ``x``, their
    bootstrap 95 % half-widths, and the :math:`R^2` of the linear fit.

    On a 2 x 2 factorial of ``y = 3 a + b`` they are the first-order indices, 9/10 and 1/10:

    >>> x = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])
    >>> r = src_indices(x, 3 * x[:, 0] + x[:, 1])
    >>> [round(v, 3) for v in r["S1"]], round(r["r2"], 6)
    ([0.9, 0.1], 1.0)
    """
    n, d = x.shape

    def fit(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, float]:
        a = np.column_stack([np.ones(len(ys)), xs])
        beta, *_ = np.linalg.lstsq(a, ys, rcond=None)
        sy = ys.std()
        if sy == 0:
            return np.full(d, np.nan), np.nan
        src = beta[1:] * xs.std(axis=0) / sy
        resid = ys - a @ beta
        return src**2, 1.0 - float(resid.var() / ys.var())

    s1, r2 = fit(x, y)
    rng = np.random.default_rng(seed)
    boots = np.array([fit(x[i], y[i])[0] for i in (rng.integers(0, n, n) for _ in range(num_resamples))])
    conf = 1.96 * np.nanstd(boots, axis=0) if num_resamples > 1 else np.zeros(d)
    return {"S1": s1.tolist(), "S1_conf": conf.tolist(), "r2": r2}


def sobol_indices(
    X: ArrayLike,
    Y: ArrayLike,
    names: Sequence[str],
    lows: Sequence[float],
    highs: Sequence[float],
    method: str = "saltelli",
    seed: int = 0,
    num_resamples: int = 100,
) -> dict[str, Any]:
    """Sensitivity indices of output ``Y`` (one value per design point) to the inputs ``X``.

    num_resamples
        Bootstrap resamples for the confidence intervals.

    Returns
    -------
    dict
        ``{"method", "names", "S1", "S1_conf"}`` and, for a ``saltelli`` design, ``"ST",
        "ST_conf"``; for other designs also ``"delta", "delta_conf"``. Lists, in ``names``
        order. ``{"method", "error"}`` when the indices cannot be estimated (constant output,
        too few points).
    """
    try:
        from SALib.analyze import delta as salib_delta
        from SALib.analyze import sobol as salib_sobol
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("sensitivity indices need SALib: pip install 'skyshield[analysis]'") from exc
    from ..experiments.design import salib_problem

    x = np.asarray(X, float)
    y = np.asarray(Y, float)
    problem = salib_problem(names, lows, highs)
    if not np.isfinite(y).all():
        return {"method": method, "error": "the output is missing at some design points (unfinished replications?)"}
    if y.size < MIN_POINTS_SCREENING or (method != "saltelli" and y.size < x.shape[1] + 2):
        return {"method": method, "error": f"{y.size} design points are too few for any index of "
                f"{x.shape[1]} inputs (at least {max(MIN_POINTS_SCREENING, x.shape[1] + 2)})"}
    if float(np.std(y)) == 0.0:
        return {"method": method, "error": "the output does not vary over the design"}
    if method != "saltelli" and y.size < MIN_POINTS_DELTA:
        r = src_indices(x, y, seed, num_resamples)
        return {"method": f"linear screening: squared standardised regression coefficients ({method} design, "
                f"{y.size} points; the delta method needs {MIN_POINTS_DELTA}), R^2 = {r['r2']:.2f}",
                "names": list(names), **r}
    try:
        if method == "saltelli":
            r = salib_sobol.analyze(problem, y, calc_second_order=False, seed=seed, num_resamples=num_resamples)
            return {"method": "sobol (Saltelli design)", "names": list(names),
                    "S1": r["S1"].tolist(), "S1_conf": r["S1_conf"].tolist(),
                    "ST": r["ST"].tolist(), "ST_conf": r["ST_conf"].tolist()}
        notes = io.StringIO()
        # SALib prints its binning notes and warns of possible bias: kept as notes, not console noise
        with contextlib.redirect_stdout(notes), contextlib.redirect_stderr(notes), \
                warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            r = salib_delta.analyze(problem, x, y, seed=seed, num_resamples=num_resamples)
        d = "delta" if "delta" in r else "delta_raw"  # SALib >= 1.5 names several variants
        s1 = np.asarray(r["S1"], float)
        if not np.isfinite(s1).all():  # SALib reports its failures as text and NaN
            why = next((ln for ln in notes.getvalue().splitlines() if "error" in ln.lower()), "no reason given")
            return {"method": method, "error": f"the delta method gave no index for some inputs ({why.strip()[:200]})"}
        return {"method": f"first-order Sobol via the delta method ({method} design)", "names": list(names),
                "S1": s1.tolist(), "S1_conf": np.asarray(r["S1_conf"]).tolist(),
                "delta": np.asarray(r[d]).tolist(), "delta_conf": np.asarray(r[d + "_conf"]).tolist(),
                "notes": sorted({str(w.message) for w in caught if "Bias" in str(w.message)})}
    except (ValueError, ZeroDivisionError, IndexError, np.linalg.LinAlgError) as exc:
        return {"method": method, "error": f"SALib could not estimate the indices: {exc}"}
