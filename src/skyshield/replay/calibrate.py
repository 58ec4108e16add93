r"""Replay a night and compare simulated with reported destroyed fractions, by weapon class.

*Reported destroyed fraction* of a class is ``(destroyed + not_reach_goal) / launched``: the
Air Force's "shot down or suppressed" (on some nights, e.g. 2025-09-07, the two are reported
together in ``destroyed``; on others apart). ``not_reach_goal`` counts drones lost to
electronic warfare **and decoys**, which are never meant to arrive and end up "lost
locationally" (the records' documentation). So the *simulated* fraction is the same quantity
from the engine: (hard kills + electronic-warfare soft kills + decoys not otherwise stopped)
over launched, i.e. one minus the warhead-carrying threats that were neither destroyed nor
suppressed. The hard-kill share is kept apart.

Each replication runs one parameter draw (:meth:`skyshield.replay.params.Calibration.draws`;
replication ``r`` takes draw ``r mod S`` and the engine's sample index ``r mod S``), so the
replications carry the parameter uncertainty as well as the Monte Carlo noise.

Tolerance. The reported fraction is one draw of a random process with :math:`n` trials, so
even a perfect model misses it by about its binomial standard error
:math:`\sqrt{p(1-p)/n}`. A night passes for a class when

.. math:: |\bar s - r| \le t(r, n) = \begin{cases}
   \min\bigl(0.15,\ \max(0.10,\ 2\,\mathrm{SE})\bigr) & n \ge 20\\
   \max(0.10,\ 2\,\mathrm{SE}) & n < 20
   \end{cases},\qquad \mathrm{SE} = \sqrt{\tilde r(1-\tilde r)/n},\ \tilde r = \frac{rn + 1}{n + 2},

i.e. within two standard errors of the record (Laplace's rule of succession keeps a record of
0 of 4 from claiming zero variance), never tighter than ten points (the records' own
inconsistency between nights and our single laydown), and never wider than fifteen points on
a night of 20 or more launches (beyond that a "pass" says nothing). The predictive interval
(:mod:`skyshield.replay.predict`) is the sharper test and is reported beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import stats

from ..catalog import Catalog, load_catalog
from ..engine import compile_scenario
from ..engine.core import Engine, simulate
from ..engine.sense import StatisticalSensing
from ..options import resolve_option
from ..rng import name_key
from ..scenario import Scenario, load_scenario
from .night import AimEvidence, build_night, class_of_type, decoy_share, duty_share, region_weights
from .params import Calibration, ReplayParameters, load_calibration
from .places import load_places
from .predict import LEVEL, predictive_interval
from .records import NightRow, read_night

__all__ = [
    "CLASSES",
    "MIN_LAUNCHED",
    "REFERENCE",
    "ClassResult",
    "NightResult",
    "NightSim",
    "compare_night",
    "replay_night",
    "simulate_night",
    "tolerance",
]

REFERENCE = "eastern-flank-night-raid-v1"
CLASSES = ("drone", "cruise", "ballistic")
MIN_LAUNCHED = 20
"""Nights with at least this many launches of a class are the ones the goals are judged on."""
DECOY_TYPES = frozenset({"gerbera"})
"""Catalog types that carry no warhead and count as stopped unless they are destroyed or lost."""


def tolerance(reported: float, n: float) -> float:
    """Allowed gap between simulated mean and the record (see the module docstring)."""
    n = max(n, 1.0)
    r = (reported * n + 1.0) / (n + 2.0)
    t = max(0.10, 2.0 * math.sqrt(r * (1.0 - r) / n))
    return min(t, 0.15) if n >= MIN_LAUNCHED else t


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
    predictive_interval: tuple[float, float] = (math.nan, math.nan)
    predictive_interval_binomial: tuple[float, float] = (math.nan, math.nan)
    predictive_level: float = LEVEL
    simulated_draw_means: tuple[float, ...] = ()
    simulated_leakers_mean: float = math.nan
    reported_hit_locations: float | None = None
    reported_debris_locations: float | None = None
    aim_regions: dict[str, float] = field(default_factory=dict)
    aim_basis: str = ""

    @property
    def within_tolerance(self) -> bool:
        return abs(self.simulated_mean - self.reported_destroyed_fraction) <= self.tolerance

    @property
    def error(self) -> float:
        """Simulated mean less reported."""
        return self.simulated_mean - self.reported_destroyed_fraction

    @property
    def covered(self) -> bool:
        """Whether the predictive interval holds the reported fraction."""
        lo, hi = self.predictive_interval
        return lo - 1e-12 <= self.reported_destroyed_fraction <= hi + 1e-12

    @property
    def covered_binomial(self) -> bool:
        """Whether the interval of binomial noise and parameter uncertainty alone holds it."""
        lo, hi = self.predictive_interval_binomial
        return lo - 1e-12 <= self.reported_destroyed_fraction <= hi + 1e-12


@dataclass(frozen=True)
class NightResult:
    date: str
    decoy_share: float
    replications: int
    seed: int
    classes: tuple[ClassResult, ...]
    scenario_hash: str
    draws: tuple[dict[str, float], ...] = ()
    unmatched_places: tuple[str, ...] = ()
    duty_share: float = 1.0  # mean over the draws: share of the posture units on duty

    def result(self, weapon_class: str) -> ClassResult | None:
        return next((c for c in self.classes if c.weapon_class == weapon_class), None)


@dataclass(frozen=True)
class NightSim:
    """Simulated outcomes of one night, per class, per replication (engine runs only)."""

    date: str
    launched: dict[str, int]  # class -> threats in the simulated raid (decoys count as drones)
    stopped: dict[str, np.ndarray]  # class -> (R,) destroyed + suppressed + decoys not otherwise stopped
    hard: dict[str, np.ndarray]  # class -> (R,) hard kills
    leakers: dict[str, np.ndarray]  # class -> (R,) warhead threats that reached their aim
    draw: np.ndarray  # (R,) parameter draw of each replication
    scenario_hash: str  # of the first draw's scenario
    decoy_share: float  # of the first draw
    duty_share: float = 1.0  # mean over the draws: share of the posture units on duty (duty_share)


def replay_engine() -> Engine:
    """The statistical engine without air-picture scoring (which changes no outcome)."""
    return Engine(sense=StatisticalSensing(metrics=False))


def simulate_night(
    rows: list[NightRow],
    date: str,
    replications: int,
    seed: int,
    draws: tuple[ReplayParameters, ...],
    catalog: Catalog,
    reference: Scenario,
    engine: Engine | None = None,
) -> NightSim:
    """Simulate the night of ``date`` with the defended country's own defences (option ``none``).

    Replication ``r`` uses parameter draw ``r mod len(draws)`` (also its engine sample index);
    each draw also draws which of the duty-posture units are on duty (keyed by seed, night and
    draw), so the spread across draws holds that draw too.
    """
    eng = engine or replay_engine()
    S = max(1, min(len(draws), replications))
    cls_of = class_of_type(rows)
    launched: dict[str, int] = {}
    stopped = {c: np.zeros(replications) for c in CLASSES}
    hard = {c: np.zeros(replications) for c in CLASSES}
    leak = {c: np.zeros(replications) for c in CLASSES}
    first_hash, first_decoys = "", 0.0
    n_night = sum(r.launched for r in rows)
    duty = [duty_share(n_night, draws[s].posture_exponent, draws[s].posture_full_launches) for s in range(S)]
    for s in range(S):
        p = draws[s]
        share = decoy_share(rows, date, assumed=p.decoy_share)
        sc = build_night(reference, catalog, rows, date, aim_exponent=p.aim_exponent, decoy_share_value=share,
                         posture_exponent=p.posture_exponent, posture_full_launches=p.posture_full_launches,
                         posture_key=name_key(f"duty-posture/{seed}/{date}/{s}"))
        if s == 0:
            first_hash, first_decoys = sc.content_hash, share
        n_real: dict[str, int] = {c: 0 for c in CLASSES}
        n_decoy: dict[str, int] = {c: 0 for c in CLASSES}
        for g in sc.raid.groups:
            c = cls_of[g.type]
            (n_decoy if g.type in DECOY_TYPES else n_real)[c] += g.count
        if s == 0:
            launched = {c: n_real[c] + n_decoy[c] for c in CLASSES}
        params = compile_scenario(sc, catalog, resolve_option("none", sc))
        for r in range(s, replications, S):
            ev = simulate(params, seed, r, sample=s, engine=eng).events
            t = ev.filter(pc.is_in(ev["kind"], pc.cast(_KINDS, ev["kind"].type)))
            kinds = t["kind"].to_numpy(zero_copy_only=False)
            types = t["threat_type"].to_numpy(zero_copy_only=False)
            for typ in np.unique(types):
                cl = cls_of.get(str(typ))
                if cl is None:
                    continue
                sel = types == typ
                k = int(np.sum(kinds[sel] == "kill"))
                sup = int(np.sum(kinds[sel] == "suppress"))
                lk = int(np.sum(kinds[sel] == "leak"))
                hard[cl][r] += k
                if str(typ) in DECOY_TYPES:
                    continue
                stopped[cl][r] += k + sup
                leak[cl][r] += lk
            for c in CLASSES:
                stopped[c][r] += n_decoy[c]
    return NightSim(date, launched, stopped, hard, leak, np.arange(replications) % S, first_hash, first_decoys,
                    float(np.mean(duty)))


_KINDS = pa.array(["kill", "suppress", "leak"])


def _ci95(x: np.ndarray) -> tuple[float, float]:
    """Student-t 95 % interval of the mean (a normal quantile, 1.96, would cover about 80 %
    of the time with the three replications a quick replay uses)."""
    m = float(x.mean())
    if x.size < 2:
        return m, m
    h = float(stats.t.ppf(0.975, x.size - 1)) * float(x.std(ddof=1)) / math.sqrt(x.size)
    return m - h, m + h


def compare_night(
    rows: list[NightRow],
    sim: NightSim,
    night_spread: dict[str, float] | None = None,
    level: float = LEVEL,
    seed: int = 0,
    draws: tuple[ReplayParameters, ...] = (),
) -> NightResult:
    """Reported against simulated, by class, with tolerance and predictive intervals."""
    spread = night_spread or {}
    pl = load_places()
    out = []
    unmatched: list[str] = []
    R = sim.draw.size
    for c in CLASSES:
        sel = [r for r in rows if r.weapon_class == c]
        n_sim = sim.launched.get(c, 0)
        if not sel or n_sim == 0:
            continue
        launched = sum(r.launched for r in sel)
        destroyed = sum(r.destroyed for r in sel)
        nrg = sum(r.not_reach_goal for r in sel)
        rep = min((destroyed + nrg) / launched, 1.0) if launched else 0.0
        frac = sim.stopped[c] / n_sim
        means = [float(frac[sim.draw == s].mean()) for s in np.unique(sim.draw)]
        n_int = max(round(launched), 1)
        ev: AimEvidence = region_weights(sel, pl)
        unmatched.extend(ev.unmatched)
        hits = _row_sum(sel, "hit_locations")
        debris = _row_sum(sel, "debris_locations")
        out.append(ClassResult(
            weapon_class=c, reported_launched=round(launched), reported_destroyed=destroyed,
            reported_not_reach_goal=nrg, reported_destroyed_fraction=rep,
            simulated_mean=float(frac.mean()), simulated_ci95=_ci95(frac),
            simulated_hard_kill_mean=float((sim.hard[c] / n_sim).mean()),
            tolerance=tolerance(rep, launched),
            predictive_interval=predictive_interval(n_int, means, spread.get(c, 0.0), level),
            predictive_interval_binomial=predictive_interval(n_int, means, 0.0, level),
            predictive_level=level, simulated_draw_means=tuple(means),
            simulated_leakers_mean=float(sim.leakers[c].mean()),
            reported_hit_locations=hits, reported_debris_locations=debris,
            aim_regions=ev.regions, aim_basis=ev.basis,
        ))
    return NightResult(sim.date, sim.decoy_share, R, seed, tuple(out), sim.scenario_hash,
                       tuple(d.as_dict() for d in draws), tuple(dict.fromkeys(unmatched)), sim.duty_share)


def _row_sum(rows: list[NightRow], attr: str) -> float | None:
    """Sum of a whole-row count over the distinct record rows of ``rows`` (None if none gives it)."""
    seen: dict[int, float] = {}
    for r in rows:
        v = getattr(r, attr)
        if v is not None:
            seen[r.line] = v
    return float(sum(seen.values())) if seen else None


def replay_night(
    attacks: str | Path,
    date: str,
    replications: int = 100,
    seed: int = 0,
    workers: int | None = 1,
    catalog: Catalog | None = None,
    reference: Scenario | None = None,
    calibration: Calibration | None = None,
) -> NightResult:
    """Simulate the night of ``date`` with the defended country's own defences (option ``none``)
    and compare it with the records, by class.

    ``calibration`` gives the parameter draws and the night-to-night spread (default: the
    built-in calibration file). ``workers`` is accepted for compatibility; one night runs in
    this process (many nights run in parallel in :func:`skyshield.replay.validate.validate`).
    """
    del workers
    cat = catalog or load_catalog()
    ref = reference or load_scenario(REFERENCE, cat)
    cal = calibration or load_calibration()
    rows = read_night(attacks, date)
    draws = cal.draws()
    sim = simulate_night(rows, date, replications, seed, draws, cat, ref)
    return compare_night(rows, sim, cal.night_spread, seed=seed, draws=draws[: max(1, min(len(draws), replications))])
