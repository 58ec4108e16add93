r"""Calibrate the statistical sense against full fidelity, per sensor kind and threat class.

``python -m skyshield.calibration.sensing`` runs the full-fidelity sense
(:class:`~skyshield.engine.sense_full.FullSensing`) on the test range ``sensing-range-v1``
(every sensor kind of the catalog against threats of every class, at varied ranges, aspects
and altitudes) over ``--fit`` replications, fits the fast model's table
(:mod:`skyshield.picture.quality`) on them, then scores the fitted model against new
full-fidelity replications on held-out seeds and prints both tables and the
:class:`~skyshield.picture.quality.Calibration` to paste into the model. ``--reference N``
adds the agreement of both fidelities on the reference night, for the options of
:data:`REFERENCE_OPTIONS`, over ``N`` held-out seeds.

What is compared, for every (sensor, threat) pair whose threat enters the sensor's coverage
circle (:func:`~skyshield.engine.sense.coverage`) in a replication:

* **detected share**: the share of these pairs that ever get a confirmed track;
* **mean first-track time**: over the pairs tracked, the mean time from entering the coverage
  circle to the first confirmed track (seconds; the warning a sensor gives is this much
  shorter than its coverage allows).

The fit, per cell (kind, column: the threat's class, or ``fast`` for threats faster than the
tracker's initiation limit :func:`initiation_speed_limit_mps`, whatever their class), picks the range factor :math:`f` (0 to 2.6 by 0.02) and the
per-scan confirmation probability :math:`q` (0.005 to 1, or the sensor's ``pd_scan``) that
minimise the sum of the two squared z-scores (difference over its standard error). A cell with
fewer than :data:`MIN_CANDIDATES` pairs has no data and falls back explicitly (``nan`` in the
table; see :mod:`skyshield.picture.quality`); one with candidates but no confirmed track gets
:math:`f = g = 0` (never confirms); one with fewer than :data:`MIN_TRACKED` tracked pairs fits
:math:`f` only, with :math:`q` = ``pd_scan`` and no inner circle.

The ``fast`` column is left to the physical fallback (status ``physics``) unless ``--fit-fast``:
the full tracker rarely starts a track on a threat faster than its initiation limit, which is
a limitation of that tracker, not of radars; its residuals are still reported.

The track-quality constants (hold probability, ambiguity, spuriousness, accuracy) depend on
how densely sensors overlap in the defended picture rather than on single pairs: they are fitted
on ``--quality`` full-fidelity replications of the reference night (option ``umbrella``).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..catalog import Catalog, load_catalog
from ..engine import compile_scenario
from ..engine.params import DEFENDED, SENSOR_KINDS, EngineParams
from ..engine.raid import Raid, sample_raid
from ..engine.sense import (Coverage, Picture, StatisticalSensing, coverage, effective_windows,
                            first_confirmations, geometric_scans, pair_draws)
from ..engine.trajectory import Segments, build_segments
from ..options import resolve_option
from ..picture.nodes import NodeConfig
from ..picture.quality import COLUMNS, FAST, Calibration, table_column
from ..rng import Streams
from ..scenario import load_scenario, parse_scenario

__all__ = [
    "RANGE_SCENARIO", "REFERENCE_OPTIONS", "MIN_CANDIDATES", "MIN_TRACKED", "FullRun", "CellStats",
    "calibration_catalog", "range_params", "reference_params", "initiation_speed_limit_mps",
    "run_full", "pair_times", "cell_stats", "fit", "fit_quality", "evaluate", "picture_summary", "main",
]

F = NDArray[np.float64]
I = NDArray[np.int64]

RANGE_SCENARIO = "sensing-range-v1.yaml"
REFERENCE_OPTIONS = ("none", "air-policing", "umbrella", "forward-cap")
QUALITY_OPTION = "umbrella"
"""Option of the reference night whose full-fidelity picture sets the track-quality constants."""
MIN_CANDIDATES = 50
"""Fewer (sensor, threat) pairs than this in a cell over the fit replications: no data."""
MIN_TRACKED = 20
"""Fewer tracked pairs than this: fit the outer factor only (q = ``pd_scan``, no inner circle)."""
FACTORS = np.round(np.arange(0.0, 2.6001, 0.02), 2)
CONFIRM_P = np.array([0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0])
INNER = np.array([0.0, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8])
ALTITUDE_VARIANTS = {"shahed-136": ("low", "high"), "gerbera": ("low", "high"), "su-34": ("low",)}
"""Threat types flown on the test range also at the ends of their public altitude range."""
N_CELLS = len(SENSOR_KINDS) * len(COLUMNS)


# ---------------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def calibration_catalog() -> Catalog:
    """The built-in catalog plus altitude variants (``type@low``, ``type@high``).

    A variant copies its type and flies at the low or high end of the type's public altitude
    range (same source), so one class is seen both horizon-limited and range-limited.
    """
    cat = load_catalog()
    threats = dict(cat.threats)
    for name, ends in ALTITUDE_VARIANTS.items():
        t = threats[name]
        for end in ends:
            alt = t.altitude.model_copy(update={"value": getattr(t.altitude, end)})
            threats[f"{name}@{end}"] = t.model_copy(update={"altitude": alt, "name": f"{t.name} ({end} altitude)"})
    return cat.model_copy(update={"threats": threats})


def range_params(option: str = "none") -> EngineParams:
    """The compiled test range ``sensing-range-v1``."""
    from ..documents import loads_yaml

    cat = calibration_catalog()
    text = files(__package__).joinpath(RANGE_SCENARIO).read_text(encoding="utf-8")
    source = f"<calibration>/{RANGE_SCENARIO}"
    data, lines = loads_yaml(text, source)
    sc = parse_scenario(data, lines, source, cat)
    return compile_scenario(sc, cat, resolve_option(option, sc))


def reference_params(option: str = "umbrella") -> EngineParams:
    """The reference night ``eastern-flank-night-raid-v1`` compiled for ``option``."""
    cat = load_catalog()
    sc = load_scenario("eastern-flank-night-raid-v1", cat)
    return compile_scenario(sc, cat, resolve_option(option, sc))


def initiation_speed_limit_mps(config: NodeConfig = NodeConfig()) -> float:
    r"""Fastest threat the full tracker can start a track on: :math:`g\,\sigma_{v0}`.

    A tentative track is born at a detection with zero velocity and velocity spread
    :math:`\sigma_{v0}`; the next detection, :math:`vT` away, falls inside its gate only if
    :math:`vT \lesssim g\sqrt{\sigma_{v0}^2T^2 + 2\sigma_z^2}`, i.e. :math:`v \lesssim g\sigma_{v0}`
    when the measurement noise :math:`\sigma_z` is small against :math:`\sigma_{v0}T`.
    """
    return float(config.gate * config.init_vel_sigma_mps)


# ---------------------------------------------------------------------------------------------
# Full-fidelity runs
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FullRun:
    """One full-fidelity replication: its picture's first tracks and metrics."""

    seed: int
    replication: int
    key: I  # by_sensor_key
    t: F  # by_sensor_t
    network_t: F  # (2, N)
    own_t: F  # (2, N)
    metrics: dict[str, float]

    def picture(self, n: int) -> Picture:
        return Picture(self.key, self.t, self.network_t, self.own_t, n, dict(self.metrics))


