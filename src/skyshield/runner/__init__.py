"""Experiments: many replications of scenarios x options, on one or many processes."""

from .experiment import Experiment, ExperimentResult, run_experiment

__all__ = ["Experiment", "ExperimentResult", "run_experiment"]
