"""The ladder carried from night to night: persistence after an exchange, decay on quiet nights,
tension raising the next nights' hazards; and the campaign hook (hand-built sequences of nights)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from skyshield.campaign import CampaignSettings, ClassFit, PeriodFit, RaidGenerator, run_campaign
from skyshield.policy.compile import PolicyParams
from skyshield.policy.events import PolicyEvent
from skyshield.policy.persistence import LadderState, next_rung, next_tension
from skyshield.policy.phase import walk_ladder
from skyshield.policy.spec import Escalation
from skyshield.rng import Streams

from .hand_built import NEAR_BELARUS, cap, catalog, scenario

DAY = 86400.0
QUIET = {"exposure_fire_rate_per_h": 0.0, "response_rate_deliberate": 0.0, "response_rate_inadvertent": 0.0,
         "response_rate_accidental": 0.0}


def _fired_upon(t=3600.0) -> list[PolicyEvent]:
    return [PolicyEvent(t_s=t, seq=0, kind="allied-fired-upon", rung=6, channel="accidental", actor="adversary",
                        detail="hand-built: allied aircraft fired upon")]


def _nights(sequence: list[list[PolicyEvent]], esc: Escalation) -> list[dict]:
    """Walk a hand-built sequence of nights, carrying the ladder as the campaign loop does."""
    state, out = LadderState(), []
    for k, ev in enumerate(sequence):
        m = walk_ladder(ev, PolicyParams(escalation=esc, ladder=state), Streams(2, 0, sample=k + 1)).metrics
        out.append(m)
        state = state.after(m, esc)
    return out


def test_tension_halves_over_its_half_life_of_quiet_nights():
    t = next_tension(0.0, 2.0, 7 * DAY)
    assert np.isclose(t, 2.0 * 2 ** (-1 / 7))
    for _ in range(7):
        t = next_tension(t, 0.0, 7 * DAY)
    assert np.isclose(t, 2.0 * 2 ** (-8 / 7))
    assert next_rung(6, 1.0, 1) == 6 and next_rung(6, 0.0, 1) == 5 and next_rung(1, 0.0, 2) == 0


def test_an_exchange_persists_then_the_ladder_comes_down_one_rung_per_quiet_night():
    esc = Escalation(**QUIET)
    ms = _nights([_fired_upon()] + [[] for _ in range(8)], esc)
    # Night 1 reaches direct engagement; night 2 starts there (persistence); each quiet night
    # brings the carried rung down by one.
    assert [m["max_rung"] for m in ms] == [6, 6, 5, 4, 3, 2, 1, 0, 0]
    assert [m["p_direct_engagement"] for m in ms][:3] == [1, 1, 0]
    tension = [m["ladder_tension"] for m in ms]
    assert tension[0] == 0 and np.isclose(tension[1], 2 ** (-1 / 7)) and np.isclose(tension[8], 2 ** (-8 / 7))


def test_a_night_with_adversary_action_holds_the_carried_rung():
    esc = Escalation(**QUIET)
    stray = [PolicyEvent(t_s=10.0, seq=0, kind="stray-on-allied", rung=3, channel="accidental", actor="adversary")]
    ms = _nights([_fired_upon(), stray, stray, []], esc)
    assert [m["max_rung"] for m in ms] == [6, 6, 6, 6] and ms[-1]["ladder_rung_next"] == 5
    assert np.isclose(ms[-1]["ladder_tension"], sum(2 ** (-k / 7) for k in (1, 2, 3)))


def test_tension_multiplies_the_next_nights_response_hazard():
    # One allied action of hazard 0.2 at rung 4; a carried tension of 2 with gain 1.5 makes it 0.2 * 4.
    esc = Escalation(response_rate_inadvertent=0.2, tension_gain=1.5)
    ev = [PolicyEvent(t_s=0.0, seq=0, kind="allied-intercept", rung=4, channel="inadvertent", actor="allied")]
    n = 3000
    for tension, h in ((0.0, 0.2), (2.0, 0.8)):
        pol = PolicyParams(escalation=esc, ladder=LadderState(tension=tension))
        ms = [walk_ladder(ev, pol, Streams(8, r)).metrics for r in range(n)]
        assert np.isclose(ms[0]["escalation_hazard_inadvertent"], h)
        p, want = np.mean([m["p_adversary_response"] for m in ms]), 1 - math.exp(-h)
        assert abs(p - want) < 4 * math.sqrt(want * (1 - want) / n)


# --- the campaign loop carries the state ----------------------------------------------------------

def _gen():
    cf = {"drone": ClassFit(1.0, 10.0, 20.0), "cruise": ClassFit(0.0, 1.0, 1.0), "ballistic": ClassFit(0.0, 1.0, 1.0)}
    return RaidGenerator((PeriodFit("test", 92, cf, 0.0),), {"span": ["test"]})


def _campaign(esc: dict, days: int = 6, rep: int = 0) -> dict:
    sc = scenario([cap("c", NEAR_BELARUS, sorties=4)], esc)
    return run_campaign(sc, catalog(), "allied", _gen(), CampaignSettings(days=days), seed=3, replication=rep)


@pytest.fixture(scope="module")
def quiet():
    return _campaign(QUIET)


def test_a_quiet_campaign_carries_the_standing_posture_and_no_tension(quiet):
    # A CAP over the defended country is rung 5 each night; nothing answers it, so the ladder
    # leaves each night one rung lower than it reached, and tension stays zero.
    assert quiet["max_rung"] == 5 and quiet["rung_final"] == 4
    assert quiet["adversary_actions"] == 0 and quiet["tension_final"] == 0 and quiet["nights_direct_engagement"] == 0


def test_in_a_campaign_exchanges_persist_and_tension_compounds_the_risk(quiet):
    exposed = {**QUIET, "exposure_fire_rate_per_h": 0.05, "tension_gain": 0.0}
    base = [_campaign(exposed, rep=r) for r in range(4)]
    primed = [_campaign({**exposed, "tension_gain": 3.0}, rep=r) for r in range(4)]
    for b, p in zip(base, primed):
        # Same dice: a primed adversary fires at least as often, on at least as many nights.
        assert p["adversary_actions"] >= b["adversary_actions"] and p["nights_direct_engagement"] >= b["nights_direct_engagement"]
        if b["adversary_actions"] > 0:
            assert b["tension_final"] > 0 and b["max_rung"] >= 6 and b["p_direct_engagement"] == 1
    assert sum(p["adversary_actions"] for p in primed) > sum(b["adversary_actions"] for b in base)
    assert quiet["launched"] == base[0]["launched"]  # the same raids whatever the policy (common random numbers)
