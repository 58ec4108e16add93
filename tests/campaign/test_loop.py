"""Campaign loop: magazines, resupply, launch-capacity attrition, splitting, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.campaign import CampaignSettings, ClassFit, Magazines, PeriodFit, RaidGenerator, run_campaign
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


def test_magazine_balance_closed_form():
    mags = Magazines(capacity={"a": 10.0}, stock={"a": 50.0}, resupply_per_day={"a": 2.0}, history={"a": []})
    for used in (8.0, 8.0, 8.0):
        mags.night({"a": used})
    assert mags.stock["a"] == 50 - 3 * 8 + 3 * 2
    assert np.isclose(mags.days_remaining()["a"], 32 / (8 - 2))
    mags.night({"a": 100.0})  # cannot fire more than it has: stock floors at zero, then resupply
    assert mags.stock["a"] == 2.0


def test_loads_are_cut_to_what_the_stock_allows(world):
    sc, cat = world
    p = compile_scenario(sc, cat, resolve_option("none", sc))
    mags = Magazines.start(p.shooters, 1.0, {}, 0.0)
    w = "PAC-3 MSE"
    mags.stock[w] = 0.5 * mags.capacity[w]
    sh = mags.scale_shooters(p.shooters)
    rows = p.shooters.slot_weapon == p.shooters.weapon_names.index(w)
    assert (sh.slot_rounds[rows] == np.floor(p.shooters.slot_rounds[rows] * 0.5)).all()
    assert (sh.slot_rounds[~rows] == p.shooters.slot_rounds[~rows]).all()


def test_split_counts_preserves_class_totals_and_decoy_share(world):
    sc, cat = world
    p = compile_scenario(sc, cat, resolve_option("none", sc))
    ref = np.array([g.count for g in p.raid])
    n = split_counts(p, np.array([100, 7, 3]), 0.4, ref)
    names = [p.threat_types.names[g.type_index] for g in p.raid]
    assert n.sum() == 110
    assert sum(k for k, t in zip(n, names) if t == "gerbera") == 40
    assert sum(k for k, t in zip(n, names) if t == "iskander-m") == 3


def test_over_the_horizon_lowers_launches_by_the_attrition_law(world):
    sc, cat = world
    s = CampaignSettings(days=4)
    base = run_campaign(sc, cat, "none", _gen(), s, seed=3, replication=0)
    oth = run_campaign(sc, cat, "over-the-horizon", _gen(), s, seed=3, replication=0)
    assert np.isclose(oth["launch_capacity_final"], max(0.6, (1 - 0.004) ** 4))
    assert oth["launched"] < base["launched"] and base["launch_capacity_final"] == 1.0
    assert oth["max_rung"] == 2 and base["max_rung"] == 0


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
