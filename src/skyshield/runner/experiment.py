"""Run replications of a scenario for one or more options, serially or on a process pool.

Seeds: replication ``r`` of sample ``s`` draws every random stream from the experiment's
``SeedSequence(seed)`` with spawn key ``(s, r, stream)`` (:class:`skyshield.rng.Streams`),
so options share raids and dice, and results do not depend on the number of workers, the
chunking or the order in which tasks finish: rows are put back in (option, replication) order.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context

import pyarrow as pa
import pyarrow.compute as pc

from .. import __version__
from ..catalog import Catalog, load_catalog
from ..engine import Engine, EngineParams, compile_scenario, engine_for, simulate
from ..options import resolve_option
from ..scenario import Scenario

__all__ = ["Experiment", "ExperimentResult", "run_experiment"]

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Experiment:
    scenario: Scenario
    options: tuple[str, ...]
    replications: int
    seed: int
    catalog: Catalog = field(default_factory=load_catalog)
    keep_events: bool = False
    fidelity: str = "statistical"


@dataclass(frozen=True)
class ExperimentResult:
    experiment: Experiment
    metrics: pa.Table  # one row per (option, replication)
    events: pa.Table | None  # with `option` and `replication` columns, if kept
    wall_s: float

    @property
    def provenance(self) -> dict[str, object]:
        e = self.experiment
        return {
            "scenario": e.scenario.id,
            "scenario_hash": e.scenario.content_hash,
            "seed": e.seed,
            "replications": e.replications,
            "options": list(e.options),
            "fidelity": e.fidelity,
            "version": __version__,
        }

    def rows(self, option: str) -> list[dict[str, float]]:
        t = self.metrics.filter(pc.equal(self.metrics["option"], option))
        cols = [c for c in t.column_names if c not in ("option", "replication")]
        data = {c: t[c].to_pylist() for c in cols}
        return [{c: data[c][i] for c in cols} for i in range(t.num_rows)]


# Worker state: compiled parameters per option and the engine, set once per worker process.
_PARAMS: dict[str, EngineParams] = {}
_ENGINE: list[Engine] = []


def _init(params: dict[str, EngineParams], fidelity: str) -> None:
    _PARAMS.clear()
    _PARAMS.update(params)
    _ENGINE[:] = [engine_for(fidelity)]


def _run_chunk(task: tuple[str, int, int, int, bool]) -> tuple[str, int, list[dict[str, float]], list[pa.Table]]:
    option, seed, start, stop, keep = task
    p = _PARAMS[option]
    rows, events = [], []
    for r in range(start, stop):
        out = simulate(p, seed, r, engine=_ENGINE[0])
        rows.append(out.metrics)
        if keep:
            events.append(out.events)
    return option, start, rows, events


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(a + size, n)) for a in range(0, n, size)]


def run_experiment(
    exp: Experiment,
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: Progress | None = None,
) -> ExperimentResult:
    """Run every (option, replication) of ``exp``.

    Parameters
    ----------
    workers
        Worker processes; ``1`` runs in this process; ``None`` uses all cores.
    chunk_size
        Replications per task (default: about four tasks per worker and option).
    progress
        Called with the number of replications just finished.
    """
    t0 = time.perf_counter()
    params = {
        o: compile_scenario(exp.scenario, exp.catalog, resolve_option(o, exp.scenario)) for o in exp.options
    }
    workers = workers or os.cpu_count() or 1
    n = exp.replications
    size = chunk_size or max(1, min(50, -(-n // (4 * workers))))
    tasks = [(o, exp.seed, a, b, exp.keep_events) for o in exp.options for a, b in _chunks(n, size)]
    results: dict[tuple[str, int], tuple[list[dict[str, float]], list[pa.Table]]] = {}
    engine_for(exp.fidelity)  # fail early on an unknown fidelity
    if workers == 1:
        _init(params, exp.fidelity)
        for task in tasks:
            o, a, rows, ev = _run_chunk(task)
            results[(o, a)] = (rows, ev)
            if progress:
                progress(len(rows))
    else:
        # forkserver: no fork of a process that may run threads (a progress bar's, say).
        ctx = get_context("forkserver") if os.name == "posix" else get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=_init, initargs=(params, exp.fidelity)
        ) as pool:
            for o, a, rows, ev in pool.map(_run_chunk, tasks):
                results[(o, a)] = (rows, ev)
                if progress:
                    progress(len(rows))
    # Reassemble in (option, replication) order, whatever order the tasks finished in.
    all_rows: list[dict[str, float]] = []
    opt_col: list[str] = []
    rep_col: list[int] = []
    event_tables: list[pa.Table] = []
    for o in exp.options:
        for a, _ in _chunks(n, size):
            rows, ev = results[(o, a)]
            for k, row in enumerate(rows):
                all_rows.append(row)
                opt_col.append(o)
                rep_col.append(a + k)
            for k, t in enumerate(ev):
                event_tables.append(
                    t.append_column("option", pa.array([o] * t.num_rows, pa.string())).append_column(
                        "replication", pa.array([a + k] * t.num_rows, pa.int32())
                    )
                )
    keys: list[str] = []
    for row in all_rows:
        for k in row:
            if k not in keys:
                keys.append(k)
    cols = {"option": pa.array(opt_col, pa.string()), "replication": pa.array(rep_col, pa.int32())}
    for k in keys:
        cols[k] = pa.array([row.get(k, 0.0) for row in all_rows], pa.float64())
    events = pa.concat_tables(event_tables) if exp.keep_events and event_tables else None
    return ExperimentResult(exp, pa.table(cols), events, time.perf_counter() - t0)
