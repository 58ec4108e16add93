"""Campaign magazines by side, end to end on a small hand-built scenario.

One city (Kyiv) under a drone raid from the north, defended by the defended country's IRIS-T
fire unit; an allied package of two IRIS-T fire units (the same weapon name) near Gdansk,
hundreds of kilometres from any drone, so it never fires. Before stocks were kept per side,
the idle allied units added their loads to a pooled "IRIS-T SL" stock and lengthened the
defended country's days of defence; now the defended figures are identical with and without
the package, and the allies' own magazine is reported apart.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from skyshield.campaign import CampaignSettings, ClassFit, PeriodFit, RaidGenerator, run_campaign
from skyshield.catalog import load_catalog
from skyshield.scenario import parse_scenario

MINI = Path(__file__).resolve().parents[1] / "data" / "mini-scenario.yaml"


def _scenario(cat, allied_package_options: dict):
    doc = yaml.safe_load(MINI.read_text())
    doc["id"] = "campaign-sides-test-v1"
    doc["forces"] += [
        {"id": "allied-iris", "type": "iris-t-slm", "side": "allied", "package": "far-allies", "count": 2,
         "lonlat": [18.60, 54.35]},
    ]
    doc["options"] = allied_package_options
    return parse_scenario(doc, {}, "<test>", cat)


def _gen():
    cf = {"drone": ClassFit(1.0, 24.0, 40.0), "cruise": ClassFit(0.0, 0.0, 0.0), "ballistic": ClassFit(0.0, 0.0, 0.0)}
    return RaidGenerator((PeriodFit("2025-Q3", 92, cf, 0.0),), {"span": ["test"]})


def _aid_clause(rounds: dict) -> dict:
    """More aid the moment a drone is launched at the city (every night)."""
    return {"id": "aid", "trigger": {"event": "strike", "at_least": 1, "within": "24 h"},
            "response": {"kind": "more-aid", "aid_interceptors": rounds}}


@pytest.fixture(scope="module")
def world():
    cat = load_catalog()
    opts = {
        "far-allies": {"packages": ["far-allies"], "roe": "in-reach"},
        "far-allies-late": {"packages": ["far-allies"], "roe": "in-reach",
                            "transfer": {"packages": ["far-allies"], "lead_time": "100 d"}},
        "far-allies-never": {"packages": ["far-allies"], "roe": "in-reach", "rotation": {"period": "10 d", "duty": 0.0}},
        "aid-iris": {"clauses": [_aid_clause({"IRIS-T SL": 100})]},
        "aid-pac3": {"clauses": [_aid_clause({"PAC-3 MSE": 100})]},
    }
    return _scenario(cat, opts), cat


SETTINGS = CampaignSettings(days=8, stock_nights=2.0, resupply_fraction=0.01)


def test_defended_magazines_are_unchanged_by_an_allied_package_with_the_same_weapon(world):
    sc, cat = world
    alone = run_campaign(sc, cat, "none", _gen(), SETTINGS, seed=11, replication=0)
    allied = run_campaign(sc, cat, "far-allies", _gen(), SETTINGS, seed=11, replication=0)
    # The defended unit fired: its stock (2 nights x 48 rounds + 0.96 a day) is falling.
    own = alone["days_of_defence_iris_t_sl"]
    assert 0 < own < 3650 and alone["interceptor_cost_usd"] > 0
    # Same nights, same engagements (the allies never fire), same own stocks to the round.
    assert allied["launched"] == alone["launched"] and allied["interceptor_cost_usd"] == alone["interceptor_cost_usd"]
    assert allied["days_of_defence_iris_t_sl"] == own
    assert allied["days_of_defence_min"] == alone["days_of_defence_min"] == own
    # The allies' own magazine: never drawn, resupplied -> not falling.
    assert allied["allied_days_of_defence_iris_t_sl"] == 3650.0
    assert "allied_days_of_defence_iris_t_sl" not in alone


def test_units_that_never_arrive_hold_no_stock(world):
    sc, cat = world
    alone = run_campaign(sc, cat, "none", _gen(), SETTINGS, seed=11, replication=0)
    # Transferred units still in their lead time: the defended country's stock is its own only.
    late = run_campaign(sc, cat, "far-allies-late", _gen(), SETTINGS, seed=11, replication=0)
    assert late["days_of_defence_iris_t_sl"] == alone["days_of_defence_iris_t_sl"]
    # Allied units never on duty: no days of defence for them (NaN), not a stock's worth.
    never = run_campaign(sc, cat, "far-allies-never", _gen(), SETTINGS, seed=11, replication=0)
    assert never["days_of_defence_iris_t_sl"] == alone["days_of_defence_iris_t_sl"]
    assert math.isnan(never["allied_days_of_defence_iris_t_sl"]) and math.isnan(never["allied_days_of_defence_min"])


def test_a_campaign_with_sides_is_deterministic(world):
    sc, cat = world
    a = run_campaign(sc, cat, "far-allies", _gen(), SETTINGS, seed=2, replication=3)
    b = run_campaign(sc, cat, "far-allies", _gen(), SETTINGS, seed=2, replication=3)
    assert a.keys() == b.keys()
    assert all((np.isnan(a[k]) and np.isnan(b[k])) or a[k] == b[k] for k in a)


def test_aid_goes_to_the_named_interceptor_type_of_the_defended_country_only(world):
    sc, cat = world
    alone = run_campaign(sc, cat, "none", _gen(), SETTINGS, seed=11, replication=0)
    iris = run_campaign(sc, cat, "aid-iris", _gen(), SETTINGS, seed=11, replication=0)
    pac3 = run_campaign(sc, cat, "aid-pac3", _gen(), SETTINGS, seed=11, replication=0)
    # One firing a night, 100 rounds each, booked as the metric's total whatever the type.
    assert iris["clauses_fired"] == pac3["clauses_fired"] == SETTINGS.days
    assert iris["aid_interceptors"] == pac3["aid_interceptors"] == 100 * SETTINGS.days
    # PAC-3 rounds that no unit of the country fires leave its IRIS-T stocks as they were.
    assert pac3["days_of_defence_iris_t_sl"] == alone["days_of_defence_iris_t_sl"]
    assert pac3["interceptor_cost_usd"] == alone["interceptor_cost_usd"]
    # IRIS-T aid (100 a night against a unit that fires at most 48) piles up: the stock lasts
    # weeks at the last fortnight's drawdown (aid is not counted as resupply), not hours.
    assert alone["days_of_defence_iris_t_sl"] < 1 and iris["days_of_defence_iris_t_sl"] > 20
    assert iris["interceptor_cost_usd"] > alone["interceptor_cost_usd"]
