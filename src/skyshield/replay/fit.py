r"""Calibrate the replay's parameters on a period of nights (``skyshield replay --fit``).

Fitted: the duty posture's exponent (``posture_exponent``, :func:`skyshield.replay.night.duty_share`)
and the aim exponent of each class (:mod:`skyshield.replay.params`). Every night of the
calibration period is replayed on a grid of both, :data:`POSTURE_GRID` x ``grid``, with every
class's aim exponent set to the grid value (the classes barely interact: their fractions depend
on their own aims, so one sweep serves the three), :math:`R` replications per grid point.
Between grid points a night's simulated mean is interpolated bilinearly (each step 0.01).

- ``drone``: the posture and the drone aim exponent are fitted **jointly**, minimising the mean
  absolute error over the nights of at least ``min_launched`` drone launches (the goal's
  measure, each night counting once). The posture acts on every class, but only the drone
  nights are many enough to fit it on; fitting it alone, at some given aim exponent, made the
  result depend on that exponent.
- ``cruise``: at the fitted posture, the aim exponent minimising the mean absolute error over
  the nights of at least ``min_launched`` launches;
- ``ballistic``: at the fitted posture, the launch-weighted mean absolute error over every
  night with a ballistic launch (nights of 20 or more are too rare to fit on).

The uncertainty is a bootstrap over the nights (``bootstrap`` resamples with replacement,
refitted each time); the file keeps ``samples`` quantiles of each parameter's bootstrap
distribution (at :math:`(i + 1/2)/S`). A class with no night in the period keeps the base
calibration's value and samples. The decoy share where the records do not give it, and the
posture's full-duty size ``posture_full_launches``, are not fitted (public range; notional).

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
from .night import POSTURE_SOURCE
from .params import Calibration, Parameter, ReplayParameters, load_calibration
from .predict import estimate_rho
from .records import read_nights
from .validate import night_tasks, run_nights

__all__ = ["GRID", "POSTURE_GRID", "FitData", "fit", "fit_exponent", "fit_joint"]

GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
"""Aim exponents replayed (the parameter's range is [0, 2])."""
POSTURE_GRID = (0.0, 0.15, 0.3, 0.45, 0.6, 0.7, 0.8, 0.9, 1.0)
"""Duty-posture exponents replayed (the parameter's range is [0, 1])."""
DECOY_RANGE = (0.3, 0.5)
"""Public range of the decoy share where the records do not give it (source decoy-share)."""
SOURCES = {
    "notional-aim-weights": "NOTIONAL: how a class's aims spread over the towns of a named region "
    "(population to a power: 1 by population, 0 every town alike); fitted on replayed nights.",
    "notional-duty-posture": POSTURE_SOURCE,
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
    simulated: dict[str, np.ndarray]  # class -> (N, G) mean simulated fraction at each aim value, at the fitted posture


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


def _weights(grid: Sequence[float], fine: np.ndarray) -> np.ndarray:
    """(F, G) linear-interpolation weights from ``grid`` values to ``fine`` points."""
    g = np.asarray(grid, dtype=float)
    return np.stack([np.interp(fine, g, np.eye(g.size)[i]) for i in range(g.size)], axis=1)


def fit_joint(sim: np.ndarray, reported: np.ndarray, weights: np.ndarray, grid_a: Sequence[float],
              grid_b: Sequence[float], bootstrap: int = 400, samples: int = 8, key: int = 0
              ) -> tuple[tuple[float, float], tuple[tuple[float, ...], tuple[float, ...]], np.ndarray]:
    """Values of two parameters minimising the weighted mean absolute error, ``samples`` joint
    bootstrap draws of the pair, and the error on the grid.

    ``sim`` is (N, A, B) simulated means on ``grid_a`` x ``grid_b``, interpolated bilinearly
    on steps of 0.01; ``reported`` and ``weights`` are (N,). The bootstrap resamples nights
    with a generator seeded by ``key`` (reproducible); the returned draws are the bootstrap
    pairs at the ranks ``(i + 1/2) / samples`` of the first parameter (ties broken by the
    second), so each keeps its two values together. The bootstrap holds the nights' sampling,
    not the Monte Carlo noise of the grid's replications.
    """
    fa = np.round(np.arange(min(grid_a), max(grid_a) + 1e-9, 0.01), 4)
    fb = np.round(np.arange(min(grid_b), max(grid_b) + 1e-9, 0.01), 4)
    cur = np.einsum("fa,nab,kb->nfk", _weights(grid_a, fa), sim, _weights(grid_b, fb))
    err = np.abs(cur - reported[:, None, None])  # (N, Fa, Fb)

    def best(idx: np.ndarray) -> tuple[float, float]:
        w = weights[idx]
        mae = np.tensordot(w, err[idx], axes=1) / max(w.sum(), 1e-12)
        i, j = np.unravel_index(int(np.argmin(mae)), mae.shape)
        return float(fa[i]), float(fb[j])

    n = reported.size
    central = best(np.arange(n))
    rng = np.random.default_rng(np.random.SeedSequence([key, n]))
    boots = np.array([best(rng.integers(0, n, n)) for _ in range(bootstrap)])
    order = np.lexsort((boots[:, 1], boots[:, 0]))
    picks = boots[order[((np.arange(samples) + 0.5) / samples * len(boots)).astype(int)]]
    qs = (tuple(float(x) for x in picks[:, 0]), tuple(float(x) for x in picks[:, 1]))
    mae_grid = np.tensordot(weights, np.abs(sim - reported[:, None, None]), axes=1) / max(weights.sum(), 1e-12)
    return central, (qs[0], qs[1]), mae_grid


def _per_class(todo: list, sims: list, G: int, min_launched: int) -> tuple[dict, dict, dict, dict]:
    """Per class: nights kept, launched, reported and (N, G) simulated mean fractions of a sweep
    (``sims`` holds the G grid values' nights in order)."""
    N = len(todo)
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
    return dates, launched, reported, simulated


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
    posture_grid: Sequence[float] = POSTURE_GRID,
    bootstrap: int = 400,
    samples: int = 8,
    command: str = "",
    progress: Callable[[int], None] | None = None,
) -> tuple[Calibration, FitData]:
    """Fit the duty posture and the aim exponents on the nights of ``[start, end]`` (see the
    module docstring)."""
    cat = catalog or load_catalog()
    ref = reference or load_scenario(REFERENCE, cat)
    base_cal = base or load_calibration()
    central0 = base_cal.central()
    nights = read_nights(attacks, start, end)
    todo = night_tasks(nights, 1)

    full = central0.posture_full_launches
    points = [(p, g) for p in posture_grid for g in grid]
    tasks: list[tuple[str, list, tuple[ReplayParameters, ...]]] = [
        (d, rows, (ReplayParameters(aim_exponent={c: float(g) for c in CLASSES}, decoy_share=central0.decoy_share,
                                    posture_exponent=float(p), posture_full_launches=full),))
        for p, g in points for d, rows in todo]
    sims = run_nights(tasks, replications, seed, cat, ref, workers, progress)
    P, G = len(posture_grid), len(grid)
    dates, launched, reported, sim3 = _per_class(todo, sims, P * G, min_launched)
    sim3 = {c: v.reshape(v.shape[0], P, G) for c, v in sim3.items()}

    params: dict[str, Parameter] = {
        "posture_full_launches": base_cal.parameters.get("posture_full_launches") or Parameter(
            value=full, samples=(full,), low=1.0, high=1e5, source="notional-duty-posture",
            how="not fitted: a mass raid (notional); the sensitivity table of docs/calibration.md varies it")}
    posture = central0.posture_exponent
    fitted: dict[str, float] = {}
    samples_of: dict[str, tuple[float, ...]] = {}
    mae_by_grid: dict[str, dict[str, float]] = {}
    mae_posture: dict[str, dict[str, float]] = {}
    how_common = f"samples: bootstrap quantiles over nights ({bootstrap} resamples)"
    if reported["drone"].size:
        (posture, fitted["drone"]), (qp, qa), mae2 = fit_joint(
            sim3["drone"], reported["drone"], np.ones(reported["drone"].size), posture_grid, grid, bootstrap,
            samples, key=seed * 31)
        samples_of["drone"] = qa
        params["posture_exponent"] = Parameter(
            value=posture, samples=qp, low=float(min(posture_grid)), high=float(max(posture_grid)),
            source="notional-duty-posture",
            how=(f"fitted jointly with aim_exponent_drone on {reported['drone'].size} drone nights {start} to {end} "
                 f"(mean absolute error, nights of at least {min_launched} drone launches); samples: joint bootstrap "
                 f"draws over nights ({bootstrap} resamples), paired with aim_exponent_drone's"))
        mae_posture = {f"{p:g}": {f"{g:g}": round(float(v), 5) for g, v in zip(grid, row)}
                       for p, row in zip(posture_grid, mae2)}
    elif "posture_exponent" in base_cal.parameters:
        params["posture_exponent"] = base_cal.parameters["posture_exponent"]
    # Every class's simulated means at the fitted posture, on the aim grid.
    wp = _weights(posture_grid, np.array([posture]))[0]
    simulated = {c: np.einsum("p,npg->ng", wp, v) for c, v in sim3.items()}
    data = FitData(tuple(float(g) for g in grid), dates, launched, reported, simulated)

    spread: dict[str, float] = {}
    for k, c in enumerate(CLASSES):
        name = f"aim_exponent_{c}"
        old = base_cal.parameters.get(name)
        if reported[c].size == 0:
            if old is not None:
                params[name] = old
            continue
        w = launched[c] if c == "ballistic" else np.ones(reported[c].size)
        value, qs, mae_g = fit_exponent(simulated[c], reported[c], w, grid, bootstrap, samples, key=seed * 31 + k)
        if c in fitted:  # drone: the joint fit's value and samples
            value, qs = fitted[c], samples_of[c]
        how = (f"fitted {'jointly with posture_exponent ' if c in fitted else 'at the fitted posture '}on "
               f"{reported[c].size} nights {start} to {end} (" +
               ("launch-weighted mean absolute error, every night with a launch" if c == "ballistic" else
                f"mean absolute error, nights of at least {min_launched} launches") + "); " +
               ("samples: joint bootstrap draws over nights, paired with posture_exponent's" if c in fitted
                else how_common))
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
                   "mean_abs_error_by_grid_value": mae_by_grid,
                   "posture_grid": [float(g) for g in posture_grid],
                   "drone_mean_abs_error_by_posture_and_aim_value": mae_posture},
        parameters=params, night_spread=spread, sources=dict(SOURCES),
        paired=(("aim_exponent_drone", "posture_exponent"),) if "drone" in fitted else (),
    )
    return cal, data
