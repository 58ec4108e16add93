r"""Calibrate the replay's parameters on a period of nights (``skyshield replay --fit``).

Fitted: the aim exponent of each class (:mod:`skyshield.replay.params`). Every night of the
calibration period is replayed at each value of a grid, with every class's exponent set to
that value (the classes barely interact: their fractions depend on their own aims, so one
sweep serves the three), :math:`R` replications per value. Between grid values a night's
simulated mean is interpolated linearly. Per class the fitted value minimises

- ``drone``, ``cruise``: the mean absolute error over the nights with at least
  ``min_launched`` launches of the class (the goal's measure, each night counting once);
- ``ballistic``: the launch-weighted mean absolute error over every night with a ballistic
  launch (nights of 20 or more are too rare to fit on).

Its uncertainty is a bootstrap over the nights (``bootstrap`` resamples with replacement,
refitted each time); the file keeps ``samples`` quantiles of the bootstrap distribution
(at :math:`(i + 1/2)/S`). A class with no night in the period keeps the built-in value and
its range as samples. The decoy share where the records do not give it is not fitted: its
samples span its public range (source ``decoy-share``).

The night-to-night spread :math:`\rho` of each class is then estimated on the calibration
residuals at the fitted values (:func:`skyshield.replay.predict.estimate_rho`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..catalog import Catalog, load_catalog
from ..scenario import Scenario, load_scenario
from .calibrate import CLASSES, MIN_LAUNCHED, REFERENCE
from .params import Calibration, Parameter, ReplayParameters, load_calibration
from .predict import estimate_rho
from .records import read_nights
from .validate import night_tasks, run_nights

__all__ = ["GRID", "FitData", "fit", "fit_exponent"]

GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
"""Aim exponents replayed (the parameter's range is [0, 2])."""
DECOY_RANGE = (0.3, 0.5)
"""Public range of the decoy share where the records do not give it (source decoy-share)."""
SOURCES = {
    "notional-aim-weights": "NOTIONAL: how a class's aims spread over the towns of a named region "
    "(population to a power: 1 by population, 0 every town alike); fitted on replayed nights.",
    "decoy-share": "Since 2024 Shahed-type counts include decoys (Gerbera and similar); where the records "
    "give is_shahed (from mid-July 2025) the decoy share is 30-45 %; 40 % is the public order of magnitude.",
}


@dataclass(frozen=True)
class FitData:
    """What the fit saw: per class, the nights' counts, reported and simulated fractions."""

    grid: tuple[float, ...]
    dates: dict[str, tuple[str, ...]]  # class -> nights used
    launched: dict[str, np.ndarray]  # class -> (N,)
    reported: dict[str, np.ndarray]  # class -> (N,)
    simulated: dict[str, np.ndarray]  # class -> (N, G) mean simulated fraction at each grid value


def _curve(sim: np.ndarray, grid: Sequence[float], fine: np.ndarray) -> np.ndarray:
    """(N, F) simulated means interpolated on the fine grid."""
    return np.stack([np.interp(fine, grid, row) for row in sim]) if sim.size else np.zeros((0, fine.size))


def fit_exponent(sim: np.ndarray, reported: np.ndarray, weights: np.ndarray, grid: Sequence[float],
                 bootstrap: int = 400, samples: int = 8, key: int = 0) -> tuple[float, tuple[float, ...], np.ndarray]:
    """Value minimising the weighted mean absolute error, bootstrap quantiles, and the error curve.

    ``sim`` is (N, G) simulated means on ``grid``; ``reported`` and ``weights`` are (N,).
    The bootstrap resamples nights with a generator seeded by ``key`` (reproducible).
    """
    fine = np.round(np.arange(min(grid), max(grid) + 1e-9, 0.01), 4)
    cur = _curve(sim, grid, fine)
    err = np.abs(cur - reported[:, None])  # (N, F)

    def best(idx: np.ndarray) -> float:
        w = weights[idx]
        mae = (err[idx] * w[:, None]).sum(axis=0) / max(w.sum(), 1e-12)
        return float(fine[int(np.argmin(mae))])

    n = reported.size
    central = best(np.arange(n))
    rng = np.random.default_rng(np.random.SeedSequence([key, n]))
    boots = np.array([best(rng.integers(0, n, n)) for _ in range(bootstrap)])
    qs = tuple(float(np.quantile(boots, (i + 0.5) / samples)) for i in range(samples))
    mae_grid = (np.abs(sim - reported[:, None]) * weights[:, None]).sum(axis=0) / max(weights.sum(), 1e-12)
    return central, qs, mae_grid


def fit(
    attacks: str | Path,
    start: str,
    end: str,
    replications: int = 4,
    seed: int = 1,
    workers: int | None = None,
    catalog: Catalog | None = None,
    reference: Scenario | None = None,
    base: Calibration | None = None,
    min_launched: int = MIN_LAUNCHED,
    grid: Sequence[float] = GRID,
    bootstrap: int = 400,
    samples: int = 8,
    command: str = "",
    progress: Callable[[int], None] | None = None,
) -> tuple[Calibration, FitData]:
    """Fit the aim exponents on the nights of ``[start, end]`` (see the module docstring)."""
    cat = catalog or load_catalog()
    ref = reference or load_scenario(REFERENCE, cat)
    base_cal = base or load_calibration()
    central0 = base_cal.central()
    nights = read_nights(attacks, start, end)
    todo = night_tasks(nights, 1)
    tasks: list[tuple[str, list, tuple[ReplayParameters, ...]]] = []
    for g in grid:
        draw = ReplayParameters(aim_exponent={c: float(g) for c in CLASSES}, decoy_share=central0.decoy_share)
        tasks.extend((d, rows, (draw,)) for d, rows in todo)
    sims = run_nights(tasks, replications, seed, cat, ref, workers, progress)
    G, N = len(grid), len(todo)
    dates: dict[str, tuple[str, ...]] = {}
    launched: dict[str, np.ndarray] = {}
    reported: dict[str, np.ndarray] = {}
    simulated: dict[str, np.ndarray] = {}
    for c in CLASSES:
        keep, n_c, r_c, s_c = [], [], [], []
        for j, (d, rows) in enumerate(todo):
            sel = [r for r in rows if r.weapon_class == c]
            n = sum(r.launched for r in sel)
            lowest = min_launched if c != "ballistic" else 1
            if n < lowest or sims[j].launched.get(c, 0) == 0:
                continue
            keep.append(d)
            n_c.append(n)
            r_c.append(min(sum(r.destroyed + r.not_reach_goal for r in sel) / n, 1.0))
            s_c.append([float((sims[g * N + j].stopped[c] / sims[g * N + j].launched[c]).mean()) for g in range(G)])
        dates[c] = tuple(keep)
        launched[c] = np.array(n_c, dtype=float)
        reported[c] = np.array(r_c, dtype=float)
        simulated[c] = np.array(s_c, dtype=float).reshape(len(keep), G)
    data = FitData(tuple(float(g) for g in grid), dates, launched, reported, simulated)

    params: dict[str, Parameter] = {}
    spread: dict[str, float] = {}
    mae_by_grid: dict[str, dict[str, float]] = {}
    for k, c in enumerate(CLASSES):
        name = f"aim_exponent_{c}"
        old = base_cal.parameters.get(name)
        if reported[c].size == 0:
            if old is not None:
                params[name] = old
            continue
        w = launched[c] if c == "ballistic" else np.ones(reported[c].size)
        value, qs, mae_g = fit_exponent(simulated[c], reported[c], w, grid, bootstrap, samples, key=seed * 31 + k)
        how = (f"fitted on {reported[c].size} nights {start} to {end} (" +
               ("launch-weighted mean absolute error, every night with a launch" if c == "ballistic" else
                f"mean absolute error, nights of at least {min_launched} launches") +
               f"); samples: bootstrap quantiles over nights ({bootstrap} resamples)")
        params[name] = Parameter(value=value, samples=qs, low=float(min(grid)), high=float(max(grid)),
                                 source="notional-aim-weights", how=how)
        mae_by_grid[c] = {f"{g:g}": round(float(v), 5) for g, v in zip(grid, mae_g)}
        m = np.array([np.interp(value, grid, row) for row in simulated[c]])
        spread[c] = estimate_rho(reported[c], m, launched[c])
    lo, hi = DECOY_RANGE
    params["decoy_share"] = Parameter(
        value=central0.decoy_share, samples=tuple(round(lo + (hi - lo) * (i + 0.5) / samples, 4) for i in range(samples)),
        low=0.0, high=1.0, source="decoy-share",
        how=f"not fitted: samples span the public range {lo:g}-{hi:g} evenly")
    cal = Calibration(
        command=command,
        fitted_on={"attacks": str(attacks), "from": start, "to": end, "replications_per_value": replications,
                   "seed": seed, "min_launched": min_launched, "grid": [float(g) for g in grid],
                   "nights": {c: int(reported[c].size) for c in CLASSES},
                   "mean_abs_error_by_grid_value": mae_by_grid},
        parameters=params, night_spread=spread, sources=dict(SOURCES),
    )
    return cal, data
