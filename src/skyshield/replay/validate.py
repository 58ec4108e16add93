"""Replay every night of a period and judge the model over many nights, by class.

Per class, over the nights with at least ``min_launched`` launches of it: the number of
nights, how many are within tolerance (:func:`skyshield.replay.calibrate.tolerance`), the mean
error and mean absolute error of the simulated mean against the reported fraction, their
correlation, and the **coverage** of the reported value by the model's predictive interval
(:mod:`skyshield.replay.predict`: binomial noise of the night's count, parameter uncertainty
and the night-to-night spread fitted on the calibration period; the coverage of the interval
without that spread is given beside it, and the interval's mean width: a wide interval covers
easily and says little). Where the records give the number of hit locations, it is set
against the simulated warhead leakers (a location can take several hits: the reported count is
a lower bound); this is a check, never an input.

Nights run in parallel (one task per night); each night's replications use the experiment
seed and the parameter draws of the calibration file, so the figures do not depend on the
number of workers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..catalog import Catalog, load_catalog
from ..scenario import Scenario, load_scenario
from .calibrate import (
    CLASSES,
    MIN_LAUNCHED,
    REFERENCE,
    NightResult,
    NightSim,
    compare_night,
    simulate_night,
)
from .params import CALIBRATION_FILE, Calibration, ReplayParameters, load_calibration
from .records import NightRow, read_nights

__all__ = ["GOALS", "ClassSummary", "Validation", "night_tasks", "run_nights", "summarise", "validate"]

GOALS: dict[str, str] = {
    "drone": "mean absolute error <= 0.06 and correlation >= 0.6",
    "cruise": "mean absolute error <= 0.15",
    "ballistic": "predictive interval covers the reported value on >= 80 % of nights",
}
"""Issue 12's goals on nights not used for fitting with at least 20 launches of the class."""


@dataclass(frozen=True)
class ClassSummary:
    weapon_class: str
    min_launched: int
    nights: int
    within_tolerance: int
    mean_error: float
    mean_abs_error: float
    correlation: float
    coverage: float
    coverage_binomial: float
    launched: int
    interval_width: float = math.nan  # mean width of the predictive interval
    hits_nights: int = 0  # nights whose records give hit locations
    hits_correlation: float = math.nan  # of reported hit locations with simulated warhead leakers
    leakers_per_hit_location: float = math.nan  # simulated warhead leakers / reported hit locations, summed

    @property
    def goal(self) -> str:
        return GOALS[self.weapon_class]

    @property
    def goal_met(self) -> bool | None:
        """Whether the class meets its goal (None with no night to judge)."""
        if self.nights == 0:
            return None
        if self.weapon_class == "drone":
            return self.mean_abs_error <= 0.06 and (self.correlation >= 0.6)
        if self.weapon_class == "cruise":
            return self.mean_abs_error <= 0.15
        return self.coverage >= 0.8

    def as_dict(self) -> dict[str, Any]:
        return {
            "min_launched": self.min_launched, "nights": self.nights, "launched": self.launched,
            "within_tolerance": self.within_tolerance, "mean_error": _num(self.mean_error),
            "mean_abs_error": _num(self.mean_abs_error), "correlation": _num(self.correlation),
            "coverage": _num(self.coverage), "coverage_binomial_and_parameters": _num(self.coverage_binomial),
            "mean_interval_width": _num(self.interval_width),
            "hit_locations": {"nights": self.hits_nights, "correlation_with_simulated_leakers": _num(self.hits_correlation),
                              "simulated_leakers_per_reported_location": _num(self.leakers_per_hit_location)},
            "goal": self.goal, "goal_met": self.goal_met,
        }


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 6)


def summarise(nights: tuple[NightResult, ...], weapon_class: str, min_launched: int = MIN_LAUNCHED) -> ClassSummary:
    """Figures of one class over the nights with at least ``min_launched`` launches of it."""
    sel = [c for n in nights for c in n.classes if c.weapon_class == weapon_class and c.reported_launched >= min_launched]
    if not sel:
        nan = math.nan
        return ClassSummary(weapon_class, min_launched, 0, 0, nan, nan, nan, nan, nan, 0, nan)
    s = np.array([c.simulated_mean for c in sel])
    r = np.array([c.reported_destroyed_fraction for c in sel])
    e = s - r
    corr = float(np.corrcoef(s, r)[0, 1]) if len(sel) >= 3 and s.std() > 0 and r.std() > 0 else math.nan
    return ClassSummary(
        weapon_class, min_launched, len(sel), sum(c.within_tolerance for c in sel), float(e.mean()),
        float(np.abs(e).mean()), corr, float(np.mean([c.covered for c in sel])),
        float(np.mean([c.covered_binomial for c in sel])), sum(c.reported_launched for c in sel),
        float(np.mean([c.predictive_interval[1] - c.predictive_interval[0] for c in sel])),
        *_hits(sel),
    )


def _hits(sel: list) -> tuple[int, float, float]:
    """Reported hit locations against simulated warhead leakers, over the nights that give them."""
    pairs = [(c.reported_hit_locations, c.simulated_leakers_mean) for c in sel if c.reported_hit_locations is not None]
    if not pairs:
        return 0, math.nan, math.nan
    h = np.array([p[0] for p in pairs], float)
    lk = np.array([p[1] for p in pairs], float)
    corr = float(np.corrcoef(h, lk)[0, 1]) if len(pairs) >= 3 and h.std() > 0 and lk.std() > 0 else math.nan
    return len(pairs), corr, float(lk.sum() / h.sum()) if h.sum() > 0 else math.nan