def _full_task(params: EngineParams, task: tuple[int, int]) -> FullRun:
    from ..engine.sense_full import FullSensing

    seed, rep = task
    st = Streams(seed, rep)
    raid = sample_raid(params, st)
    seg = build_segments(raid, params)
    pic = FullSensing()(params, raid, seg, st)
    return FullRun(seed, rep, pic.by_sensor_key, pic.by_sensor_t, pic.network_t, pic.own_t,
                   {k: float(v) for k, v in pic.metrics.items()})


def run_full(params: EngineParams, seed: int, replications: range | list[int], workers: int | None = None) -> list[FullRun]:
    """Full-fidelity sense of ``replications`` of ``params`` (in replication order)."""
    from ..runner.executors import make_executor

    tasks = [(seed, r) for r in replications]
    out: list[Any] = [None] * len(tasks)
    with make_executor(None, workers) as ex:
        for i, res in ex.map(_full_task, params, tasks):
            out[i] = res
    return out


def _raid(params: EngineParams, seed: int, rep: int) -> tuple[Streams, Raid, Segments]:
    st = Streams(seed, rep)
    raid = sample_raid(params, st)
    return st, raid, build_segments(raid, params)


# ---------------------------------------------------------------------------------------------
# Pairs and cells
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pairs:
    """The candidate (sensor, threat) pairs of one replication."""

    key: I  # (P,) sensor * N + threat, sorted
    cell: I  # (P,) kind * len(COLUMNS) + column
    t_cov: F  # (P,) first entry into the coverage circle
    inv: I  # (W,) pair of each coverage row


