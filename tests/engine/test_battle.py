"""The battle loop: coordination, reloads, assignment policies, soft kills, conservation,
ROE mechanisms of the reference options, and the event schema."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skyshield.catalog import load_catalog
from skyshield.engine import compile_scenario, simulate
from skyshield.engine.assess import EVENT_SCHEMA
from skyshield.options import resolve_option
from skyshield.scenario import load_scenario

from ..engage.corridor import catalog, compile_doc, mid_point, scenario_doc


def _two_batteries(tmp_path: Path, coordination: str, assignment: str = "earliest"):
    cat = catalog(tmp_path, pk=0.5, salvo=1, max_range="20 km")
    forces = [{"id": "sam-a", "type": "test-sam", "side": "defended", "lonlat": mid_point()},
              {"id": "sam-b", "type": "test-sam", "side": "defended", "lonlat": mid_point()}]
    doctrine = {"coordination": coordination, "kill_assessment": 1.0, "assignment": assignment}
    return compile_doc(scenario_doc(forces, 20, doctrine=doctrine), cat)


def test_independent_batteries_double_engage_and_a_shared_picture_does_not(tmp_path: Path) -> None:
    shared = [simulate(_two_batteries(tmp_path, "shared-picture"), 3, r).metrics for r in range(5)]
    indep = [simulate(_two_batteries(tmp_path, "independent"), 3, r).metrics for r in range(5)]
    assert sum(m["double_engagements"] for m in shared) == 0
    assert sum(m["double_engagements"] for m in indep) > 0
    assert sum(m["wasted_interceptors"] for m in indep) > 0
    assert sum(m["interceptors_used"] for m in indep) > sum(m["interceptors_used"] for m in shared)


@pytest.mark.parametrize("assignment", ["greedy", "optimal"])
def test_assignment_policies_fight_deterministically_with_their_own_solver(
        tmp_path: Path, assignment: str, monkeypatch) -> None:
    """On this scenario greedy and optimal assignment reach the same outcome (both batteries
    see every missile alike), so the test checks which solver the battle calls, and that the
    other is never called. Mutant killed: the two solvers swapped, or the doctrine ignored.
    The solvers themselves are checked against brute force in tests/engage/test_wta.py."""
    import skyshield.engine.battle as battle

    calls = {"greedy": 0, "optimal": 0}

    def spy(name, f):
        def g(*a, **k):
            calls[name] += 1
            return f(*a, **k)
        return g

    monkeypatch.setattr(battle, "greedy_assign", spy("greedy", battle.greedy_assign))
    monkeypatch.setattr(battle, "optimal_assign", spy("optimal", battle.optimal_assign))
    params = _two_batteries(tmp_path, "shared-picture", assignment)
    a = [simulate(params, 5, r).metrics for r in range(4)]
    b = [simulate(params, 5, r).metrics for r in range(4)]
    assert a == b
    assert calls[assignment] > 0 and sum(calls.values()) == calls[assignment], calls
    assert sum(m["destroyed"] for m in a) > 0
    assert all(m["double_engagements"] == 0 for m in a)


def test_reloads_extend_the_magazine(tmp_path: Path) -> None:
    def used(reloads: int | None) -> float:
        cat = catalog(tmp_path, pk=1e-9, salvo=1, max_range="20 km", inventory=2, reloads=reloads)
        forces = [{"id": "sam", "type": "test-sam", "side": "defended", "lonlat": mid_point()}]
        params = compile_doc(scenario_doc(forces, 30, window="3 h"), cat)
        return simulate(params, 1, 0).metrics["interceptors_used"]

    assert used(None) == 2
    assert used(2) == 6  # first load + two reloads of two rounds


@pytest.fixture(scope="module")
def reference():
    cat = load_catalog()
    sc = load_scenario("eastern-flank-night-raid-v1", cat)
    return {o: compile_scenario(sc, cat, resolve_option(o, sc)) for o in ("none", "air-policing", "umbrella")}


def test_every_threat_ends_in_exactly_one_state(reference) -> None:
    m = simulate(reference["none"], 7, 0).metrics
    assert m["launched"] == m["destroyed"] + m["suppressed_ew"] + m["leaked"] + m["in_flight_at_end"]
    assert m["suppressed_ew"] > 0 and m["destroyed_or_suppressed"] == m["destroyed"] + m["suppressed_ew"]
    # Ballistic missiles do not navigate by satellite: jammers never lead one astray, though
    # the night launches some (mutant killed: the EW class table ignored).
    assert m["launched_ballistic"] > 0 and m["suppressed_ew_ballistic"] == 0
    assert m["suppressed_ew_drone"] > 0
    assert 0 < m["magazine_used_fraction"] <= 1


def test_options_differ_through_their_mechanisms(reference) -> None:
    runs = {o: [simulate(p, 11, r).metrics for r in range(2)] for o, p in reference.items()}
    tot = {o: {k: sum(m.get(k, 0.0) for m in ms) for k in ms[0]} for o, ms in runs.items()}
    assert tot["none"]["allied_engagements"] == 0 and tot["none"]["engagements_denied_roe_path"] == 0
    # Own guns by the Danube may not fire into Romania; the soft shield's fighters may not fire
    # over the defended country: many more denials by airspace.
    assert tot["air-policing"]["engagements_denied_roe_airspace"] > tot["none"]["engagements_denied_roe_airspace"]
    # The umbrella engages in reach from allied soil.
    assert tot["umbrella"]["allied_engagements"] > 0
    # Common random numbers: the same raid, so the same launches per class.
    assert tot["none"]["launched_drone"] == tot["umbrella"]["launched_drone"]


def test_event_schema_keeps_its_columns_and_adds_new_ones(reference) -> None:
    names = EVENT_SCHEMA.names
    assert names[:10] == ["t_s", "kind", "threat", "threat_type", "shooter", "interceptors", "cost_usd",
                          "lon_deg", "lat_deg", "zone"]
    ev = simulate(reference["none"], 7, 0).events
    kinds = set(ev["kind"].to_pylist())
    assert {"launch", "engage", "kill", "suppress", "leak"} <= kinds
    kills = ev.filter(np.array([k == "kill" for k in ev["kind"].to_pylist()]))
    assert kills["debris_zone"].null_count == 0
    engage = ev.filter(np.array([k == "engage" for k in ev["kind"].to_pylist()]))
    assert engage["weapon"].null_count == 0
    # Cost of each engagement: rounds fired times the catalog's unit cost of the weapon named
    # (an independent table: the catalog, not the engine's books), summed into the metric.
    cat = load_catalog()
    unit = {}
    for st in cat.shooters.values():
        unit.setdefault(st.interceptor, set()).add(st.interceptor_cost.value)
        for w in st.loadout:
            unit.setdefault(w.interceptor, set()).add(w.cost.value)
    rows = engage.to_pylist()
    for r in rows:
        assert len(unit[r["weapon"]]) == 1, r["weapon"]
        assert r["cost_usd"] == pytest.approx(r["interceptors"] * next(iter(unit[r["weapon"]]))), r
    total = sum(r["interceptors"] * next(iter(unit[r["weapon"]])) for r in rows)
    assert simulate(reference["none"], 7, 0).metrics["interceptor_cost_usd"] == pytest.approx(total)