@dataclass(frozen=True)
class Validation:
    """Every night of a period replayed, with the per-class figures."""

    attacks: str
    start: str
    end: str
    replications: int
    seed: int
    min_launched: int
    calibration: str  # the calibration file used
    fitted_on: dict[str, Any]
    nights: tuple[NightResult, ...]
    unmatched_places: tuple[str, ...] = ()
    summaries: dict[str, ClassSummary] = field(default_factory=dict)
    summaries_all: dict[str, ClassSummary] = field(default_factory=dict)  # every night with a launch

    def as_dict(self) -> dict[str, Any]:
        """The JSON document of the validation (figures, then one entry per night)."""
        return {
            "attacks": self.attacks,
            "period": {"from": self.start, "to": self.end},
            "replications_per_night": self.replications, "seed": self.seed,
            "calibration": {"file": self.calibration, "fitted_on": self.fitted_on},
            "min_launched": self.min_launched,
            "classes": {c: s.as_dict() for c, s in self.summaries.items()},
            "classes_every_night": {c: s.as_dict() for c, s in self.summaries_all.items()},
            "unmatched_places": list(self.unmatched_places),
            "nights": [_night_doc(n) for n in self.nights],
        }


def _night_doc(n: NightResult) -> dict[str, Any]:
    return {
        "date": n.date, "decoy_share": round(n.decoy_share, 4), "duty_share": round(n.duty_share, 4),
        "scenario_hash": n.scenario_hash,
        "classes": {
            c.weapon_class: {
                "reported_launched": c.reported_launched,
                "reported_destroyed_fraction": round(c.reported_destroyed_fraction, 6),
                "simulated_destroyed_fraction": {"mean": round(c.simulated_mean, 6),
                                                 "ci95": [round(x, 6) for x in c.simulated_ci95]},
                "simulated_hard_kill_fraction": round(c.simulated_hard_kill_mean, 6),
                "predictive_interval": [round(x, 6) for x in c.predictive_interval],
                "predictive_interval_binomial_and_parameters": [round(x, 6) for x in c.predictive_interval_binomial],
                "predictive_level": c.predictive_level,
                "simulated_by_parameter_draw": [round(x, 6) for x in c.simulated_draw_means],
                "tolerance": round(c.tolerance, 6), "within_tolerance": c.within_tolerance, "covered": c.covered,
                "simulated_warhead_leakers": round(c.simulated_leakers_mean, 3),
                "reported_hit_locations": c.reported_hit_locations,
                "reported_debris_locations": c.reported_debris_locations,
                "aim_regions": {k: round(v, 4) for k, v in c.aim_regions.items()}, "aim_basis": c.aim_basis,
            }
            for c in n.classes
        },
    }


# -- running many nights ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    catalog: Catalog
    reference: Scenario
    replications: int
    seed: int


def _night_task(ctx: _Context, task: tuple[str, list[NightRow], tuple[ReplayParameters, ...]]) -> NightSim:
    date, rows, draws = task
    return simulate_night(rows, date, ctx.replications, ctx.seed, draws, ctx.catalog, ctx.reference)


def night_tasks(nights: dict[str, list[NightRow]], min_launched: int) -> list[tuple[str, list[NightRow]]]:
    """The nights worth replaying: some class has at least ``min_launched`` launches."""
    out = []
    for d, rows in nights.items():
        by = {c: sum(r.launched for r in rows if r.weapon_class == c) for c in CLASSES}
        if max(by.values()) >= min_launched:
            out.append((d, rows))
    return out


def run_nights(
    tasks: list[tuple[str, list[NightRow], tuple[ReplayParameters, ...]]],
    replications: int,
    seed: int,
    catalog: Catalog,
    reference: Scenario,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[NightSim]:
    """Simulate each ``(date, rows, draws)`` task, in parallel; results in task order."""
    from ..runner.executors import make_executor

    ctx = _Context(catalog, reference, replications, seed)
    ex = make_executor(None, workers)
    out: dict[int, NightSim] = {}
    try:
        for i, sim in ex.map(_night_task, ctx, tasks):
            out[i] = sim
            if progress:
                progress(1)
    finally:
        if hasattr(ex, "close"):
            ex.close()
    return [out[i] for i in range(len(tasks))]


def validate(
    attacks: str | Path,
    start: str,
    end: str,
    replications: int = 16,
    seed: int = 0,
    workers: int | None = None,
    catalog: Catalog | None = None,
    reference: Scenario | None = None,
    calibration: Calibration | None = None,
    calibration_file: str | Path | None = None,
    min_launched: int = MIN_LAUNCHED,
    progress: Callable[[int], None] | None = None,
) -> Validation:
    """Replay every night in ``[start, end]`` with a class of at least ``min_launched``
    launches, and summarise by class."""
    cat = catalog or load_catalog()
    ref = reference or load_scenario(REFERENCE, cat)
    cal = calibration or load_calibration(calibration_file)
    nights = read_nights(attacks, start, end)
    todo = night_tasks(nights, min_launched)
    draws = cal.draws()
    sims = run_nights([(d, rows, draws) for d, rows in todo], replications, seed, cat, ref, workers, progress)
    used = draws[: max(1, min(len(draws), replications))]
    results = tuple(compare_night(rows, sim, cal.night_spread, seed=seed, draws=used)
                    for (_, rows), sim in zip(todo, sims))
    unmatched = tuple(dict.fromkeys(u for n in results for u in n.unmatched_places))
    return Validation(
        attacks=str(attacks), start=start, end=end, replications=replications, seed=seed,
        min_launched=min_launched, calibration=str(calibration_file or CALIBRATION_FILE.name),
        fitted_on=dict(cal.fitted_on), nights=results, unmatched_places=unmatched,
        summaries={c: summarise(results, c, min_launched) for c in CLASSES},
        summaries_all={c: summarise(results, c, 1) for c in CLASSES},
    )