def candidate_pairs(cov: Coverage, n: int, max_speed_mps: float) -> Pairs:
    """The (sensor, threat) pairs of coverage ``cov``, with their cell and first entry."""
    key, inv = np.unique(cov.k * n + cov.thr, return_inverse=True)
    inv = inv.ravel()
    t_cov = np.full(key.size, np.inf)
    np.minimum.at(t_cov, inv, cov.t_in)
    speed = np.zeros(key.size)
    np.maximum.at(speed, inv, cov.speed_mps)
    cls = np.zeros(key.size, np.int64)
    cls[inv] = cov.cls
    kind = np.zeros(key.size, np.int64)
    kind[inv] = cov.kind
    return Pairs(key, kind * len(COLUMNS) + table_column(cls, speed, max_speed_mps), t_cov, inv)


def pair_times(pairs: Pairs, key: I, t: F) -> F:
    """First-track time of each candidate pair from a picture's ``(key, t)`` (``inf``: none)."""
    pos = np.minimum(np.searchsorted(key, pairs.key), max(key.size - 1, 0))
    found = (key[pos] == pairs.key) if key.size else np.zeros(pairs.key.size, bool)
    return np.where(found, t[pos] if key.size else np.inf, np.inf)


@dataclass(frozen=True)
class CellStats:
    """Per cell (kind x class, flattened): candidates, tracked pairs, and latency sums."""

    n: F  # (..., cells)
    tracked: F
    lat_sum: F
    lat_sq: F

    @staticmethod
    def zeros(shape: tuple[int, ...] = ()) -> "CellStats":
        return CellStats(*(np.zeros((*shape, N_CELLS)) for _ in range(4)))

    def __add__(self, o: "CellStats") -> "CellStats":
        return CellStats(self.n + o.n, self.tracked + o.tracked, self.lat_sum + o.lat_sum, self.lat_sq + o.lat_sq)

    @property
    def share(self) -> F:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.tracked / self.n

    @property
    def latency_s(self) -> F:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.lat_sum / self.tracked

    @property
    def latency_sd_s(self) -> F:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.sqrt(np.maximum(self.lat_sq / self.tracked - self.latency_s**2, 0.0))

    def se_share(self) -> F:
        """Binomial standard error of the share (Laplace-smoothed so that 0/n has one)."""
        p = (self.tracked + 1.0) / (self.n + 2.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.sqrt(p * (1 - p) / self.n)

    def se_latency(self) -> F:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.latency_sd_s / np.sqrt(self.tracked)


def cell_stats(pairs: Pairs, t_first: F) -> CellStats:
    """Aggregate first-track times ``t_first`` (``(P,)`` or ``(P, Q)``) per cell."""
    cell, t = pairs.cell, t_first
    lat = t - (pairs.t_cov if t.ndim == 1 else pairs.t_cov[:, None])
    ok = np.isfinite(lat)
    lat = np.where(ok, lat, 0.0)
    extra = t.shape[1:]
    out = CellStats.zeros(extra)
    for arr, val in ((out.n, np.ones(t.shape)), (out.tracked, ok.astype(float)), (out.lat_sum, lat),
                     (out.lat_sq, lat**2)):
        acc = np.zeros((N_CELLS, *extra))
        np.add.at(acc, cell, val)
        arr[...] = np.moveaxis(acc, 0, -1)
    return out


# ---------------------------------------------------------------------------------------------
# Fit
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FitResult:
    calibration: Calibration
    full: CellStats  # full fidelity on the fit replications
    stat: CellStats  # the fitted model on the same replications
    status: tuple[str, ...]  # per cell: fitted, factor-only, never, no-data


def _cell_sums(pairs: Pairs, t_first: F) -> CellStats:
    """:func:`cell_stats` for ``t_first`` of shape ``(P, X)``, by sums over pairs sorted by cell."""
    order = np.argsort(pairs.cell, kind="stable")
    cell = pairs.cell[order]
    start = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]]) if cell.size else np.zeros(0, np.int64)
    t = t_first[order]
    lat = t - pairs.t_cov[order][:, None]
    ok = np.isfinite(lat)
    lat = np.where(ok, lat, 0.0)
    out = CellStats.zeros(t.shape[1:])
    if cell.size:
        c = cell[start]
        out.n[..., c] = np.diff(np.r_[start, cell.size])[None, :]
        for arr, val in ((out.tracked, ok.astype(float)), (out.lat_sum, lat), (out.lat_sq, lat * lat)):
            arr[..., c] = np.add.reduceat(val, start, axis=0).T
    return out


