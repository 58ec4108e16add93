"""Analysis of replication results: statistics, convergence, sensitivity, Pareto fronts."""

from .convergence import ConvergenceRow, check_convergence, replications_needed, running_mean_ci
from .pareto import pareto_mask
from .sensitivity import sobol_indices
from .stats import mean_ci, paired_difference, summarise
from .tables import convergence_table, metric_columns, option_menu, point_means

__all__ = [
    "ConvergenceRow",
    "check_convergence",
    "convergence_table",
    "mean_ci",
    "metric_columns",
    "option_menu",
    "paired_difference",
    "pareto_mask",
    "point_means",
    "replications_needed",
    "running_mean_ci",
    "sobol_indices",
    "summarise",
]
