"""Campaign loop on the reference scenario: splitting, over-the-horizon, determinism, transfer.

Magazines are tested in ``test_magazines.py`` (hand-built shooter tables) and
``test_sides.py`` (a hand-built scenario); launch capacity in ``test_capacity.py``."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.campaign import CampaignSettings, ClassFit, PeriodFit, RaidGenerator, run_campaign
from skyshield.campaign.loop import split_counts
from skyshield.catalog import load_catalog
from skyshield.engine import compile_scenario
from skyshield.options import resolve_option
from skyshield.scenario import load_scenario


@pytest.fixture(scope="module")
def world():
    cat = load_catalog()
    return load_scenario("eastern-flank-night-raid-v1", cat), cat


def _gen(drones=60.0):
    cf = {"drone": ClassFit(1.0, drones, drones * 5), "cruise": ClassFit(0.2, 5.0, 20.0), "ballistic": ClassFit(0.3, 2.0, 3.0)}
    return RaidGenerator((PeriodFit("2025-Q3", 92, cf, 0.4),), {"span": ["test"]})


def test_split_counts_preserves_class_totals_and_decoy_share(world):
    sc, cat = world
    p = compile_scenario(sc, cat, resolve_option("none", sc))
    ref = np.array([g.count for g in p.raid])
    n = split_counts(p, np.array([100, 7, 3]), 0.4, ref)
    names = [p.threat_types.names[g.type_index] for g in p.raid]
    assert n.sum() == 110
    assert sum(k for k, t in zip(n, names) if t == "gerbera") == 40
    assert sum(k for k, t in zip(n, names) if t == "iskander-m") == 3


def test_over_the_horizon_lowers_launches_and_sits_on_the_targeting_support_rung(world):
    sc, cat = world
    s = CampaignSettings(days=12)
    base = run_campaign(sc, cat, "none", _gen(), s, seed=3, replication=0)
    oth = run_campaign(sc, cat, "over-the-horizon", _gen(), s, seed=3, replication=0)
    assert base["launch_capacity_final"] == 1.0 and base["oth_strikes"] == 0 and base["max_rung"] == 0
    assert oth["oth_strikes"] > 0 and oth["launch_capacity_final"] < 1.0
    assert oth["launched"] < base["launched"] and oth["max_rung"] == 2


def test_a_campaign_is_deterministic_and_options_share_the_nights(world):
    sc, cat = world
    s = CampaignSettings(days=3)
    a = run_campaign(sc, cat, "umbrella", _gen(), s, seed=5, replication=1)
    b = run_campaign(sc, cat, "umbrella", _gen(), s, seed=5, replication=1)
    c = run_campaign(sc, cat, "none", _gen(), s, seed=5, replication=1)
    assert a == b and a["launched"] == c["launched"]
    assert "days_of_defence_min" in a and a["days_of_defence_min"] > 0


def test_transferred_aircraft_arrive_only_after_the_lead_time(world):
    sc, cat = world
    s = CampaignSettings(days=3)
    t = run_campaign(sc, cat, "forward-cap-transfer", _gen(), s, seed=5, replication=0)
    n = run_campaign(sc, cat, "none", _gen(), s, seed=5, replication=0)
    assert t["leaked"] == n["leaked"]  # 180-day lead time: not there in the first three nights