def _grid_stats(params: EngineParams, seed: int, runs: list[FullRun], max_speed: float, factors: F,
                confirm_p: F, inner: F) -> tuple[CellStats, CellStats]:
    """Full stats, and the fast model's over the grid: ``(cells,)`` and ``(G, F, Q+1, cells)``.

    Per replication, the outer-circle confirmation of every pair is tabulated for each factor
    and per-scan probability (the last column: the sensor's ``pd_scan``), the inner-circle one
    for each inner factor; a grid point takes the earlier of the two.
    """
    full = CellStats.zeros()
    grid = CellStats.zeros((inner.size, factors.size, confirm_p.size + 1))
    m = Calibration().min_scans
    for run in runs:
        st, raid, seg = _raid(params, seed, run.replication)
        cov = coverage(params, raid, seg)
        pairs = candidate_pairs(cov, raid.size, max_speed)
        full = full + cell_stats(pairs, pair_times(pairs, run.key, run.t))
        u, phase = pair_draws(params, cov, st.key("sensors"))
        P = pairs.key.size
        outer = np.full((P, factors.size, confirm_p.size + 1), np.inf)
        inn = np.full((P, inner.size), np.inf)
        for fi, f in enumerate(np.union1d(factors, inner)):
            row, a, b = effective_windows(params, seg, cov, np.full(cov.m.size, f))
            if f in factors:
                q = np.concatenate([np.broadcast_to(confirm_p, (row.size, confirm_p.size)),
                                    params.sensors.pd_scan[cov.k[row]][:, None]], axis=1)
                wait = phase[row][:, None] + m + geometric_scans(u[row][:, None], q)
                outer[:, int(np.searchsorted(factors, f))] = first_confirmations(
                    params, cov, row, a, b, wait, pairs.inv, P)
            if f in inner:
                inn[:, int(np.searchsorted(inner, f))] = first_confirmations(
                    params, cov, row, a, b, phase[row] + m, pairs.inv, P)
        for gi in range(inner.size):
            both = np.minimum(outer, inn[:, gi, None, None]).reshape(P, -1)
            sums = _cell_sums(pairs, both)
            for name in ("n", "tracked", "lat_sum", "lat_sq"):
                getattr(grid, name)[gi] += getattr(sums, name).reshape(factors.size, confirm_p.size + 1, N_CELLS)
    return full, grid


def _z2(full: CellStats, model: CellStats, use_latency: bool) -> F:
    z = ((model.share - full.share) / full.se_share()) ** 2
    if use_latency:
        se = np.sqrt(2.0) * full.se_latency() + 1.0  # both sides are samples; 1 s floor
        z = z + np.where(model.tracked > 0, ((model.latency_s - full.latency_s) / se) ** 2, 1e6)
    return np.where(np.isfinite(z), z, 1e12)


