"""Run replications of a scenario for one or more options, on any executor.

Seeds: replication ``r`` of sample ``s`` draws every random stream from the experiment's
``SeedSequence(seed)`` with spawn key ``(s, r, stream)`` (:class:`skyshield.rng.Streams`),
so options share raids and dice, and results do not depend on the number of workers, the
chunking or the order in which tasks finish: rows are put back in (option, replication) order.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from .. import __version__
from ..catalog import Catalog, catalog_hash, load_catalog
from ..engine import compile_scenario, engine_for
from ..options import resolve_option
from ..provenance import code_version
from ..scenario import Scenario
from .executors import Executor, make_executor
from .work import Chunk, ChunkResult, WorkContext, run_chunk

__all__ = ["Experiment", "ExperimentResult", "run_experiment"]

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Experiment:
    """Replications of a scenario under options.

    ``inputs`` records the files the scenario and catalog were read from (each with its
    SHA-256: the scenario file, every base it extends, every catalog overlay), for provenance.
    """

    scenario: Scenario
    options: tuple[str, ...]
    replications: int
    seed: int
    catalog: Catalog = field(default_factory=load_catalog)
    keep_events: bool = False
    fidelity: str = "statistical"
    inputs: tuple[dict[str, object], ...] = ()
    adversary: str = "fixed"  # fixed: the scenario's raid for every option; adaptive: skyshield.engine.adversary


@dataclass(frozen=True)
class ExperimentResult:
    experiment: Experiment
    metrics: pa.Table  # one row per (option, replication)
    events: pa.Table | None  # with `option` and `replication` columns, if kept
    wall_s: float

    @property
    def provenance(self) -> dict[str, object]:
        """What the numbers come from: every input that changes one, each hashed.

        The validated scenario and catalog (content hashes, so an overlay or a base that
        changes a value changes them), the input files as read, the seed, the replications,
        the options, the fidelity, and the package and code version.
        """
        e = self.experiment
        return {
            "scenario": e.scenario.id,
            "scenario_hash": e.scenario.content_hash,
            "catalog_hash": catalog_hash(e.catalog),
            "inputs": [dict(r) for r in e.inputs],
            "seed": e.seed,
            "replications": e.replications,
            "options": list(e.options),
            "fidelity": e.fidelity,
            "adversary": e.adversary,
            "version": __version__,
            "code_version": code_version(),
        }

    def rows(self, option: str) -> list[dict[str, float]]:
        t = self.metrics.filter(pc.equal(self.metrics["option"], option))
        cols = [c for c in t.column_names if c not in ("option", "replication")]
        data = {c: t[c].to_pylist() for c in cols}
        return [{c: data[c][i] for c in cols} for i in range(t.num_rows)]


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(a + size, n)) for a in range(0, n, size)]


def run_experiment(
    exp: Experiment,
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: Progress | None = None,
    scheduler: str | None = None,
    executor: "Executor | None" = None,
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
    scheduler
        ``processes`` (default), ``serial``, ``dask`` (a local Dask cluster) or the address
        of a Dask scheduler (``tcp://HOST:PORT``); see :func:`make_executor`.
    executor
        An executor to use instead of one made from ``scheduler`` and ``workers``.
    """
    t0 = time.perf_counter()
    params = {
        (i, 0): compile_scenario(exp.scenario, exp.catalog, resolve_option(o, exp.scenario), exp.adversary)
        for i, o in enumerate(exp.options)
    }
    engine_for(exp.fidelity)  # fail early on an unknown fidelity
    ex = executor or make_executor(scheduler, workers)
    n = exp.replications
    size = chunk_size or max(1, min(50, -(-n // (4 * ex.workers))))
    ctx = WorkContext(
        token=f"run-{exp.scenario.content_hash}-{exp.seed}-{os.getpid()}-{time.time_ns()}",
        options=tuple(exp.options),
        samples=((exp.scenario, None),),
        seed=exp.seed,
        fidelity=exp.fidelity,
        keep_events=exp.keep_events,
        compiled=params,
    )
    tasks = [Chunk(i, 0, a, b) for i in range(len(exp.options)) for a, b in _chunks(n, size)]
    results: dict[tuple[int, int], ChunkResult] = {}
    try:
        for _, res in ex.map(run_chunk, ctx, tasks):
            results[(res.chunk.option, res.chunk.start)] = res
            if progress:
                progress(len(res.rows))
    finally:
        if executor is None and hasattr(ex, "close"):
            ex.close()
    # Reassemble in (option, replication) order, whatever order the tasks finished in.
    all_rows: list[dict[str, float]] = []
    opt_col: list[str] = []
    rep_col: list[int] = []
    event_tables: list[pa.Table] = []
    for i, o in enumerate(exp.options):
        for a, _ in _chunks(n, size):
            res = results[(i, a)]
            for k, row in enumerate(res.rows):
                all_rows.append(row)
                opt_col.append(o)
                rep_col.append(a + k)
            for k, t in enumerate(res.events):
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
