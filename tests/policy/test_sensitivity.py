"""The escalation sensitivity sweep (benchmarks/escalation_sensitivity.py) in a bounded form: its
replay is the engine's escalate phase exactly, and its cells respond to the parameters."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.catalog import load_catalog
from skyshield.engine import compile_scenario, simulate
from skyshield.options import resolve_option
from skyshield.policy.escalation import SENSITIVITY_RANGES
from skyshield.policy.spec import Escalation
from skyshield.rng import Streams
from skyshield.scenario import load_scenario

from ..conftest import load_benchmark


@pytest.fixture(scope="module")
def sweep():
    return load_benchmark("escalation_sensitivity")


def test_every_range_brackets_the_documented_default():
    d = Escalation()
    for name, (lo, hi) in SENSITIVITY_RANGES.items():
        assert lo < getattr(d, name) < hi, name


def test_the_replay_gives_the_engines_escalation_metrics(sweep):
    cat = load_catalog()
    sc = load_scenario(sweep.SCENARIO, cat)
    for o in ("forward-cap", "contingency-clauses"):
        p = compile_scenario(sc, cat, resolve_option(o, sc))
        static = sweep.capture(p, 5, 2)
        for r in range(2):
            got = sweep.replay(p, p.policy, static[r], Streams(seed=5, replication=r))
            want = simulate(p, seed=5, replication=r).metrics
            assert {k: want[k] for k in got} == got, o


def test_the_quick_sweep_prints_every_cell_and_exposure_scales_with_its_rate(sweep, capsys):
    doc = sweep.main(["--quick", "--options", "none,forward-cap"])
    out = capsys.readouterr().out
    assert "| defaults |" in out and "exposure_fire_rate_per_h = 0.001" in out
    cells = doc["night"]
    lo, hi = SENSITIVITY_RANGES["exposure_fire_rate_per_h"]
    h_lo = cells[f"exposure_fire_rate_per_h = {lo:g} | forward-cap"]["exposure_hazard"]
    h_hi = cells[f"exposure_fire_rate_per_h = {hi:g} | forward-cap"]["exposure_hazard"]
    h_def = cells["defaults | forward-cap"]["exposure_hazard"]
    assert h_def > 0 and np.isclose(h_hi / h_lo, hi / lo) and np.isclose(h_def / h_lo, Escalation().exposure_fire_rate_per_h / lo)
    assert all(v["p_direct"] == 0 and v["max_rung"] == 0 for k, v in cells.items() if k.endswith("| none"))
    assert set(doc["campaign"]) == {f"{label} | {o}" for label, _, _ in sweep.variants(("exposure_fire_rate_per_h", "tension_gain"))
                                    for o in ("none", "forward-cap")}
    # The campaign's fire table: without tension every night carries the one night's exposure.
    c = doc["campaign"]["tension_gain = 0 | forward-cap"]
    assert np.isclose(c["exposure_hazard_sum"], doc["days"] * h_def)
    assert 0 <= c["nights_fired_upon"] <= doc["days"]
    assert all(v["exposure_hazard_sum"] == 0 and v["nights_fired_upon"] == 0 for k, v in doc["campaign"].items()
               if k.endswith("| none"))