def fit(params: EngineParams, seed: int, runs: list[FullRun], config: NodeConfig = NodeConfig(),
        factors: F = FACTORS, confirm_p: F = CONFIRM_P, inner: F = INNER, fit_fast: bool = False) -> FitResult:
    """Fit the (kind, column) tables of the fast model to full-fidelity ``runs`` of ``params``.

    ``factors``, ``confirm_p`` and ``inner`` are the grids searched (module docstring). The
    ``fast`` column is left to the physical fallback unless ``fit_fast``: the full tracker's
    failure to start tracks above its initiation limit is a limitation of that tracker (no
    velocity prior for ballistic threats), not of the radars, and copying it would leave every
    quasi-ballistic missile untracked, so unengaged, in the statistical engine.
    """
    factors, confirm_p, inner = (np.asarray(x, float) for x in (factors, confirm_p, inner))
    max_speed = initiation_speed_limit_mps(config)
    full, grid = _grid_stats(params, seed, runs, max_speed, factors, confirm_p, inner)
    K, C = len(SENSOR_KINDS), len(COLUMNS)
    f_tab, q_tab, g_tab = (np.full(N_CELLS, np.nan) for _ in range(3))
    status = []
    for c in range(N_CELLS):
        one = CellStats(*(getattr(full, x)[c] for x in ("n", "tracked", "lat_sum", "lat_sq")))
        sub = CellStats(*(getattr(grid, x)[..., c] for x in ("n", "tracked", "lat_sum", "lat_sq")))
        if c % C == FAST and not fit_fast:
            status.append("physics")
            continue
        if one.n < MIN_CANDIDATES:
            status.append("no-data")
            continue
        if one.tracked == 0:
            f_tab[c], g_tab[c] = 0.0, 0.0
            status.append("never")
            continue
        if one.tracked < MIN_TRACKED:  # too few tracks for a delay: one circle, pd_scan
            gi0 = int(np.flatnonzero(inner == 0.0)[0]) if np.any(inner == 0.0) else 0
            z = _z2(one, sub, use_latency=False)[gi0, :, -1]
            f_tab[c], g_tab[c] = factors[int(np.argmin(z))], inner[gi0]
            status.append("factor-only")
            continue
        z = _z2(one, sub, use_latency=True)
        gi, fi, qi = np.unravel_index(int(np.argmin(z)), z.shape)
        f_tab[c], g_tab[c] = factors[fi], inner[gi]
        q_tab[c] = confirm_p[qi] if qi < confirm_p.size else np.nan
        status.append("fitted")

    def tab(x: F) -> tuple[tuple[float, ...], ...]:
        return tuple(tuple(float(v) for v in r) for r in x.reshape(K, C))

    cal = Calibration(range_factor=tab(f_tab), confirm_p=tab(q_tab), inner_factor=tab(g_tab),
                      max_speed_mps=max_speed)
    stat = evaluate(params, seed, runs, cal)[1]
    return FitResult(cal, full, stat, tuple(status))


def fit_quality(cal: Calibration, seed: int, runs: list[FullRun], params: EngineParams) -> Calibration:
    """Track-quality constants of ``cal`` from full-fidelity ``runs`` of ``params``.

    The hold probability is the ratio of SIAP completeness at full fidelity to that of the
    fast model with :math:`p_{hold} = 1` on the same raids; ambiguity, spuriousness and
    accuracy are the full model's own. They depend on how densely sensors overlap in the
    defended picture, so they are fitted on the reference night, not on the test range.
    """
    fm = {k: float(np.mean([r.metrics[k] for r in runs])) for k in
          ("siap_completeness", "siap_ambiguity", "siap_spuriousness", "siap_accuracy_m")}
    comp = []
    for run in runs:
        st, raid, seg = _raid(params, seed, run.replication)
        comp.append(StatisticalSensing(replace(cal, p_hold=1.0))(params, raid, seg, st).metrics["siap_completeness"])
    return replace(
        cal,
        p_hold=float(np.round(min(fm["siap_completeness"] / max(float(np.mean(comp)), 1e-9), 1.0), 3)),
        ambiguity=float(np.round(fm["siap_ambiguity"], 3)),
        spuriousness=float(np.round(fm["siap_spuriousness"], 4)),
        accuracy_m=float(np.round(fm["siap_accuracy_m"], 1)),
    )


def evaluate(params: EngineParams, seed: int, runs: list[FullRun], cal: Calibration) -> tuple[CellStats, CellStats]:
    """Per-cell statistics of full fidelity and of the fast model ``cal`` on ``runs``."""
    full, stat = CellStats.zeros(), CellStats.zeros()
    sense = StatisticalSensing(cal, metrics=False)
    for run in runs:
        st, raid, seg = _raid(params, seed, run.replication)
        cov = coverage(params, raid, seg)
        pairs = candidate_pairs(cov, raid.size, cal.max_speed_mps)
        pic = sense(params, raid, seg, st)
        full = full + cell_stats(pairs, pair_times(pairs, run.key, run.t))
        stat = stat + cell_stats(pairs, pair_times(pairs, pic.by_sensor_key, pic.by_sensor_t))
    return full, stat


# ---------------------------------------------------------------------------------------------
# The reference night
# ---------------------------------------------------------------------------------------------

SUMMARY_NAMES = ("detected_fraction", "early_warning_s", "early_warning_gain_s", "gospa_m",
                 "siap_completeness", "siap_latency_s")


