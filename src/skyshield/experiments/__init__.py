"""Experiments: scenario x options x parameter samples x replications, from a YAML file.

>>> from skyshield.experiments import ExperimentSpec, resolve_experiment
>>> spec = ExperimentSpec(id="demo", scenario="eastern-flank-night-raid-v1", options=("none",),
...                       replications=2, seed=1)
>>> len(resolve_experiment(spec).samples)
1
"""

from .design import design_points, salib_problem
from .model import DESIGN_METHODS, Design, ExperimentSpec, Parameter, Precision
from .resolve import ResolvedExperiment, Sample, catalog_hash, load_experiment, resolve_experiment

__all__ = [
    "DESIGN_METHODS",
    "Design",
    "ExperimentSpec",
    "Parameter",
    "Precision",
    "ResolvedExperiment",
    "Sample",
    "catalog_hash",
    "design_points",
    "load_experiment",
    "resolve_experiment",
    "salib_problem",
]
