"""Campaign mode: a raid generator fitted to public records, magazines and resupply over many
nights, and the over-the-horizon attrition of the adversary's launch capacity."""

from .generator import ClassFit, PeriodFit, RaidGenerator, fit_generator, period_stats
from .loop import CampaignSettings, run_campaign
from .magazines import Magazines
from .records import CLASSES, DailyCounts, read_daily_counts

__all__ = [
    "CLASSES",
    "CampaignSettings",
    "ClassFit",
    "DailyCounts",
    "Magazines",
    "PeriodFit",
    "RaidGenerator",
    "fit_generator",
    "period_stats",
    "read_daily_counts",
    "run_campaign",
]