def picture_summary(pic: Picture, seg: Segments) -> dict[str, float]:
    """What the battle and the analyst see of a picture (the names of ``engine.assess``)."""
    arrival = seg.arrival_s
    d = pic.network_t[DEFENDED]
    seen = np.isfinite(d) & (d <= arrival)
    own = pic.own_t[DEFENDED]
    own_seen = np.isfinite(own) & (own <= arrival)
    return {
        "detected_fraction": float(seen.mean()),
        "early_warning_s": float(np.where(seen, arrival - d, 0.0).mean()),
        "early_warning_gain_s": float(np.where(seen, np.where(own_seen, own, arrival) - d, 0.0).mean()),
        "gospa_m": float(pic.metrics["gospa_m"]),
        "siap_completeness": float(pic.metrics["siap_completeness"]),
        "siap_latency_s": float(pic.metrics["siap_latency_s"]),
    }


def reference_agreement(option: str, seed: int, replications: list[int], cal: Calibration,
                        workers: int | None = None, params: EngineParams | None = None) -> dict[str, tuple[F, F]]:
    """Per-replication summaries ``(full, statistical)`` of both fidelities on the same raids."""
    p = params if params is not None else reference_params(option)
    runs = run_full(p, seed, replications, workers)
    full = {k: [] for k in SUMMARY_NAMES}
    stat = {k: [] for k in SUMMARY_NAMES}
    for run in runs:
        st, raid, seg = _raid(p, seed, run.replication)
        for store, pic in ((full, run.picture(raid.size)), (stat, StatisticalSensing(cal)(p, raid, seg, st))):
            for k, v in picture_summary(pic, seg).items():
                store[k].append(v)
    return {k: (np.array(full[k]), np.array(stat[k])) for k in SUMMARY_NAMES}


# ---------------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------------

