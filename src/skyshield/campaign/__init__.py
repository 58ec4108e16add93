"""Campaign mode: a raid generator fitted to public records (one ships with the package),
magazines per side and unit with resupply and aid over many nights, and the over-the-horizon
attrition and regeneration of the adversary's launch capacity."""

from .capacity import LaunchCapacityModel
from .generator import ClassFit, PeriodFit, RaidGenerator, default_generator, fit_generator, fit_records, period_stats
from .loop import CampaignSettings, run_campaign
from .magazines import Magazines
from .records import CLASSES, DailyCounts, read_daily_counts

__all__ = [
    "CLASSES",
    "CampaignSettings",
    "ClassFit",
    "DailyCounts",
    "LaunchCapacityModel",
    "Magazines",
    "PeriodFit",
    "RaidGenerator",
    "default_generator",
    "fit_generator",
    "fit_records",
    "period_stats",
    "read_daily_counts",
    "run_campaign",
]

from .._api_names import make_callable  # noqa: E402  (sk.campaign(...) is the API function, see there)

make_callable(__name__)
