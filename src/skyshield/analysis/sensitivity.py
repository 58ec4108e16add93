r"""Global sensitivity: which uncertain inputs drive an output, through SALib.

For a model output :math:`Y = f(X_1, \dots, X_d)` with independent inputs, the first-order
Sobol index of :math:`X_i` is the share of the output variance explained by :math:`X_i`
alone, and the total index adds every interaction it takes part in:

.. math::

    S_i = \frac{\operatorname{Var}_{X_i}\left(E[Y \mid X_i]\right)}{\operatorname{Var}(Y)},
    \qquad
    S_{T_i} = 1 - \frac{\operatorname{Var}_{X_{\sim i}}\left(E[Y \mid X_{\sim i}]\right)}{\operatorname{Var}(Y)}.

A ``saltelli`` design gives both (Saltelli 2002 / Jansen estimators, SALib's ``sobol``
analysis); any other design (LHS, Sobol sequence, grid) gives first-order indices from the
given sample (SALib's ``delta`` method, Plischke et al. 2013, which also returns
Borgonovo's moment-independent :math:`\delta`). Here :math:`Y` is the mean over a design
point's replications, so replication noise adds to every index's uncertainty: the
confidence intervals come from SALib's bootstrap.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["MIN_POINTS_DELTA", "sobol_indices"]

MIN_POINTS_DELTA = 16


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
    if y.size < 4 or not np.isfinite(y).all():
        return {"method": method, "error": "too few design points (or missing values) for indices"}
    if float(np.std(y)) == 0.0:
        return {"method": method, "error": "the output does not vary over the design"}
    try:
        if method == "saltelli":
            r = salib_sobol.analyze(problem, y, calc_second_order=False, seed=seed, num_resamples=num_resamples)
            return {"method": "sobol (Saltelli design)", "names": list(names),
                    "S1": r["S1"].tolist(), "S1_conf": r["S1_conf"].tolist(),
                    "ST": r["ST"].tolist(), "ST_conf": r["ST_conf"].tolist()}
        if y.size < MIN_POINTS_DELTA:
            return {"method": method, "error": f"{y.size} design points: the delta method needs at least "
                    f"{MIN_POINTS_DELTA} (or use a saltelli design)"}
        with contextlib.redirect_stdout(io.StringIO()):  # SALib prints its binning notes
            r = salib_delta.analyze(problem, x, y, seed=seed, num_resamples=num_resamples)
        d = "delta" if "delta" in r else "delta_raw"  # SALib >= 1.5 names several variants
        return {"method": f"first-order Sobol via the delta method ({method} design)", "names": list(names),
                "S1": np.asarray(r["S1"]).tolist(), "S1_conf": np.asarray(r["S1_conf"]).tolist(),
                "delta": np.asarray(r[d]).tolist(), "delta_conf": np.asarray(r[d + "_conf"]).tolist()}
    except (ValueError, ZeroDivisionError, IndexError, np.linalg.LinAlgError) as exc:
        return {"method": method, "error": f"SALib could not estimate the indices: {exc}"}
