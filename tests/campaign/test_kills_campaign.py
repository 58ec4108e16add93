"""Checks written for the survivors of the seed-2 mutation sample of ``campaign/``.

Each names the mistake it catches, applied by hand and seen to fail.
"""

from __future__ import annotations

import pytest

from skyshield.campaign import CampaignSettings, ClassFit, PeriodFit, RaidGenerator, run_campaign
from skyshield.catalog import load_catalog
from skyshield.scenario import load_scenario


def test_a_campaign_of_quiet_nights_launches_nothing_and_books_the_nights() -> None:
    # Every class active on no day: three nights without a raid. The engine does not run, the
    # magazines book a night with nothing fired, the ladder stays at rung 0.
    # Mistake caught: a quiet night booking ``None`` rounds (the campaign then fails).
    cat = load_catalog()
    sc = load_scenario("eastern-flank-night-raid-v1", cat)
    quiet = {c: ClassFit(0.0, 10.0, 50.0) for c in ("drone", "cruise", "ballistic")}
    gen = RaidGenerator((PeriodFit("2025-Q3", 92, quiet, 0.4),), {"span": ["test"]})
    out = run_campaign(sc, cat, "forward-cap", gen, CampaignSettings(days=3), seed=3, replication=0)
    assert out["launched"] == 0 and out["leaked"] == 0 and out["assets_hit"] == 0
    assert out["protection"] == 1.0
    assert out["max_rung"] == 0 and out["allied_fired_upon"] == 0
    assert out["launch_capacity_mean"] == pytest.approx(1.0)


def test_magazines_reported_include_the_packages_a_clause_may_bring() -> None:
    # contingency-clauses has no standing package, but its add-assets clause may bring the
    # air-policing package for 30 days: the campaign reports that package's allied magazines
    # (NaN when never used) as air-policing itself does.
    # Mistake caught: the packages of add-assets clauses left out of the magazine report.
    cat = load_catalog()
    sc = load_scenario("eastern-flank-night-raid-v1", cat)
    quiet = {c: ClassFit(0.0, 10.0, 50.0) for c in ("drone", "cruise", "ballistic")}
    gen = RaidGenerator((PeriodFit("2025-Q3", 92, quiet, 0.4),), {"span": ["test"]})
    s = CampaignSettings(days=1)
    clauses = run_campaign(sc, cat, "contingency-clauses", gen, s, seed=3, replication=0)
    policing = run_campaign(sc, cat, "air-policing", gen, s, seed=3, replication=0)
    allied = {k for k in policing if k.startswith("allied_days_of_defence_") and k != "allied_days_of_defence_min"}
    assert allied, "air-policing carries allied weapons"
    assert allied <= set(clauses)
