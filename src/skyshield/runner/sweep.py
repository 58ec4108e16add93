"""Sweeps: run an experiment's missing replications on an executor, streaming chunks to a store.

Resumable by construction: the store says which replications are finished (a chunk is
finished when its metrics file is in place), only the others are planned, and each
replication's numbers depend on ``(seed, sample, replication)`` alone. A sweep killed at any
point and run again ends with the same results as one never interrupted, none lost and none
twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..engine import engine_for
from .executors import make_executor
from .work import ChunkResult, WorkContext, plan_chunks, run_chunk

if TYPE_CHECKING:
    from ..experiments import ResolvedExperiment

__all__ = ["ResultSink", "SweepSummary", "default_chunk_size", "run_sweep"]


class ResultSink(Protocol):
    """Where a sweep's chunks go (a :class:`skyshield.store.ResultStore`): the runner writes
    into it and knows nothing else of the store."""

    @property
    def done(self) -> int: ...

    @property
    def total(self) -> int: ...

    def completed(self) -> dict[tuple[int, int], set[int]]: ...

    def begin_run(self, executor: str, workers: int) -> None: ...

    def write_chunk(self, res: ChunkResult) -> Any: ...

    def end_run(self, status: str = "finished", index: bool = False) -> None: ...


@dataclass(frozen=True)
class SweepSummary:
    total: int  # replications the experiment asks for
    before: int  # already in the store when this sweep started
    ran: int  # run by this sweep
    chunks: int
    wall_s: float
    executor: str
    workers: int


def default_chunk_size(replications: int, workers: int) -> int:
    """About four tasks per worker and design point, at most 25 replications per file."""
    return max(1, min(25, -(-replications // (4 * workers))))


def run_sweep(
    exp: "ResolvedExperiment",
    store: ResultSink,
    *,
    executor: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
    catalog: bool = True,
) -> SweepSummary:
    """Run every replication of ``exp`` that ``store`` does not hold yet.

    Parameters
    ----------
    executor
        An executor (:mod:`skyshield.runner.executors`); made from ``scheduler`` and
        ``workers`` if not given (and closed at the end).
    chunk_size
        Replications per task and per Parquet file; any value gives the same results.
    progress
        Called with the number of replications of each chunk as it is stored.
    on_start
        Called once with (replications already done, replications in total).
    catalog
        Ask the store to rebuild its index at the end (the DuckDB catalog, which needs the
        ``store`` extra).
    """
    t0 = time.perf_counter()
    engine_for(exp.spec.fidelity)  # fail early on an unknown fidelity
    ex = executor or make_executor(scheduler, workers)
    before = store.done
    if on_start:
        on_start(before, store.total)
    n = exp.spec.replications
    size = chunk_size or exp.spec.chunk_size or default_chunk_size(n, ex.workers)
    chunks = plan_chunks(len(exp.options), len(exp.samples), n, size, store.completed())
    # Few design points: compile here once rather than in every worker; many: in the workers.
    compiled = {}
    points = {(c.option, c.sample) for c in chunks}
    if ex.workers > 1 and len(points) <= 2 * ex.workers:
        from ..engine import compile_scenario
        from ..options import resolve_option

        for o, s in sorted(points):
            sc = exp.samples[s].scenario
            compiled[(o, s)] = compile_scenario(sc, exp.samples[s].catalog, resolve_option(exp.options[o], sc))
    ctx = WorkContext(
        token=exp.identity_hash,
        options=exp.options,
        samples=tuple((s.scenario, s.catalog_doc) for s in exp.samples),
        seed=exp.seed_entropy,
        fidelity=exp.spec.fidelity,
        keep_events=exp.spec.events,
        compiled=compiled,
    )
    ran = 0
    store.begin_run(ex.name, ex.workers)
    status = "failed"
    try:
        for _, res in ex.map(run_chunk, ctx, chunks):
            store.write_chunk(res)
            ran += res.chunk.size
            if progress:
                progress(res.chunk.size)
        status = "finished"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        try:
            store.end_run(status, index=catalog)
        finally:
            if executor is None:
                ex.close()
    return SweepSummary(store.total, before, ran, len(chunks), time.perf_counter() - t0, ex.name, ex.workers)