def _cell_name(c: int) -> tuple[str, str]:
    return SENSOR_KINDS[c // len(COLUMNS)], COLUMNS[c % len(COLUMNS)]


def _fmt(x: float, nd: int = 2) -> str:
    return "-" if not np.isfinite(x) else f"{x:.{nd}f}"


def table_markdown(cal: Calibration, status: tuple[str, ...], full: CellStats, stat: CellStats) -> str:
    """The calibration table with held-out residuals (stat minus full, with 2 standard errors)."""
    f_tab, q_tab, g_tab = cal.factor_table().ravel(), cal.confirm_table().ravel(), cal.inner_table().ravel()
    lines = [
        "| sensor kind | threat class | fit | f | q | g | pairs | share full | share stat | residual (±2 se) "
        "| first track full (s) | stat (s) | residual (±2 se) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in range(N_CELLS):
        kind, cls = _cell_name(c)
        se_s = 2 * np.sqrt(full.se_share()[c] ** 2 + stat.se_share()[c] ** 2)
        se_l = 2 * np.sqrt(np.nan_to_num(full.se_latency()[c]) ** 2 + np.nan_to_num(stat.se_latency()[c]) ** 2)
        q = "pd_scan" if np.isnan(q_tab[c]) and status[c] in ("fitted", "factor-only") else _fmt(q_tab[c], 3)
        lines.append(
            f"| {kind} | {cls} | {status[c]} | {_fmt(f_tab[c])} | {q} | {_fmt(g_tab[c], 1)} | {int(full.n[c])} "
            f"| {_fmt(full.share[c])} | {_fmt(stat.share[c])} | {_fmt(stat.share[c] - full.share[c], 3)} ± {_fmt(se_s, 3)} "
            f"| {_fmt(full.latency_s[c], 0)} | {_fmt(stat.latency_s[c], 0)} "
            f"| {_fmt(stat.latency_s[c] - full.latency_s[c], 0)} ± {_fmt(se_l, 0)} |"
        )
    return "\n".join(lines)


def reference_markdown(results: dict[str, dict[str, tuple[F, F]]]) -> str:
    lines = ["| option | metric | full | statistical | difference (±2 se, paired) |", "|---|---|---|---|---|"]
    for option, res in results.items():
        for name, (a, b) in res.items():
            d = b - a
            se = 2 * d.std(ddof=1) / np.sqrt(d.size) if d.size > 1 else float("nan")
            lines.append(f"| {option} | {name} | {a.mean():.4g} | {b.mean():.4g} | {d.mean():+.3g} ± {se:.2g} |")
    return "\n".join(lines)


def calibration_literal(cal: Calibration) -> str:
    """Python source of ``cal`` to paste into :data:`skyshield.picture.quality.CALIBRATION`."""

    def table(t: tuple[tuple[float, ...], ...]) -> str:
        rows = "".join(f"        ({', '.join('nan' if np.isnan(x) else repr(x) for x in r)}),  # {kind}\n"
                       for r, kind in zip(t, SENSOR_KINDS))
        return f"(  # columns: {', '.join(COLUMNS)}\n{rows}    )"

    return (
        "CALIBRATION = Calibration(\n"
        f"    range_factor={table(cal.range_factor)},\n"
        f"    confirm_p={table(cal.confirm_p)},\n"
        f"    inner_factor={table(cal.inner_factor)},\n"
        f"    min_scans={cal.min_scans!r}, max_speed_mps={cal.max_speed_mps!r},\n"
        f"    p_hold={cal.p_hold!r}, ambiguity={cal.ambiguity!r}, spuriousness={cal.spuriousness!r},\n"
        f"    accuracy_m={cal.accuracy_m!r},\n"
        f"    source={cal.source!r},\n"
        ")"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m skyshield.calibration.sensing", description=__doc__.split("\n\n")[0])
    ap.add_argument("--fit", type=int, default=20, help="replications to fit on (seed --seed, replications 0..)")
    ap.add_argument("--held-out", type=int, default=20, help="replications to score on (seed --seed + 1)")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    ap.add_argument("--quality", type=int, default=3,
                    help="reference-night replications (option umbrella, seed --seed) to fit track quality on")
    ap.add_argument("--reference", type=int, default=0, help="also compare on the reference night over N held-out seeds")
    ap.add_argument("--fit-fast", action="store_true",
                    help="fit the `fast` column to the full tracker too (default: physical fallback)")
    ap.add_argument("--use-current", action="store_true", help="score the model's current CALIBRATION instead of fitting")
    ap.add_argument("--markdown", default=None, help="write the tables to this file")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    clock = [t0]

    def lap(what: str) -> None:
        now = time.perf_counter()
        print(f"# {what}: {now - clock[0]:.0f} s", file=sys.stderr, flush=True)
        clock[0] = now

    params = range_params()
    out: list[str] = []
    if a.use_current:
        from ..picture.quality import CALIBRATION

        cal, status = CALIBRATION, tuple("current" for _ in range(N_CELLS))
    else:
        runs = run_full(params, a.seed, range(a.fit), a.workers)
        lap(f"full fidelity, {a.fit} fit replications of the test range")
        res = fit(params, a.seed, runs, fit_fast=a.fit_fast)
        lap("fit")
        status, cal = res.status, res.calibration
        quality = "track quality not fitted"
        if a.quality:
            ref = reference_params(QUALITY_OPTION)
            cal = fit_quality(cal, a.seed, run_full(ref, a.seed, range(a.quality), a.workers), ref)
            quality = f"track quality on the reference night ({QUALITY_OPTION})"
            lap(f"track quality, {a.quality} replications of the reference night")
        flags = " --fit-fast" if a.fit_fast else ""
        cal = replace(cal, source=(f"python -m skyshield.calibration.sensing --fit {a.fit} --quality {a.quality} "
                                   f"--seed {a.seed}{flags}: detection on {RANGE_SCENARIO}, {quality}"))
        out += [f"## Fit ({a.fit} replications, seed {a.seed}; residuals in-sample)", "",
                table_markdown(cal, status, res.full, res.stat), ""]
    if a.held_out:
        held = run_full(params, a.seed + 1, range(a.held_out), a.workers)
        full, stat = evaluate(params, a.seed + 1, held, cal)
        out += [f"## Held out ({a.held_out} replications, seed {a.seed + 1})", "",
                table_markdown(cal, status, full, stat), ""]
        lap(f"held out, {a.held_out} replications of the test range")
    if a.reference:
        res_ref = {o: reference_agreement(o, a.seed + 2, list(range(a.reference)), cal, a.workers)
                   for o in REFERENCE_OPTIONS}
        out += [f"## Reference night ({a.reference} replications, seed {a.seed + 2})", "",
                reference_markdown(res_ref), ""]
        lap(f"reference night, {a.reference} replications x {len(REFERENCE_OPTIONS)} options")
    out += ["## Calibration", "", "```python", calibration_literal(cal), "```", "",
            f"({time.perf_counter() - t0:.0f} s)"]
    text = "\n".join(out)
    print(text)
    if a.markdown:
        with open(a.markdown, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
