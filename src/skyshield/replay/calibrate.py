r"""Replay a night and compare simulated with reported destroyed fractions, by weapon class.

*Reported destroyed fraction* of a class is ``(destroyed + not_reach_goal) / launched``: the
Air Force's "shot down or suppressed" (on some nights, e.g. 2025-09-07, the two are reported
together in ``destroyed``; on others apart). *Simulated* is the same quantity from the
engine: hard kills plus electronic-warfare soft kills, over launched, per replication; its
mean and 95 % interval over replications.

Tolerance. The reported fraction is one draw of a random process with :math:`n` trials, so
even a perfect model misses it by about its binomial standard error
:math:`\sqrt{p(1-p)/n}`. A night passes for a class when

.. math:: |\bar s - r| \le \max\bigl(0.10,\ 2\sqrt{\tilde r(1-\tilde r)/n}\bigr),
   \qquad \tilde r = \frac{rn + 1}{n + 2},

i.e. within two standard errors of the record (with Laplace's rule of succession so that a
record of 0 of 4 does not claim zero variance), and never tighter than ten points (the
records' own inconsistency between nights with the same defences, and our single 2025
laydown for every night).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.compute as pc

from ..catalog import Catalog, load_catalog
from ..runner import Experiment, run_experiment
from ..scenario import Scenario, load_scenario
from .night import build_night, class_of_type, decoy_share
from .records import read_night

__all__ = ["ClassResult", "NightResult", "replay_night", "tolerance", "REFERENCE"]

REFERENCE = "eastern-flank-night-raid-v1"
CLASSES = ("drone", "cruise", "ballistic")


def tolerance(reported: float, n: float) -> float:
    """Allowed gap between simulated mean and the record (see the module docstring)."""
    n = max(n, 1.0)
    r = (reported * n + 1.0) / (n + 2.0)
    return max(0.10, 2.0 * math.sqrt(r * (1.0 - r) / n))


@dataclass(frozen=True)
class ClassResult:
    weapon_class: str
    reported_launched: int
    reported_destroyed: float
    reported_not_reach_goal: float
    reported_destroyed_fraction: float
    simulated_mean: float
    simulated_ci95: tuple[float, float]
    simulated_hard_kill_mean: float
    tolerance: float

    @property
    def within_tolerance(self) -> bool:
        return abs(self.simulated_mean - self.reported_destroyed_fraction) <= self.tolerance


@dataclass(frozen=True)
class NightResult:
    date: str
    decoy_share: float
    replications: int
    seed: int
    classes: tuple[ClassResult, ...]
    scenario_hash: str


def _ci95(x: np.ndarray) -> tuple[float, float]:
    m = float(x.mean())
    if x.size < 2:
        return m, m
    h = 1.96 * float(x.std(ddof=1)) / math.sqrt(x.size)
    return m - h, m + h


def replay_night(
    attacks: str | Path,
    date: str,
    replications: int = 100,
    seed: int = 0,
    workers: int | None = 1,
    catalog: Catalog | None = None,
    reference: Scenario | None = None,
) -> NightResult:
    """Simulate the night of ``date`` with the defended country's own defences (option ``none``)."""
    cat = catalog or load_catalog()
    ref = reference or load_scenario(REFERENCE, cat)
    rows = read_night(attacks, date)
    sc = build_night(ref, cat, rows, date)
    res = run_experiment(Experiment(sc, ("none",), replications, seed, cat, keep_events=True), workers=workers)
    cls_of = class_of_type(rows)
    n_by_cls = {c: 0 for c in CLASSES}
    for g in sc.raid.groups:
        n_by_cls[cls_of[g.type]] += g.count
    ev = res.events
    hard = {c: np.zeros(replications) for c in CLASSES}
    soft = {c: np.zeros(replications) for c in CLASSES}
    if ev is not None and ev.num_rows:
        for kind, store in (("kill", hard), ("suppress", soft)):
            t = ev.filter(pc.equal(ev["kind"], kind))
            types = t["threat_type"].to_numpy(zero_copy_only=False)
            reps = t["replication"].to_numpy()
            for typ in np.unique(types):
                c = cls_of.get(str(typ))
                if c is None:
                    continue
                store[c] += np.bincount(reps[types == typ], minlength=replications)[:replications]
    out = []
    for c in CLASSES:
        sel = [r for r in rows if r.weapon_class == c]
        if not sel or n_by_cls[c] == 0:
            continue
        launched = sum(r.launched for r in sel)
        destroyed = sum(r.destroyed for r in sel)
        nrg = sum(r.not_reach_goal for r in sel)
        rep = min((destroyed + nrg) / launched, 1.0) if launched else 0.0
        frac = (hard[c] + soft[c]) / n_by_cls[c]
        out.append(ClassResult(
            weapon_class=c, reported_launched=int(round(launched)), reported_destroyed=destroyed,
            reported_not_reach_goal=nrg, reported_destroyed_fraction=rep,
            simulated_mean=float(frac.mean()), simulated_ci95=_ci95(frac),
            simulated_hard_kill_mean=float((hard[c] / n_by_cls[c]).mean()),
            tolerance=tolerance(rep, launched),
        ))
    return NightResult(date, decoy_share(rows, date), replications, seed, tuple(out), sc.content_hash)
