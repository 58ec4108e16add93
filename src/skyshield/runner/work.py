"""The unit of work: a chunk of replications of one (option, sample), run where it lands.

A chunk's result is a pure function of the :class:`WorkContext` and the :class:`Chunk`:
replication ``r`` of sample ``s`` draws every random stream from ``(seed, s, r)``
(:class:`skyshield.rng.Streams`), never from the option, the worker or the chunking. So any
executor, any number of workers and any chunk size give the same rows, bit for bit.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from ..catalog import Catalog
from ..engine import Engine, EngineParams, compile_scenario, engine_for, simulate
from ..options import resolve_option
from ..scenario import Scenario

__all__ = ["Chunk", "ChunkResult", "WorkContext", "plan_chunks", "run_chunk"]


@dataclass(frozen=True)
class Chunk:
    """Replications ``start .. stop-1`` of option ``option`` (an index) and sample ``sample``."""

    option: int
    sample: int
    start: int
    stop: int

    @property
    def size(self) -> int:
        return self.stop - self.start


@dataclass(frozen=True)
class WorkContext:
    """Everything a worker needs, shipped once per worker (not once per chunk).

    ``samples`` holds, per sample, the validated scenario and the catalog *document* (the
    parsed YAML, units written out: validated catalogs do not pickle). ``compiled`` may carry
    parameters compiled in the caller (keyed by ``(option, sample)``); missing ones are
    compiled in the worker and cached there under ``token``.
    """

    token: str
    options: tuple[str, ...]
    samples: tuple[tuple[Scenario, Mapping[str, Any] | None], ...]
    seed: int
    fidelity: str = "statistical"
    keep_events: bool = False
    compiled: Mapping[tuple[int, int], EngineParams] = field(default_factory=dict)


@dataclass(frozen=True)
class ChunkResult:
    chunk: Chunk
    rows: list[dict[str, float]]  # one metrics dict per replication, in replication order
    events: list[pa.Table]  # one event table per replication, if kept
    wall_s: float


# Worker-side caches: compiled parameters of the current context, and engines by fidelity.
_CACHE: dict[tuple[str, int, int], EngineParams] = {}
_ENGINES: dict[str, Engine] = {}


def _params(ctx: WorkContext, option: int, sample: int) -> EngineParams:
    got = ctx.compiled.get((option, sample))
    if got is not None:
        return got
    key = (ctx.token, option, sample)
    if key not in _CACHE:
        if any(k[0] != ctx.token for k in _CACHE) or len(_CACHE) > 256:
            _CACHE.clear()
        sc, doc = ctx.samples[sample]
        if doc is None:
            raise ValueError(f"sample {sample} has neither compiled parameters nor a catalog document")
        cat = Catalog.model_validate(doc)
        _CACHE[key] = compile_scenario(sc, cat, resolve_option(ctx.options[option], sc))
    return _CACHE[key]


def run_chunk(ctx: WorkContext, chunk: Chunk) -> ChunkResult:
    """Run the replications of one chunk."""
    t0 = time.perf_counter()
    p = _params(ctx, chunk.option, chunk.sample)
    eng = _ENGINES.get(ctx.fidelity)
    if eng is None:
        eng = _ENGINES[ctx.fidelity] = engine_for(ctx.fidelity)
    rows, events = [], []
    for r in range(chunk.start, chunk.stop):
        out = simulate(p, ctx.seed, r, sample=chunk.sample, engine=eng)
        rows.append(out.metrics)
        if ctx.keep_events:
            events.append(out.events)
    return ChunkResult(chunk, rows, events, time.perf_counter() - t0)


def plan_chunks(
    n_options: int,
    n_samples: int,
    replications: int,
    size: int,
    done: Mapping[tuple[int, int], set[int]] | None = None,
) -> list[Chunk]:
    """Chunks covering every replication not in ``done``, at most ``size`` contiguous each.

    Ordered by (sample, option, start) so that early chunks complete whole design points.
    """
    out = []
    for s in range(n_samples):
        for o in range(n_options):
            have = done.get((o, s), set()) if done else set()
            r = 0
            while r < replications:
                if r in have:
                    r += 1
                    continue
                a = r
                while r < replications and r not in have and r - a < size:
                    r += 1
                out.append(Chunk(o, s, a, r))
    return out
