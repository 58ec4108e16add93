"""Experiments: many replications of scenarios x options x samples, on any executor."""

from .executors import DaskExecutor, Executor, ProcessPoolExecutor, SerialExecutor, default_workers, make_executor
from .experiment import Experiment, ExperimentResult, run_experiment
from .sweep import SweepSummary, default_chunk_size, run_sweep
from .work import Chunk, ChunkResult, WorkContext, plan_chunks, run_chunk

__all__ = [
    "Chunk",
    "ChunkResult",
    "DaskExecutor",
    "Executor",
    "Experiment",
    "ExperimentResult",
    "ProcessPoolExecutor",
    "SerialExecutor",
    "SweepSummary",
    "WorkContext",
    "default_chunk_size",
    "default_workers",
    "make_executor",
    "plan_chunks",
    "run_chunk",
    "run_experiment",
    "run_sweep",
]
