"""What moves the ladder: what allies do, where and against what; adversary threats arriving in
allied territory; proportional responses; clauses keep their tier under ambiguity."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pytest

from skyshield.catalog import THREAT_CLASSES
from skyshield.policy.ambiguity import TIER_RESPONSE_KINDS
from skyshield.policy.compile import PolicyParams
from skyshield.policy.events import PolicyEvent
from skyshield.policy.ladder import DIRECT_ENGAGEMENT, RUNG
from skyshield.policy.phase import walk_ladder
from skyshield.policy.spec import Ambiguity, Clause, Escalation, Response, Trigger
from skyshield.rng import Streams

from .hand_built import FAR_POLAND, Night, cap, scenario_params, with_rows

QUIET = {"exposure_fire_rate_per_h": 0.0, "response_rate_deliberate": 0.0, "response_rate_inadvertent": 0.0,
         "response_rate_accidental": 0.0}
POLAND = (22.00, 50.04)  # Rzeszow
H = 3600.0


@pytest.fixture(scope="module")
def night():
    groups = [
        {"id": "drones", "type": "shahed-136", "count": 10, "launch_areas": ["north"], "launch_window": ["0 h", "1 h"],
         "targets": {"kyiv": 1}},
        {"id": "bombers", "type": "su-34", "count": 2, "launch_areas": ["north"], "launch_window": ["0 h", "1 h"],
         "targets": {"kyiv": 1}},
        {"id": "at-poland", "type": "shahed-136", "count": 2, "launch_areas": ["north"],
         "launch_window": ["0 h", "1 h"], "targets": {"rzeszow": 1}},
    ]
    assets = [{"id": "rzeszow", "kind": "logistics", "lonlat": list(POLAND), "radius": "5 km"}]
    # The allied CAP flies over Poland, far from the border: no standing posture on the ladder.
    n = Night(scenario_params([cap("c", FAR_POLAND)], QUIET, groups=groups, assets=assets))
    # The base night keeps none of the arrivals at the allied asset: the tests write their own.
    ev = n.out.events
    at_pl = set(_threats(n, "drone", "rzeszow"))
    keep = [not (k in ("leak", "hit") and t in at_pl) for k, t in zip(ev.column("kind").to_pylist(), ev.column("threat").to_pylist())]
    n.out = replace(n.out, events=ev.filter(pa.array(keep)))
    return n


def _threats(night, cls: str, target: str | None = None) -> list[int]:
    tt = night.params.threat_types
    c = np.asarray(tt.cls)[night.raid.type_index]
    ok = c == THREAT_CLASSES.index(cls)
    if target is not None:
        ok &= np.array([night.params.assets.ids[t] == target for t in night.raid.target])
    return [int(i) for i in np.flatnonzero(ok)]


def _kills(night, threats, zone, shooter="c", t0=3 * H):
    return with_rows(night.out.events, [
        {"t_s": t0 + k, "kind": "kill", "threat": i, "shooter": shooter, "zone": zone, "debris_zone": zone,
         "lon_deg": 30.0, "lat_deg": 50.0} for k, i in enumerate(threats)])


def _policy(night, **esc):
    return PolicyParams(**{**night.params.policy.__dict__, "escalation": Escalation(**{**QUIET, **esc})})


# --- allied intercepts: what and where ----------------------------------------------------------

def test_intercepts_of_unmanned_threats_over_the_defended_country_never_reach_direct_engagement(night):
    # Every drone of the raid intercepted ten times over, with a response certain and always one
    # rung up: the adversary answers at rung 5, never 6.
    drones = _threats(night, "drone") * 10
    ev = _kills(night, drones, "defended")
    pol = _policy(night, response_rate_inadvertent=50.0, p_response_step_up=1.0)
    for zone in ("defended", "occupied", "sea"):
        ev = _kills(night, drones, zone)
        for r in range(20):
            m = night.escalate(r, pol, ev).metrics
            assert m["max_rung"] == 5 and m["p_direct_engagement"] == 0 and m["adversary_responses"] >= 1


def test_the_zone_of_the_intercept_sets_its_rung(night):
    drones = _threats(night, "drone")[:3]
    pol = _policy(night)
    rungs = {z: night.escalate(0, pol, _kills(night, drones, z)).metrics["max_rung"]
             for z in ("allied", "defended", "sea", "occupied", "adversary")}
    assert rungs == {"allied": 3, "defended": 4, "sea": 4, "occupied": 4, "adversary": 6}


def test_an_allied_kill_of_a_manned_aircraft_or_over_adversary_territory_is_direct_engagement(night):
    pol = _policy(night)
    bomber = _threats(night, "aircraft")[:1]
    drone = _threats(night, "drone")[:1]
    assert night.escalate(0, pol, night.out.events).metrics["p_direct_engagement"] == 0
    m = night.escalate(0, pol, _kills(night, bomber, "defended")).metrics
    assert m["p_direct_engagement"] == 1 and m["max_rung"] == DIRECT_ENGAGEMENT
    assert night.escalate(0, pol, _kills(night, drone, "adversary")).metrics["p_direct_engagement"] == 1
    # The defended country's own kill of the same bomber is not an allied action.
    assert night.escalate(0, pol, _kills(night, bomber, "defended", shooter="sam-kyiv")).metrics["max_rung"] == 0


def test_many_intercepts_of_one_kind_carry_the_sublinear_hazard_of_their_count(night):
    drones = _threats(night, "drone")
    for beta in (0.0, 0.5):
        pol = _policy(night, response_rate_inadvertent=0.01, action_count_exponent=beta)
        h = {n: night.escalate(0, pol, _kills(night, drones[:n], "defended")).metrics["escalation_hazard_inadvertent"]
             for n in (0, 3, 10)}  # 0: the standing posture of the CAP over the defended country alone
        assert np.isclose(h[3] - h[0], 0.01 * 3**beta) and np.isclose(h[10] - h[0], 0.01 * 10**beta)


# --- adversary threats arriving in allied territory ---------------------------------------------

def _hits(night, threats, lonlat):
    return with_rows(night.out.events, [
        {"t_s": 5 * H, "kind": "hit", "threat": i, "lon_deg": lonlat[0], "lat_deg": lonlat[1]} for i in threats])


def test_an_adversary_warhead_landing_in_allied_territory_moves_the_ladder(night):
    pol = _policy(night)
    base = night.escalate(0, pol).metrics
    assert base["max_rung"] == 0 and base["adversary_actions"] == 0
    # Aimed at Kyiv, arrived in Poland: a stray (accidental), rung 3.
    stray = night.escalate(0, pol, _hits(night, _threats(night, "drone", "kyiv")[:1], POLAND)).metrics
    assert stray["max_rung"] == RUNG["intercepts-over-allied"] and stray["strays_on_allied"] == 1
    assert stray["adversary_actions"] == 1 and stray["strikes_on_allied"] == 0
    # Aimed at an allied asset and arrived there: a deliberate strike on allied territory, rung 8.
    strike = night.escalate(0, pol, _hits(night, _threats(night, "drone", "rzeszow")[:1], POLAND)).metrics
    assert strike["max_rung"] >= RUNG["retaliation-on-allied"] and strike["strikes_on_allied"] == 1
    # A hit inside the defended country is not an action on the ladder.
    inside = night.escalate(0, pol, _hits(night, _threats(night, "drone", "kyiv")[:1], (30.5, 50.4))).metrics
    assert inside["max_rung"] == 0 and inside["adversary_actions"] == 0


def test_a_strike_on_allied_territory_brings_general_war_with_its_probability(night):
    pol = _policy(night, p_war_given_retaliation=0.25)
    ev = _hits(night, _threats(night, "drone", "rzeszow")[:1], POLAND)
    n = 400
    war = np.mean([night.escalate(r, pol, ev).metrics["max_rung"] == RUNG["general-war"] for r in range(n)])
    assert abs(war - 0.25) < 4 * math.sqrt(0.25 * 0.75 / n)


# --- proportional responses ----------------------------------------------------------------------

def _allied(rung: int, n: int = 1, action: str = "a") -> list[PolicyEvent]:
    return [PolicyEvent(t_s=float(k), seq=k, kind="allied-intercept", rung=rung, channel="inadvertent", actor="allied",
                        action=action) for k in range(n)]


def _response_rungs(events, esc, reps=2000) -> list[int]:
    out = []
    for r in range(reps):
        res = walk_ladder(events, PolicyParams(escalation=esc), Streams(4, r))
        out += [e.rung for e in res.rows if e.actor == "adversary" and e.kind in ("adversary-response", "allied-fired-upon")]
    return out


def test_the_adversary_answers_at_the_rung_of_the_action_or_one_above_never_jumping():
    esc = Escalation(response_rate_inadvertent=5.0, p_response_step_up=0.2, p_war_given_retaliation=0.0)
    got = _response_rungs(_allied(4), esc)
    assert set(got) == {4, 5} and len(got) > 1900  # P(response) = 1 - exp(-5)
    up = np.mean(np.array(got) == 5)
    assert abs(up - 0.2) < 4 * math.sqrt(0.2 * 0.8 / len(got))
    # An action at rung 5 (aircraft over the defended country) draws fire on allied aircraft at most.
    assert set(_response_rungs(_allied(5), esc, 500)) == {5, 6}
    # Only an allied action at rung 7 can draw a strike on allied territory (rung 8).
    assert set(_response_rungs(_allied(7), esc, 500)) == {7, 8}


def test_an_intercept_never_draws_a_strike_on_allied_territory_at_any_rate():
    esc = Escalation(response_rate_inadvertent=100.0, p_response_step_up=1.0, p_war_given_retaliation=1.0)
    for r in range(200):
        m = walk_ladder(_allied(4, 50), PolicyParams(escalation=esc), Streams(5, r)).metrics
        assert m["max_rung"] == 5


# --- strategic ambiguity: each clause keeps its tier ----------------------------------------------

def _clause(cid: str, tier: str, kind: str) -> Clause:
    return Clause(id=cid, tier=tier, trigger=Trigger(event="incursion"), response=Response(kind=kind))


def _fired_kinds(pol: PolicyParams, reps: int = 600) -> list[str]:
    ev = [PolicyEvent(t_s=0.0, seq=0, kind="incursion", threat_class="drone", threat=0)]
    out = []
    for r in range(reps):
        res = walk_ladder(ev, pol, Streams(6, r))
        out += [e.detail.split(":")[1].split("(")[0].strip() for e in res.rows if e.kind == "clause-fired"]
    return out


def test_a_minor_clause_under_ambiguity_never_executes_an_extreme_response():
    amb = Ambiguity(responses={"more-aid": 0.3, "add-assets": 0.3, "suppress-air-defences": 0.4}, aversion=0.5)
    esc = Escalation(**QUIET)
    minor = PolicyParams(clauses=(_clause("minor", "minor", "add-assets"),), ambiguity=amb, escalation=esc)
    kinds = _fired_kinds(minor)
    assert len(kinds) == 600 and set(kinds) <= set(TIER_RESPONSE_KINDS["minor"])
    share = kinds.count("more-aid") / len(kinds)  # weights 0.3 / 0.3 within the tier
    assert abs(share - 0.5) < 4 * math.sqrt(0.25 / len(kinds))
    assert max(walk_ladder([PolicyEvent(t_s=0.0, seq=0, kind="incursion")], minor, Streams(6, r)).metrics["max_rung"]
               for r in range(200)) <= RUNG["intercepts-over-allied"]
    # The extreme clause of the same option draws within its own tier (SEAD: the only weighted kind).
    extreme = PolicyParams(clauses=(_clause("x", "extreme", "stand-off-strikes"),), ambiguity=amb, escalation=esc)
    assert set(_fired_kinds(extreme, 100)) == {"suppress-air-defences"}


def test_without_ambiguity_a_clause_executes_its_own_response():
    pol = PolicyParams(clauses=(_clause("minor", "minor", "add-assets"),), escalation=Escalation(**QUIET))
    assert set(_fired_kinds(pol, 50)) == {"add-assets"}


def test_the_adversary_perceives_a_minor_clause_at_the_cost_of_its_tier_only():
    amb = Ambiguity(responses={"more-aid": 0.5, "stand-off-strikes": 0.5}, aversion=1.0)
    pol = PolicyParams(clauses=(_clause("minor", "minor", "add-assets"),), ambiguity=amb, escalation=Escalation(**QUIET))
    m = walk_ladder([], pol, Streams(1, 0)).metrics
    # Worst case within the minor tier is more aid (0.1), not stand-off strikes (1.0).
    assert np.isclose(m["adversary_perceived_cost"], 0.1)


def test_the_ambiguous_clauses_preset_stays_within_its_tiers_on_the_reference_night():
    from skyshield.engine import compile_scenario, simulate
    from skyshield.options import resolve_option
    from skyshield.scenario import load_scenario

    from .hand_built import catalog

    sc = load_scenario("eastern-flank-night-raid-v1", catalog())
    p = compile_scenario(sc, catalog(), resolve_option("contingency-clauses-ambiguous", sc))
    allowed = {"minor": set(TIER_RESPONSE_KINDS["minor"]), "major": set(TIER_RESPONSE_KINDS["major"])}
    tiers = {c.id: c.tier for c in p.policy.clauses}
    fired = 0
    for r in range(10):
        out = simulate(p, seed=9, replication=r)
        assert out.metrics["p_direct_engagement"] == 0 and out.metrics["max_rung"] <= RUNG["allied-aircraft-over-defended"]
        ev = out.events
        for k, d in zip(ev.column("kind").to_pylist(), ev.column("detail").to_pylist()):
            if k == "clause-fired":
                cid, kind = d.split(":")[0], d.split(":")[1].split("(")[0].strip()
                assert kind in allowed[tiers[cid]], d
                fired += 1
    assert fired >= 10  # both clauses fire on the reference raid
