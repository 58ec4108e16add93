"""Clause semantics on hand-built event sequences: thresholds, windows, delays, probability."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.policy.clauses import TriggerCounter, first_trigger_time, trigger_times
from skyshield.policy.compile import PolicyParams
from skyshield.policy.events import PolicyEvent
from skyshield.policy.phase import walk_ladder
from skyshield.policy.spec import Clause, Escalation, Response, Trigger
from skyshield.rng import Streams

H = 3600.0


def _brute_first(t, n, w):
    """Scan every event time: does the half-open window (t - w, t] hold n events?"""
    t = sorted(t)
    for x in t:
        if sum(1 for y in t if x - w < y <= x) >= n:
            return x
    return float("inf")


def test_threshold_is_reached_exactly_at_the_nth_event_inside_the_window():
    t = [0.0, 1 * H, 2 * H, 30 * H]
    assert first_trigger_time(t, 3, 24 * H) == 2 * H
    assert first_trigger_time(t, 4, 24 * H) == float("inf")  # the 4th is outside every 24 h window
    assert first_trigger_time(t, 4, 31 * H) == 30 * H


def test_window_is_half_open_an_event_exactly_w_earlier_no_longer_counts():
    assert first_trigger_time([0.0, 10.0], 2, 10.0) == float("inf")
    assert first_trigger_time([0.0, 10.0], 2, 10.0 + 1e-9) == 10.0


def test_repeat_counts_afresh_after_each_firing():
    t = [0, 1, 2, 3, 4, 5, 6]
    assert trigger_times(t, 3, 100, repeat=True) == [2, 5]
    assert trigger_times(t, 3, 100, repeat=False) == [2]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1000, allow_nan=False), max_size=25), st.integers(1, 5), st.floats(0.5, 300))
def test_offline_rule_matches_brute_force_and_the_online_counter(t, n, w):
    f = first_trigger_time(t, n, w)
    assert f == _brute_first(t, n, w)
    c = TriggerCounter(n, w, repeat=False)
    fired = [x for x in sorted(t) if c.add(x)]
    assert (fired[0] if fired else float("inf")) == f


def _clause(p=1.0, delay=0.0, n=2, within=24 * H, event="incursion", **kw):
    return Clause(id="c", trigger=Trigger(event=event, at_least=n, within=f"{within} s", **kw), delay=f"{delay} s",
                  probability=p, response=Response(kind="more-aid", aid_interceptors={"PAC-3 MSE": 4, "IRIS-T SL": 3}))


def _incursions(times):
    return [PolicyEvent(t_s=t, seq=k, kind="incursion", threat_class="drone", threat=k) for k, t in enumerate(times)]


def test_a_clause_fires_once_its_trigger_holds_and_after_its_delay():
    pol = PolicyParams(clauses=(_clause(delay=6 * H),))
    res = walk_ladder(_incursions([1 * H, 5 * H, 9 * H]), pol, Streams(1, 0))
    trig = [r for r in res.rows if r.kind == "clause-triggered"]
    fired = [r for r in res.rows if r.kind == "clause-fired"]
    assert [r.t_s for r in trig] == [5 * H]
    assert [r.t_s for r in fired] == [11 * H]
    assert res.metrics["clauses_fired"] == 1 and res.metrics["aid_interceptors"] == 7
    assert "c:" in fired[0].detail and "more-aid" in fired[0].detail


def test_a_clause_never_fires_when_its_condition_never_holds():
    pol = PolicyParams(clauses=(_clause(within=2 * H),))
    res = walk_ladder(_incursions([0.0, 5 * H, 10 * H]), pol, Streams(1, 0))
    assert res.metrics["clauses_triggered"] == 0 and res.metrics["clauses_fired"] == 0


def test_other_events_and_other_classes_do_not_count():
    pol = PolicyParams(clauses=(_clause(n=1, threat_classes=("cruise",)),))
    res = walk_ladder(_incursions([0.0, 1.0]), pol, Streams(1, 0))
    assert res.metrics["clauses_triggered"] == 0


def test_probability_of_execution_is_honoured_in_frequency():
    pol = PolicyParams(clauses=(_clause(p=0.3, n=1),))
    fired = [walk_ladder(_incursions([0.0]), pol, Streams(5, r)).metrics["clauses_fired"] for r in range(2000)]
    # binomial(2000, 0.3): sd ~ 0.0102; 4 sd
    assert abs(np.mean(fired) - 0.3) < 0.041


def test_a_clause_not_honoured_costs_credibility_by_the_decay():
    esc = Escalation(credibility=0.8, credibility_decay=0.25)
    pol = PolicyParams(clauses=(_clause(p=0.0, n=1),), escalation=esc)
    res = walk_ladder(_incursions([0.0]), pol, Streams(1, 0))
    assert res.metrics["clauses_not_honoured"] == 1
    assert res.credibility == 0.8 * 0.75


def test_tiered_clauses_fire_at_their_own_thresholds():
    minor = Clause(id="minor", tier="minor", trigger=Trigger(event="incursion", at_least=1), response=Response(kind="more-aid"))
    major = Clause(id="major", tier="major", trigger=Trigger(event="incursion", at_least=3), response=Response(kind="add-assets"))
    extreme = Clause(id="extreme", tier="extreme", trigger=Trigger(event="incursion", at_least=10),
                     response=Response(kind="stand-off-strikes", launch_capacity_reduction=0.2))
    res = walk_ladder(_incursions([0.0, 1.0, 2.0]), PolicyParams(clauses=(minor, major, extreme)), Streams(1, 0))
    fired = sorted(r.detail.split(":")[0] for r in res.rows if r.kind == "clause-fired")
    assert fired == ["major", "minor"]
    assert res.metrics["launch_capacity_reduction"] == 0.0


def test_exogenous_events_trigger_their_clause_and_stand_off_strikes_cut_capacity():
    c = Clause(id="wmd", trigger=Trigger(event="exogenous", name="chemical-use"),
               response=Response(kind="stand-off-strikes", launch_capacity_reduction=0.2))
    ev = [PolicyEvent(t_s=3.0, seq=0, kind="exogenous:chemical-use"), PolicyEvent(t_s=4.0, seq=1, kind="exogenous:other")]
    res = walk_ladder(ev, PolicyParams(clauses=(c,)), Streams(1, 0))
    assert res.metrics["clauses_fired"] == 1
    assert np.isclose(res.metrics["launch_capacity_reduction"], 0.2)
    assert res.metrics["max_rung"] >= 7  # the response itself climbs to strikes on the adversary


def test_a_more_credible_clause_lowers_the_response_hazard_by_deterrence_times_perceived_cost():
    """One allied action at rung 4 (inadvertent), a clause on the books and deterrence 0.8: the
    action's hazard is lambda (1 - D C c1), c1 the clause's perceived cost at credibility 1.
    Credibility 1 gives a lower hazard than credibility 0.2, by exactly that factor. Mutant
    killed: credibility entering the hazard with the wrong sign (a more credible guarantee
    raising the hazard)."""
    action = PolicyEvent(t_s=10.0, seq=0, kind="allied-intercept", rung=4, channel="inadvertent", actor="allied")
    clause = Clause(id="c", trigger=Trigger(event="incursion", at_least=50),
                    response=Response(kind="stand-off-strikes", launch_capacity_reduction=0.2))
    got = {}
    for cred in (1.0, 0.2):
        esc = Escalation(credibility=cred, deterrence=0.8, response_rate_inadvertent=0.01)
        m = walk_ladder([action], PolicyParams(clauses=(clause,), escalation=esc), Streams(1, 0)).metrics
        c1 = m["adversary_perceived_cost"] / cred
        assert c1 > 0.2  # the clause costs the adversary enough for deterrence to show
        assert np.isclose(m["escalation_hazard_inadvertent"], 0.01 * (1.0 - 0.8 * cred * c1), rtol=1e-12)
        got[cred] = m["escalation_hazard_inadvertent"]
    assert got[1.0] < got[0.2] - 0.01 * 0.8 * 0.8 * 0.2  # lower by at least D (1 - 0.2) c1 lambda


def test_two_stand_off_strike_clauses_compound_their_launch_capacity_cuts():
    """Cuts of 20 % and 30 % act on what is left: 1 - 0.8 * 0.7 = 0.44, not 0.5 and not more
    than either alone would allow. Mutant killed: the compounding with a wrong sign."""
    cuts = [Clause(id=f"s{k}", trigger=Trigger(event="incursion", at_least=1),
                   response=Response(kind="stand-off-strikes", launch_capacity_reduction=r))
            for k, r in enumerate((0.2, 0.3))]
    res = walk_ladder(_incursions([0.0]), PolicyParams(clauses=tuple(cuts)), Streams(1, 0))
    assert res.metrics["clauses_fired"] == 2
    assert np.isclose(res.metrics["launch_capacity_reduction"], 1 - 0.8 * 0.7)


def test_without_exposed_aircraft_every_exposure_metric_is_zero():
    """No exposure given: the exposure metrics exist and are 0. Mutant killed: a default of 1."""
    from skyshield.policy.phase import EXPOSURE_METRICS

    m = walk_ladder(_incursions([0.0]), PolicyParams(), Streams(1, 0)).metrics
    assert EXPOSURE_METRICS and all(m[k] == 0.0 for k in EXPOSURE_METRICS)
