"""The simulation engine: compiled parameters in, events and metrics out."""

from .assess import EVENT_SCHEMA, METRIC_DOCS, Outcome
from .compile import compile_scenario
from .core import FIDELITIES, Engine, engine_for, simulate
from .params import EngineParams

__all__ = ["EVENT_SCHEMA", "METRIC_DOCS", "Engine", "EngineParams", "FIDELITIES", "engine_for", "Outcome", "compile_scenario", "simulate"]
