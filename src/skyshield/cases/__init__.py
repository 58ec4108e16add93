"""Validation cases: public allied-defence events, simulated and checked against graded ranges.

>>> sorted(builtin_cases())[:2]
['case-israel-2024-04-13', 'case-poland-2025-09-10']

A case (:class:`Case`) is a scenario plus a case file of observed quantities. :func:`run_case`
runs the scenario under the case's options on the same raids, and gives, for every observed
quantity, the simulated mean with its 95 % interval and whether the mean falls inside the
public range.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np

from ..analysis import mean_ci
from ..documents import ScenarioError, load_yaml, loads_yaml, validate_document
from ..documents.errors import Problem
from .model import GRADES, Case, Check

__all__ = ["Case", "Check", "CheckResult", "CaseResult", "GRADES", "builtin_cases", "load_case", "run_case",
           "simulated_values"]


def builtin_cases() -> dict[str, str]:
    """Built-in case ids and their titles."""
    from ..documents import builtin_titles

    return builtin_titles(__package__)


def load_case(ref: str | Path) -> tuple[Case, str]:
    """A built-in case by id, or a case file by path; with the scenario reference resolved
    (a built-in id, or a path relative to the case file).

    Raises
    ------
    ScenarioError
        With the file, line and field of every problem.
    """
    ref_s = str(ref)
    builtin = files(__package__).joinpath("builtin", f"{ref_s}.yaml")
    if not ref_s.endswith((".yaml", ".yml")) and builtin.is_file():
        source = f"<built-in>/cases/{ref_s}.yaml"
        data, lines = loads_yaml(builtin.read_text(encoding="utf-8"), source)
        base = None
    else:
        path = Path(ref_s)
        if not path.exists():
            known = ", ".join(builtin_cases())
            raise ScenarioError([Problem(ref_s, None, (), f"no such file, and not a built-in case id (built-in: {known})")])
        data, lines = load_yaml(path)
        source, base = str(path), path.parent
    if not isinstance(data, dict):
        raise ScenarioError([Problem(source, 1, (), "a case file must be a mapping of fields")])
    case = validate_document(Case, data, lines, source)
    scen = case.scenario
    if base is not None and scen.endswith((".yaml", ".yml")) and not Path(scen).is_absolute():
        scen = str(base / scen)
    return case, scen


@dataclass(frozen=True)
class CheckResult:
    """One observed quantity against its simulation."""

    check: Check
    option: str
    mean: float
    ci95: tuple[float, float]

    @property
    def within(self) -> bool:
        """Whether the simulated mean falls inside the public range."""
        return bool(self.check.observed_low <= self.mean <= self.check.observed_high)


@dataclass(frozen=True)
class CaseResult:
    case: Case
    scenario_id: str
    scenario_hash: str
    replications: int
    seed: int
    checks: tuple[CheckResult, ...]
    result: object  # the runner's ExperimentResult (every option's metrics)


def simulated_values(check: Check, rows: list[dict[str, float]]) -> np.ndarray:
    """The check's value in each replication: the sum of its metrics, over the sum of ``per``
    if it is a fraction (replications with a zero denominator are left out)."""
    num = np.array([sum(r.get(m, 0.0) for m in check.metrics) for r in rows], float)
    if not check.per:
        return num
    den = np.array([sum(r.get(m, 0.0) for m in check.per) for r in rows], float)
    ok = den > 0
    return num[ok] / den[ok]


def run_case(case: Case, scenario_ref: str, replications: int | None = None, seed: int | None = None,
             workers: int | None = None, catalog=None, progress=None, scheduler: str | None = None) -> CaseResult:
    """Run a case's scenario under its options (common random numbers) and score every check."""
    from ..catalog import load_catalog
    from ..options import resolve_option
    from ..runner import Experiment, run_experiment
    from ..scenario import load_scenario

    cat = catalog or load_catalog()
    sc = load_scenario(scenario_ref, cat)
    names = tuple(resolve_option(o, sc).name for o in case.run_options)
    n = replications or case.replications
    s = case.seed if seed is None else seed
    res = run_experiment(Experiment(sc, names, n, s, cat), workers=workers, progress=progress, scheduler=scheduler)
    out = []
    for c in case.checks:
        opt = c.option or case.as_flown
        if opt not in names:
            raise ScenarioError([Problem(case.id, None, ("checks",), f"check {c.quantity!r} is of option {opt!r}, "
                                         f"which the case does not run ({', '.join(names)})")])
        vals = simulated_values(c, res.rows(opt))
        m, lo, hi = mean_ci(vals) if vals.size else (float("nan"),) * 3
        out.append(CheckResult(c, opt, m, (lo, hi)))
    return CaseResult(case, sc.id, sc.content_hash, n, s, tuple(out), res)
