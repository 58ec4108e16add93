"""Analysis of replication results: statistics and comparisons."""

from .stats import mean_ci, paired_difference, summarise

__all__ = ["mean_ci", "paired_difference", "summarise"]
