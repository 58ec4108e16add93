"""Escalation properties: monotone hazard, closed channels, ambiguity cost, tripwire logic."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skyshield.policy.ambiguity import draw_response, expected_cost, perceived_cost
from skyshield.policy.compile import PolicyParams
from skyshield.policy.escalation import hazard, p_response, update_credibility
from skyshield.policy.events import PolicyEvent
from skyshield.policy.ladder import DIRECT_ENGAGEMENT, RUNG, RUNGS
from skyshield.policy.phase import walk_ladder
from skyshield.policy.spec import Escalation
from skyshield.rng import Streams


def test_ladder_is_ordered_and_goes_from_aid_to_general_war():
    assert [r.level for r in RUNGS] == list(range(len(RUNGS)))
    assert RUNGS[0].name == "aid" and RUNGS[-1].name == "general-war"
    assert RUNG["intercepts-over-allied"] < RUNG["intercepts-over-defended"] < RUNG["allied-aircraft-over-defended"] < DIRECT_ENGAGEMENT


@given(st.integers(0, 9), st.integers(0, 9), st.floats(0, 1), st.floats(1, 5), st.floats(0, 1), st.floats(0, 1))
def test_a_more_severe_event_never_lowers_the_hazard(r1, r2, lam, g, d, c):
    lo, hi = sorted((r1, r2))
    assert hazard(hi, lam, g, d, c) >= hazard(lo, lam, g, d, c)
    assert 0.0 <= p_response(hazard(hi, lam, g, d, c)) <= 1.0


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1))
def test_credible_clauses_never_raise_the_hazard(d, c1, c2):
    lo, hi = sorted((c1, c2))
    assert hazard(5, 0.1, 2.0, d, hi) <= hazard(5, 0.1, 2.0, d, lo)


def test_aid_and_intelligence_sharing_alone_draw_no_response():
    assert hazard(0, 1.0, 2.0) == 0.0 and hazard(1, 1.0, 2.0) == 0.0 and hazard(2, 1.0, 2.0) > 0.0


def test_hazard_closed_form_at_the_reference_rung():
    assert np.isclose(hazard(4, 0.05, 2.0), 0.05)
    assert np.isclose(hazard(6, 0.05, 2.0, deterrence=0.5, perceived_cost=0.4), 0.05 * 4 * 0.8)


def test_an_option_without_allied_actions_has_zero_risk_in_every_channel():
    # Adversary strikes and incursions alone: nothing allied moves the ladder.
    ev = [PolicyEvent(t_s=float(k), seq=k, kind="incursion", threat=k) for k in range(50)]
    res = walk_ladder(ev, PolicyParams(), Streams(3, 0))
    m = res.metrics
    assert m["max_rung"] == 0 and m["p_direct_engagement"] == 0 and m["p_adversary_response"] == 0
    assert m["escalation_hazard_deliberate"] == m["escalation_hazard_inadvertent"] == m["escalation_hazard_accidental"] == 0


def test_defensive_intercepts_open_only_the_inadvertent_channel():
    ev = [PolicyEvent(t_s=float(k), seq=k, kind="allied-intercept", rung=RUNG["intercepts-over-defended"],
                      channel="inadvertent", actor="allied") for k in range(20)]
    m = walk_ladder(ev, PolicyParams(), Streams(3, 0)).metrics
    assert m["escalation_hazard_inadvertent"] > 0
    assert m["escalation_hazard_deliberate"] == 0 and m["escalation_hazard_accidental"] == 0 and m["p_tripwire"] == 0


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0])
def test_response_frequency_matches_one_minus_exp_of_rate_times_count_to_the_exponent(beta):
    # Ten intercepts of one kind carry lambda * 10 ** beta in all: beta 0 counts the kind once a
    # night, beta 1 every intercept (risk proportional to raid size, the old model).
    esc = Escalation(response_rate_inadvertent=0.05, action_count_exponent=beta)
    ev = [PolicyEvent(t_s=float(k), seq=k, kind="allied-intercept", rung=4, channel="inadvertent", actor="allied")
          for k in range(10)]
    res = [walk_ladder(ev, PolicyParams(escalation=esc), Streams(9, r)).metrics for r in range(3000)]
    want = 1 - np.exp(-0.05 * 10**beta)
    assert np.isclose(res[0]["escalation_hazard_inadvertent"], 0.05 * 10**beta)
    got = np.mean([m["p_adversary_response"] for m in res])
    assert abs(got - want) < 4 * np.sqrt(want * (1 - want) / 3000)


def test_ambiguity_expected_cost_is_the_mixture_and_aversion_moves_it_to_the_worst_case():
    cost = {"more-aid": 0.1, "stand-off-strikes": 1.0}
    q = {"more-aid": 0.75, "stand-off-strikes": 0.25}
    assert np.isclose(expected_cost(q, cost), 0.75 * 0.1 + 0.25 * 1.0)
    assert np.isclose(perceived_cost(q, cost, 0.0), expected_cost(q, cost))
    assert np.isclose(perceived_cost(q, cost, 1.0), 1.0)
    assert np.isclose(perceived_cost(q, cost, 0.5, p_execute=0.8, credibility=0.5), 0.4 * (0.5 * 0.325 + 0.5))
    # A published rule is a degenerate distribution: ambiguity aversion changes nothing.
    assert np.isclose(perceived_cost({"more-aid": 1.0}, cost, 0.9), 0.1)


def test_draw_response_inverts_the_cumulative_distribution():
    q = {"a": 0.2, "b": 0.3, "c": 0.5}
    assert [draw_response(q, u) for u in (0.1, 0.3, 0.6, 0.99)] == ["a", "b", "c", "c"]


def test_credibility_update():
    assert update_credibility(0.8, False, 0.5, 0.1) == 0.4
    assert np.isclose(update_credibility(0.8, True, 0.5, 0.1), 0.82)


def test_a_tripwire_hit_makes_the_response_automatic():
    esc = Escalation(response_rate_deliberate=0.0)
    ev = [PolicyEvent(t_s=10.0, seq=0, kind="tripwire", actor="adversary", detail="unit hit")]
    res = walk_ladder(ev, PolicyParams(escalation=esc, tripwire_rung=7), Streams(1, 0))
    assert res.metrics["p_tripwire"] == 1 and res.metrics["allied_losses"] == 1
    assert res.metrics["max_rung"] == 7 and res.metrics["p_direct_engagement"] == 1
