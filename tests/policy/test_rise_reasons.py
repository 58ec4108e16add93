"""Escalation explained: the distribution of the highest rung, P(rung >= k), and the kind of
event that raised the rung, on hand-written policy event lists (the walk is a pure function)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.policy.compile import PolicyParams
from skyshield.policy.events import PolicyEvent
from skyshield.policy.ladder import RUNGS
from skyshield.policy.persistence import LadderState
from skyshield.policy.phase import RISE_REASONS, walk_ladder
from skyshield.policy.spec import Escalation
from skyshield.rng import Streams

QUIET = Escalation(exposure_fire_rate_per_h=0.0, response_rate_deliberate=0.0, response_rate_inadvertent=0.0,
                   response_rate_accidental=0.0)


def _ev(seq, t, kind, rung, action="", channel="", actor="allied"):
    return PolicyEvent(t_s=t, seq=seq, kind=kind, rung=rung, action=action, channel=channel, actor=actor)


def _walk(events, ladder=None, esc=QUIET, rep=0):
    pol = PolicyParams(escalation=esc, ladder=ladder or LadderState())
    return walk_ladder(events, pol, Streams(seed=3, replication=rep)).metrics


def test_each_raise_is_counted_by_its_kind_and_the_last_one_sets_the_top_rung() -> None:
    m = _walk([
        _ev(0, 0.0, "posture", 1, "posture:intelligence"),
        _ev(1, 100.0, "allied-intercept", 3, "intercept:unmanned:allied", "inadvertent"),
        _ev(2, 200.0, "allied-intercept", 3, "intercept:unmanned:allied", "inadvertent"),  # same rung: no raise
        _ev(3, 300.0, "allied-intercept", 4, "intercept:unmanned:sea", "inadvertent"),
        _ev(4, 400.0, "allied-intercept", 4, "intercept:unmanned:defended", "inadvertent"),  # no raise
        _ev(5, 500.0, "allied-intercept", 3, "intercept:unmanned:allied", "inadvertent"),  # lower: no raise
    ])
    assert m["max_rung"] == 4
    raised = {k: m[f"rung_raised_by_{k.replace('-', '_')}"] for k in RISE_REASONS}
    assert raised == {**dict.fromkeys(RISE_REASONS, 0.0), "data-sharing": 1.0, "intercept-over-allied": 1.0,
                      "intercept-over-defended": 1.0}
    top = [k for k in RISE_REASONS if m[f"max_rung_by_{k.replace('-', '_')}"] == 1.0]
    assert top == ["intercept-over-defended"]
    assert [m[f"p_rung_ge_{k}"] for k in range(1, 10)] == [1, 1, 1, 1, 0, 0, 0, 0, 0]


def test_adversary_kinds_are_told_apart_by_channel() -> None:
    m = _walk([_ev(0, 0.0, "allied-fired-upon", 6, channel="accidental", actor="adversary")])
    assert m["max_rung_by_allied_aircraft_exposure"] == 1 and m["max_rung_by_adversary_response"] == 0
    m = _walk([_ev(0, 0.0, "allied-fired-upon", 6, channel="deliberate", actor="adversary")])
    assert m["max_rung_by_adversary_response"] == 1 and m["rung_raised_by_allied_aircraft_exposure"] == 0
    m = _walk([_ev(0, 0.0, "stray-on-allied", 3, channel="accidental", actor="adversary")])
    assert m["max_rung_by_stray_on_allied"] == 1 and m["max_rung"] == 3


def test_a_rung_carried_in_and_never_passed_is_the_reason_of_the_night() -> None:
    m = _walk([_ev(0, 0.0, "allied-intercept", 4, "intercept:unmanned:defended", "inadvertent")],
              ladder=LadderState(rung=5, tension=0.0))
    assert m["max_rung"] == 5 and m["max_rung_by_carried_over"] == 1 and m["rung_raised_by_intercept_over_defended"] == 0
    m = _walk([])
    assert m["max_rung"] == 0 and sum(m[f"max_rung_by_{k.replace('-', '_')}"] for k in RISE_REASONS) == 0


KINDS = [("posture", "posture:intelligence", ""), ("allied-intercept", "intercept:unmanned:defended", "inadvertent"),
         ("allied-intercept", "intercept:unmanned:allied", "inadvertent"),
         ("allied-intercept", "intercept:manned:defended", "deliberate"),
         ("allied-accident", "debris-on-adversary", "accidental"), ("stray-on-allied", "", "accidental"),
         ("allied-fired-upon", "", "accidental"), ("clause-response", "clause:x", "deliberate")]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(KINDS), st.integers(1, 8), st.floats(0, 36000)), max_size=25),
       st.integers(0, 9), st.integers(0, 3))
def test_reasons_account_for_every_raise_whatever_the_events(rows, start, rep) -> None:
    esc = Escalation(exposure_fire_rate_per_h=0.0, response_rate_deliberate=0.3, response_rate_inadvertent=0.1,
                     response_rate_accidental=0.2)
    evs = [_ev(i, t, kind, rung, action, ch, "adversary" if kind in ("stray-on-allied", "allied-fired-upon") else "allied")
           for i, ((kind, action, ch), rung, t) in enumerate(rows)]
    m = _walk(evs, ladder=LadderState(rung=start, tension=0.0), esc=esc, rep=rep)
    top = m["max_rung"]
    # P(rung >= k) indicators: exactly the rungs up to the top one
    assert [m[f"p_rung_ge_{r.level}"] for r in RUNGS[1:]] == [float(top >= r.level) for r in RUNGS[1:]]
    # one reason set the top rung whenever it is above 0; none when the night stayed at 0
    assert sum(m[f"max_rung_by_{k.replace('-', '_')}"] for k in RISE_REASONS) == float(top > 0)
    # a raise lifts the rung by at least one: the raises cannot outnumber the rungs climbed
    n_raised = sum(m[f"rung_raised_by_{k.replace('-', '_')}"] for k in RISE_REASONS)
    assert n_raised <= top - start or (n_raised == 0 and top == start)
    assert (n_raised > 0) == (top > start)
